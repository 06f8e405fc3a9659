package org.careline.wechat;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.careline.async.Deadline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;

/**
 * {@code GET/POST /wechat}: WeChat's URL check and message push (DESIGN §2 step 1). Every request is
 * signature-checked and time-checked; safe-mode bodies are decrypted and replies encrypted; with an
 * EncodingAESKey set, plain callbacks are refused unless {@code wechat.acceptPlain} is on; a plain callback's
 * timestamp+nonce may not come back with another body. What reaches the dispatcher is a parsed
 * {@link InboundMessage}, never XML.
 */
public final class CallbackHandler {

    private static final Logger log = LoggerFactory.getLogger(CallbackHandler.class);
    /** A healthy Redis answers in about a millisecond; past this the message is treated as not processed. */
    private static final long NONCE_CHECK_TIMEOUT_MS = 2000;
    private static final WeChatProtocolException REPLAYED =
            WeChatProtocolException.unauthentic("timestamp and nonce already used with another body");

    private final String token;
    private final WeChatCrypto crypto;
    private final boolean acceptPlain;
    private final NonceLedger nonces;
    private final MessageDispatcher dispatcher;
    private final Clock clock;
    private final Duration maxSkew;

    /**
     * @param crypto      null when no EncodingAESKey is configured (plain mode only)
     * @param acceptPlain with {@code crypto} set, still accept plain callbacks (switch-over only)
     */
    public CallbackHandler(String token, WeChatCrypto crypto, boolean acceptPlain, NonceLedger nonces,
                           MessageDispatcher dispatcher, Clock clock, Duration maxSkew) {
        this.token = token;
        this.crypto = crypto;
        this.acceptPlain = crypto != null && acceptPlain;
        this.nonces = nonces;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.maxSkew = maxSkew;
        if (this.acceptPlain) {
            log.warn("wechat.acceptPlain is on (CARELINE_WECHAT_ACCEPT_PLAIN): plain callbacks are accepted although "
                    + "an EncodingAESKey is set. Their bodies are not signed; turn it off once the account is in safe mode.");
        }
    }

    /** The URL check of the server configuration page: echo {@code echostr} only if the signature holds. */
    public Handler<RoutingContext> verifyUrl() {
        return ctx -> {
            if (!authentic(ctx)) {
                return;
            }
            String echo = ctx.request().getParam("echostr");
            ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(echo == null ? "" : echo);
        };
    }

    public Handler<RoutingContext> receive() {
        return ctx -> {
            long received = clock.millis();
            if (!authentic(ctx)) {
                return;
            }
            String timestamp = ctx.request().getParam("timestamp");
            String nonce = ctx.request().getParam("nonce");
            boolean aes = "aes".equalsIgnoreCase(ctx.request().getParam("encrypt_type"));
            if (aes && crypto == null) {
                reject(ctx, 400, "safe mode request but no EncodingAESKey is configured");
                return;
            }
            if (!aes && crypto != null && !acceptPlain) {
                // Only the URL is signed in plain mode, not the body: whoever saw one signed URL (a proxy
                // log) could post any body as any openid. In safe and compatible mode the body is signed.
                reject(ctx, 401, "plain callback refused: an EncodingAESKey is set, so only encrypted "
                        + "callbacks are accepted (wechat.acceptPlain is off)");
                return;
            }
            Buffer raw = ctx.body().buffer();
            InboundMessage message;
            try {
                if (raw == null || raw.length() == 0) {
                    throw new WeChatProtocolException("empty body");
                }
                String body = raw.toString("UTF-8");
                // Compatible mode sends the plain fields beside Encrypt: only the signed, encrypted part is read.
                String xml = aes
                        ? crypto.decryptRequest(body, ctx.request().getParam("msg_signature"), timestamp, nonce)
                        : body;
                message = InboundXml.parse(xml);
            } catch (WeChatProtocolException e) {
                reject(ctx, e.unauthentic() ? 401 : 400, e.getMessage());
                return;
            } catch (IllegalArgumentException e) {
                reject(ctx, 400, e.getMessage());
                return;
            }
            // Safe mode's msg_signature already ties the body to this timestamp+nonce.
            Future<Boolean> firstUse = aes ? Future.succeededFuture(true)
                    : Deadline.within(ctx.vertx(), nonces.firstUseOrRetry(timestamp, nonce, raw.getBytes()),
                            NONCE_CHECK_TIMEOUT_MS);
            firstUse.transform(ar -> ar.failed() ? dispatcher.notProcessed(message, received, ar.cause())
                            : ar.result() ? dispatcher.dispatch(message)
                            : Future.<MessageDispatcher.Answer>failedFuture(REPLAYED))
                    .onComplete(ar -> {
                        if (ar.failed() && ar.cause() == REPLAYED) {
                            reject(ctx, 401, REPLAYED.getMessage());
                            return;
                        }
                        answer(ctx, message, aes, timestamp, nonce, ar.succeeded() ? ar.result()
                                : new MessageDispatcher.Answer(MessageDispatcher.Answer.Kind.SUCCESS, null));
                    });
        };
    }

    private void answer(RoutingContext ctx, InboundMessage message, boolean aes, String timestamp, String nonce,
                        MessageDispatcher.Answer answer) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (answer.kind() == MessageDispatcher.Answer.Kind.RETRY) {
            // WeChat has stopped waiting by now; it retries the message.
            response.setStatusCode(503).end();
            return;
        }
        String text = answer.text();
        if (text == null) {
            // "success" tells WeChat there is nothing (more) to say; it shows the user nothing.
            response.putHeader("Content-Type", "text/plain; charset=utf-8").end("success");
            return;
        }
        String xml = ReplyXml.text(message.fromUser(), message.toUser(), clock.instant().getEpochSecond(), text);
        if (aes) {
            xml = crypto.encryptedReply(xml, timestamp, nonce);
        }
        response.putHeader("Content-Type", "application/xml; charset=utf-8").end(xml);
    }

    private boolean authentic(RoutingContext ctx) {
        String timestamp = ctx.request().getParam("timestamp");
        String nonce = ctx.request().getParam("nonce");
        String signature = ctx.request().getParam("signature");
        if (!WeChatSignature.verify(token, timestamp, nonce, signature)) {
            reject(ctx, 401, "signature does not match");
            return false;
        }
        if (!WeChatSignature.freshTimestamp(timestamp, clock.instant(), maxSkew)) {
            // A replayed request carries an old timestamp with a valid signature.
            reject(ctx, 401, "timestamp too far from the server's clock");
            return false;
        }
        if (!NonceLedger.plausible(nonce)) {
            reject(ctx, 400, "nonce longer than 64 characters or not printable");
            return false;
        }
        return true;
    }

    private static void reject(RoutingContext ctx, int status, String reason) {
        log.warn("refused {} /wechat from {}: {} ({})", ctx.request().method(), ctx.request().remoteAddress() == null
                ? "-" : ctx.request().remoteAddress().hostAddress(), status, reason);
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", reason).encode());
    }
}
