package org.careline.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import org.careline.redis.RedisKeys;

import java.time.Duration;
import java.util.List;

/**
 * Remembers each inbound message so that WeChat's retries (5 s timeout, up to 3 retries) run the
 * conversation once and get the same answer: first a short "being processed" lease, then the reply
 * itself for the dedup window.
 */
public final class ReplyLedger {

    private static final long POLL_MS = 50;

    private final Vertx vertx;
    private final RedisAPI redis;
    private final Duration window;

    public ReplyLedger(Vertx vertx, RedisAPI redis, Duration window) {
        this.vertx = vertx;
        this.redis = redis;
        this.window = window;
    }

    /** What is known of a message. {@code pushed}: its reply went out through the customer-service API. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(boolean done, List<String> replies, boolean pushed) {
        static final Entry PROCESSING = new Entry(false, null, false);
    }

    /**
     * True when this caller is the first to see the message and must process it. Messages are told apart
     * per person: {@code dedupKey} ({@code InboundMessage.dedupKey()}) is only unique within one openid.
     */
    public Future<Boolean> claim(String openid, String dedupKey) {
        // The lease expires so that a message whose first handler died is processed by a retry.
        return redis.set(List.of(RedisKeys.dedup(openid, dedupKey), Json.write(Entry.PROCESSING), "NX", "PX",
                        Long.toString(RedisKeys.PROCESSING_LEASE.toMillis())))
                .map(r -> r != null && "OK".equals(r.toString()));
    }

    public Future<Void> complete(String openid, String dedupKey, List<String> replies, boolean pushed) {
        return redis.set(List.of(RedisKeys.dedup(openid, dedupKey), Json.write(new Entry(true, replies, pushed)),
                "PX", Long.toString(window.toMillis()))).mapEmpty();
    }

    /** Releases the lease of a message whose processing failed, so that WeChat's retry runs it again. */
    public Future<Void> release(String openid, String dedupKey) {
        return redis.del(List.of(RedisKeys.dedup(openid, dedupKey))).mapEmpty();
    }

    /**
     * Waits, until {@code deadlineMillis} (System.currentTimeMillis), for the first handler of a retried
     * message to finish; completes with the entry as it then stands (null if the record vanished).
     */
    public Future<Entry> await(String openid, String dedupKey, long deadlineMillis) {
        return redis.get(RedisKeys.dedup(openid, dedupKey)).compose(r -> {
            Entry entry = r == null ? null : Json.read(r.toString(), Entry.class);
            if (entry == null || entry.done() || System.currentTimeMillis() + POLL_MS >= deadlineMillis) {
                return Future.succeededFuture(entry);
            }
            return vertx.timer(POLL_MS).compose(t -> await(openid, dedupKey, deadlineMillis));
        });
    }
}
