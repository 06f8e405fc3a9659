package org.careline.wechat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import org.careline.async.Deadline;
import org.careline.conversation.ConversationService;
import org.careline.conversation.ReplyRecord;
import org.careline.conversation.SystemTexts;
import org.careline.privacy.Redaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Decides how a message is answered (DESIGN §2 steps 2 and 4): a retry of a message already seen gets
 * the first answer and never runs the conversation again; a fresh message is processed, and its reply
 * goes back passively if ready within the reply budget, else through the customer-service API.
 */
public final class MessageDispatcher {

    private static final Logger log = LoggerFactory.getLogger(MessageDispatcher.class);
    /** WeChat accepts about 2,048 bytes in a text; keep a margin (≈ 600 Chinese characters). */
    static final int MAX_TEXT_BYTES = 1800;
    /** How often a retry looks whether the first try has answered. */
    private static final long POLL_MS = 50;

    private final Vertx vertx;
    private final ConversationService conversations;
    private final WeChatApi api;
    private final Duration budget;
    private final SystemTexts texts;
    private final Clock clock;

    private final MeterRegistry meters;
    private final java.util.Map<Answer.Kind, io.micrometer.core.instrument.Counter> answers =
            new java.util.EnumMap<>(Answer.Kind.class);

    /** Told of every message as it arrives (e.g. to fetch its media while WeChat still keeps it); must not block. */
    private final java.util.function.Consumer<InboundMessage> arrivals;

    /**
     * @param clock the wall clock, compared with WeChat's {@code CreateTime}; the reply budget is measured
     *              with {@link #elapsedMillis()}, which no clock change can shorten or stretch
     */
    public MessageDispatcher(Vertx vertx, ConversationService conversations, WeChatApi api,
                             Duration budget, SystemTexts texts, MeterRegistry meters, Clock clock) {
        this(vertx, conversations, api, budget, texts, meters, clock, message -> { });
    }

