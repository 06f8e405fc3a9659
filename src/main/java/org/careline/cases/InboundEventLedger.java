package org.careline.cases;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import org.careline.redis.RedisKeys;

import java.time.Duration;
import java.util.List;

/**
 * Remembers what each inbound back-office request ({@code X-CareLine-Event-Id}) was answered, so that a
 * retry of the same event is answered the same and never applied twice; and which signatures were used, so
 * that a captured request sent again under another event id within the 5-minute window is refused.
 */
final class InboundEventLedger {

    /** How long an event's answer is kept: the back office retries for up to a day, keep well past that. */
    static final Duration ANSWER_KEPT = Duration.ofDays(7);
    /** An event being applied holds its id this long; a crashed apply lets a retry run it after that. */
    static final Duration PROCESSING_LEASE = Duration.ofSeconds(30);
    /** A signature is refused for reuse while its timestamp is still accepted (± 5 minutes), with a margin. */
    static final Duration SIGNATURE_KEPT = BackOfficeSignature.MAX_SKEW.multipliedBy(2).plusMinutes(1);

    /**
     * KEYS: event. ARGV: processing record, lease ms, body hash. Answers {'mine'}, {'done', record},
     * {'busy'} or {'conflict'} (the id came with another body).
     */
    private static final String CLAIM = """
            local seen = redis.call('GET', KEYS[1])
            if not seen then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return {'mine'}
            end
            local record = cjson.decode(seen)
            if record['bodyHash'] ~= ARGV[3] then
              return {'conflict'}
            end
            if record['state'] == 'done' then
              return {'done', seen}
            end
            return {'busy'}
            """;

    /** A stored answer: HTTP status and JSON body. */
    record Answer(int status, JsonObject body) {}

    enum Claim { MINE, DONE, BUSY, CONFLICT }

    record Claimed(Claim claim, Answer answer) {}

    private final RedisAPI redis;

    InboundEventLedger(RedisAPI redis) {
        this.redis = redis;
    }

    Future<Claimed> claim(String eventId, String bodyHash) {
        String processing = new JsonObject().put("state", "processing").put("bodyHash", bodyHash).encode();
        return redis.eval(List.of(CLAIM, "1", RedisKeys.backOfficeEvent(eventId), processing,
                Long.toString(PROCESSING_LEASE.toMillis()), bodyHash)).map(r -> switch (r.get(0).toString()) {
            case "mine" -> new Claimed(Claim.MINE, null);
            case "done" -> {
                JsonObject record = new JsonObject(r.get(1).toString());
                yield new Claimed(Claim.DONE, new Answer(record.getInteger("status"), record.getJsonObject("body")));
            }
            case "busy" -> new Claimed(Claim.BUSY, null);
            default -> new Claimed(Claim.CONFLICT, null);
        });
    }

    Future<Void> remember(String eventId, String bodyHash, Answer answer) {
        String record = new JsonObject().put("state", "done").put("bodyHash", bodyHash)
                .put("status", answer.status()).put("body", answer.body()).encode();
        return redis.set(List.of(RedisKeys.backOfficeEvent(eventId), record, "PX",
                Long.toString(ANSWER_KEPT.toMillis()))).mapEmpty();
    }

    /** An apply that failed (Redis, say) gives its id back, so that the back office's retry runs it. */
    Future<Void> release(String eventId) {
        return redis.del(List.of(RedisKeys.backOfficeEvent(eventId))).mapEmpty();
    }

    /**
     * True when {@code signature} is new, or was first used by this same event (a retry sending the same bytes);
     * false when another event id came with it: a captured request replayed under a new id.
     */
    Future<Boolean> firstUseOfSignature(String signature, String eventId) {
        String key = RedisKeys.backOfficeSignature(signature);
        return redis.set(List.of(key, eventId, "NX", "PX", Long.toString(SIGNATURE_KEPT.toMillis())))
                .compose(set -> set != null && "OK".equals(set.toString()) ? Future.succeededFuture(true)
                        : redis.get(key).map(holder -> holder != null && eventId.equals(holder.toString())));
    }
}
