package org.careline.wechat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import org.careline.conversation.ConversationService;
import org.careline.conversation.ReplyLedger;
import org.careline.conversation.SystemTexts;
import org.careline.privacy.Redaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides how a message is answered (DESIGN §2 steps 2 and 4): a retry of a message already seen gets
 * the first answer and never runs the conversation again; a fresh message is processed, and its reply
 * goes back passively if ready within the reply budget, else through the customer-service API.
 */
public final class MessageDispatcher {

    private static final Logger log = LoggerFactory.getLogger(MessageDispatcher.class);
    /** WeChat accepts about 2,048 bytes in a text; keep a margin (≈ 600 Chinese characters). */
    static final int MAX_TEXT_BYTES = 1800;

    private final Vertx vertx;
    private final ReplyLedger ledger;
    private final ConversationService conversations;
    private final WeChatApi api;
    private final Duration budget;
    private final SystemTexts texts;

    private final MeterRegistry meters;

    public MessageDispatcher(Vertx vertx, ReplyLedger ledger, ConversationService conversations, WeChatApi api,
                             Duration budget, SystemTexts texts, MeterRegistry meters) {
        this.meters = meters;
        this.vertx = vertx;
        this.ledger = ledger;
        this.conversations = conversations;
        this.api = api;
        this.budget = budget;
        this.texts = texts;
    }

    /** How the callback answers WeChat. */
    public record Answer(Kind kind, String text) {
        public enum Kind {
            /** A passive XML reply with {@code text}. */
            PASSIVE,
            /** "success": nothing (more) to say now. */
            SUCCESS,
            /** Not processed; no answer within WeChat's 5 s, so that WeChat retries the message. */
            RETRY
        }

        static Answer of(String text) {
            return text == null ? new Answer(Kind.SUCCESS, null) : new Answer(Kind.PASSIVE, text);
        }
    }

    /** WeChat retries a push at about 5, 10 and 15 s; a message younger than this will come again. */
    static final long RETRIES_STILL_COMING_MS = 11_000;
    /** Past WeChat's 5-second wait: by then WeChat has given up on this try and will retry. */
    static final long LET_WECHAT_RETRY_MS = 5_500;

    /**
     * Completes with the answer for WeChat: within the reply budget a passive reply or "success"; when the
     * message could not be processed (Redis unreachable), no answer in time for a message WeChat will still
     * retry, else a plain "busy" text so the person knows to send it again.
     */
    public Future<Answer> dispatch(InboundMessage message) {
        long start = System.currentTimeMillis();
        long deadline = start + budget.toMillis();
        String key = message.dedupKey();
        Future<Boolean> claim = ledger.claim(message.fromUser(), key);
        return claim
                .onSuccess(first -> {
                    if (!first) {
                        meters.counter("careline.callback.retries").increment();
                    }
                })
                // A hanging Redis must not hold the answer for long (at least a second: a healthy Redis
                // answers in about a millisecond, and a tiny budget must not fail a working one).
                .timeout(Math.max(budget.toMillis(), 1000), TimeUnit.MILLISECONDS)
                .onFailure(e -> claim.onSuccess(lateClaim -> {
                    // Redis woke up after we gave up: the lease it took would make WeChat's retries wait
                    // for a step nobody runs. Give it back.
                    if (lateClaim) {
                        ledger.release(message.fromUser(), key);
                    }
                }))
                .compose(first -> first ? process(message, deadline) : retry(message, deadline))
                // Whatever hangs (Redis mid-retry), WeChat gets an answer inside its 5 seconds.
                .timeout(Math.max(budget.toMillis() + 300, 1500), TimeUnit.MILLISECONDS)
                .map(Answer::of)
                .onSuccess(a -> meters.counter("careline.callback.answers", "answer", a.kind().name().toLowerCase()).increment())
                .recover(e -> notProcessed(message, start, e));
    }