    public MessageDispatcher(Vertx vertx, ConversationService conversations, WeChatApi api,
                             Duration budget, SystemTexts texts, MeterRegistry meters, Clock clock,
                             java.util.function.Consumer<InboundMessage> arrivals) {
        this.arrivals = arrivals;
        this.meters = meters;
        // Looked up once: a registry lookup per message (tags, id, map) costs more than the count.
        for (Answer.Kind kind : Answer.Kind.values()) {
            answers.put(kind, meters.counter("careline.callback.answers", "answer", kind.name().toLowerCase()));
        }
        this.clock = clock;
        this.vertx = vertx;
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
        long start = clock.millis();
        long deadline = elapsedMillis() + budget.toMillis();
        try {
            arrivals.accept(message);
        } catch (RuntimeException e) {
            log.warn("arrival of {} not noted: {}", message.kind(), e.toString());
        }
        // Whatever hangs (Redis mid-retry), WeChat gets an answer inside its 5 seconds.
        return Deadline.within(vertx, answer(message, deadline), Math.max(budget.toMillis() + 300, 1500))
                .map(Answer::of)
                .onSuccess(a -> answers.get(a.kind()).increment())
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
            return vertx.timer(Math.max(1, receivedAtMillis + LET_WECHAT_RETRY_MS - clock.millis()))
                    .map(t -> new Answer(Answer.Kind.RETRY, null));
        }
        // The last retry: tell the person plainly rather than going silent.
        meters.counter("careline.callback.answers", "answer", "busy").increment();
        return Future.succeededFuture(Answer.of(texts.get("busy")));
    }

    /** Who answers WeChat for a message being processed; settles once. */
    private enum Answering { OPEN, PASSIVE, SUCCESS, GAVE_UP }

    /**
     * Takes the message's turn. A retry of a message already claimed waits for the first try's reply; a
     * fresh message is stepped, and its reply goes back passively if saved within the budget, else "success"
     * is answered at the deadline and the reply follows through the customer-service API.
     */
    private Future<String> answer(InboundMessage message, long deadline) {
        Promise<String> answer = Promise.promise();
        AtomicReference<Answering> who = new AtomicReference<>(Answering.OPEN);
        Runnable saySuccess = () -> {
            if (who.compareAndSet(Answering.OPEN, Answering.SUCCESS)) {
                answer.tryComplete(null);
                // The answer will come as a customer-service message: show "对方正在输入" meanwhile.
                api.typing(message.fromUser(), true);
            }
        };
        // Asked just before the save: the reply is kept for retries as passive unless "success" went out.
        BooleanSupplier passive = () -> {
            if (elapsedMillis() >= deadline) {
                saySuccess.run();
            }
            return who.compareAndSet(Answering.OPEN, Answering.PASSIVE) || who.get() != Answering.SUCCESS;
        };
        Future<ConversationService.Turn> turn = conversations.handle(InputMapping.incoming(message), passive);
        // A hanging Redis must not hold the answer for long (at least a second: a healthy Redis answers in
        // about a millisecond, and a tiny budget must not fail a working one). If the turn still begins
        // later, its reply waits in Redis for WeChat's retry.
        Deadline.within(vertx, turn, Math.max(budget.toMillis(), 1000)).onComplete(ar -> {
            if (ar.failed()) {
                if (who.compareAndSet(Answering.OPEN, Answering.GAVE_UP)) {
                    answer.tryFail(ar.cause());
                }
                return;
            }
            ConversationService.Turn t = ar.result();
            if (t.seen() != null) {
                meters.counter("careline.callback.retries").increment();
                retry(message, t.seen(), deadline).onComplete(answer);
                return;
            }
            long timer = vertx.setTimer(Math.max(1, deadline - elapsedMillis()), id -> saySuccess.run());
            t.replies().onComplete(replies -> {
                vertx.cancelTimer(timer);
                Answering settled = who.get();
                if (settled == Answering.OPEN && who.compareAndSet(Answering.OPEN, Answering.PASSIVE)) {
                    settled = Answering.PASSIVE; // failed before the save
                }
                if (replies.failed()) {
                    if (settled == Answering.PASSIVE) {
                        answer.tryFail(replies.cause());
                    } else if (settled == Answering.SUCCESS) {
                        // WeChat already has "success" and will not retry: say so through the customer-service API.
                        log.warn("late step of {} failed: {}", Redaction.openid(message.fromUser()), replies.cause().toString());
                        push(message.fromUser(), List.of(texts.get("busy")));
                    }
                    return;
                }
                List<String> parts = parts(replies.result());
                if (settled == Answering.PASSIVE) {
                    answer.tryComplete(parts.isEmpty() ? null : parts.get(0));
                    push(message.fromUser(), parts.size() > 1 ? parts.subList(1, parts.size()) : List.of());
                } else if (settled == Answering.SUCCESS) {
                    // Past the budget WeChat already has "success"; the reply travels as customer-service text.
                    push(message.fromUser(), parts);
                }
                // GAVE_UP: nobody is waiting here; the reply is kept for WeChat's retry.
            });
        });
        return answer.future();
    }

    /** A retry of a message already claimed: the first try's answer, waiting for it within the budget. */
    private Future<String> retry(InboundMessage message, ReplyRecord seen, long deadline) {
        String key = message.dedupKey();
        return (seen.done() ? Future.succeededFuture(seen) : awaitReply(message.fromUser(), key, deadline)).compose(entry -> {
            if (entry == null) {
                // The first handler died and its lease is gone: this retry takes over.
                return answer(message, deadline);
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

    /**
     * Waits, until {@code deadline} ({@link #elapsedMillis()}), for the first handler of a retried message to
     * finish; completes with the record as it then stands (null if it vanished).
     */
    private Future<ReplyRecord> awaitReply(String openid, String key, long deadline) {
        return conversations.reply(openid, key).compose(entry -> {
            if (entry == null || entry.done() || elapsedMillis() + POLL_MS >= deadline) {
                return Future.succeededFuture(entry);
            }
            return vertx.timer(POLL_MS).compose(t -> awaitReply(openid, key, deadline));
        });
    }

    /**
     * Monotonic milliseconds, for the reply budget: whole milliseconds as the budget's arithmetic always was
     * (a 1 ms budget is over at the next tick), but never moved by a change of the wall clock.
     */
    private static long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
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
