package org.careline.cases;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import org.careline.privacy.Redaction;
import org.careline.redis.RedisKeys;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Writes outbox events the way a conversation step does (same stream, fields and index), without running a
 * conversation: for tests and the benchmark that need many events quickly. Each is an
 * {@code escalation.message} whose text is its sequence number within the person.
 */
public final class OutboxFiller {

    private OutboxFiller() {
    }

    public static Future<String> write(RedisAPI redis, String openid, int seq) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        JsonObject event = new JsonObject().put("id", id).put("type", CaseEvent.ESCALATION_MESSAGE)
                .put("time", now.toString()).put("data", new JsonObject().put("openidHash", Redaction.openid(openid))
                        .put("text", Integer.toString(seq)).put("at", now.toString()));
        String key = RedisKeys.outbox(openid);
        return redis.zadd(List.of(RedisKeys.outboxIndex(), "NX", Long.toString(System.currentTimeMillis()),
                        RedisKeys.person(openid)))
                .compose(v -> redis.xadd(List.of(key, "*", "id", id, "type", CaseEvent.ESCALATION_MESSAGE,
                        "time", now.toString(), "v", "1", "event", event.encode())))
                .map(v -> id);
    }

    /** The sequence number an event written here carries. */
    public static int seq(JsonObject envelope) {
        return Integer.parseInt(envelope.getJsonObject("data").getString("text"));
    }
}