    /**
     * The answer for a message that could not be processed (Redis unreachable), received at
     * {@code receivedAtMillis}: no answer in time for a message WeChat will still retry, else a plain "busy"
     * text so the person knows to send it again.
     */
    public Future<Answer> notProcessed(InboundMessage message, long receivedAtMillis, Throwable cause) {
        String key = message.dedupKey();
        log.warn("message {} of {} not processed: {}", key.startsWith("m:") ? key : message.kind(),
                Redaction.openid(message.fromUser()), cause.toString());
        long age = receivedAtMillis - message.createTime() * 1000;
        if (message.createTime() > 0 && age < RETRIES_STILL_COMING_MS) {
            // Nothing was saved and the lease was released: WeChat's retry gets a fresh chance.
            meters.counter("careline.callback.answers", "answer", "retry").increment();
            return vertx.timer(Math.max(1, receivedAtMillis + LET_WECHAT_RETRY_MS - System.currentTimeMillis()))
                    .map(t -> new Answer(Answer.Kind.RETRY, null));
        }
        // The last retry: tell the person plainly rather than going silent.
        meters.counter("careline.callback.answers", "answer", "busy").increment();
        return Future.succeededFuture(Answer.of(texts.get("busy")));
    }

    private Future<String> retry(InboundMessage message, long deadline) {
        String key = message.dedupKey();
        return ledger.await(message.fromUser(), key, deadline).compose(entry -> {
            if (entry == null) {
                // The first handler died and its lease is gone: this retry takes over.
                return ledger.claim(message.fromUser(), key).compose(first -> first ? process(message, deadline)
                        : Future.succeededFuture(null));
            }
            if (entry.done() && !entry.pushed()) {
                return Future.succeededFuture(passivePart(entry.replies()));
            }
            if (entry.done()) {
                // Already pushed through the customer-service API: nothing more to say here.
                return Future.succeededFuture(null);
            }
            // Still marked as being processed after a whole budget: the first handler is gone (a crash, a
            // lost connection). Saying "success" would lose the message; let WeChat retry after the lease.
            return Future.failedFuture(new IllegalStateException("still being processed elsewhere"));
        });
    }

    private Future<String> process(InboundMessage message, long deadline) {
        String key = message.dedupKey();
        Promise<String> answer = Promise.promise();
        AtomicBoolean answered = new AtomicBoolean();
        long remaining = Math.max(1, deadline - System.currentTimeMillis());
        long timer = vertx.setTimer(remaining, t -> {
            if (answered.compareAndSet(false, true)) {
                answer.complete(null);
                // The answer will come as a customer-service message: show "对方正在输入" meanwhile.
                api.typing(message.fromUser(), true);
            }
        });
        conversations.handle(message).onComplete(ar -> {
            if (ar.failed()) {
                ledger.release(message.fromUser(), key);
                if (answered.compareAndSet(false, true)) {
                    vertx.cancelTimer(timer);
                    answer.fail(ar.cause());
                } else {
                    // WeChat already has "success" and will not retry: say so through the customer-service API.
                    log.warn("late step of {} failed: {}", Redaction.openid(message.fromUser()), ar.cause().toString());
                    push(message.fromUser(), List.of(texts.get("busy")));
                }
                return;
            }
            List<String> parts = parts(ar.result());
            if (answered.compareAndSet(false, true)) {
                vertx.cancelTimer(timer);
                ledger.complete(message.fromUser(), key, ar.result(), false)
                        .onComplete(v -> answer.complete(parts.isEmpty() ? null : parts.get(0)));
                push(message.fromUser(), parts.size() > 1 ? parts.subList(1, parts.size()) : List.of());
            } else {
                // Past the budget WeChat already has "success"; the reply travels as customer-service text.
                ledger.complete(message.fromUser(), key, ar.result(), true);
                push(message.fromUser(), parts);
            }
        });
        return answer.future();
    }

    private static String passivePart(List<String> replies) {
        List<String> parts = parts(replies);
        return parts.isEmpty() ? null : parts.get(0);
    }

    /** All reply texts of one step as one message, split where WeChat's length limit requires. */
    static List<String> parts(List<String> replies) {
        if (replies == null || replies.isEmpty()) {
            return List.of();
        }
        return TextSplitter.split(String.join("\n\n", replies), MAX_TEXT_BYTES);
    }

    /** Sends texts one after the other, so that they arrive in order. */
    private void push(String openid, List<String> texts) {
        Future<Void> chain = Future.succeededFuture();
        for (String text : texts) {
            chain = chain.compose(v -> api.sendText(openid, text).map(result -> {
                meters.counter("careline.wechat.customer_service", "result", result.name().toLowerCase()).increment();
                if (result != WeChatApi.SendResult.SENT) {
                    log.warn("customer-service text to {} not sent: {}", Redaction.openid(openid), result);
                }
                return null;
            }));
        }
        chain.onFailure(e -> log.warn("customer-service text to {} failed: {}", Redaction.openid(openid), e.toString()));
    }
}
