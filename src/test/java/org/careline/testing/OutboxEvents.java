package org.careline.testing;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.redis.RedisKeys;

import java.util.ArrayList;
import java.util.List;

/** What is waiting in a person's outbox, read straight from Redis: the events, oldest first. */
public final class OutboxEvents {

    private OutboxEvents() {
    }

    /** Each entry's {@code event} field as JSON ({@code {id, type, time, data}}), oldest first. */
    public static List<JsonObject> of(RedisAPI redis, String openid) {
        Response entries = Await.result(redis.xrange(List.of(RedisKeys.outbox(openid), "-", "+")));
        List<JsonObject> out = new ArrayList<>();
        for (Response entry : entries) {
            Response fields = entry.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("event".equals(fields.get(i).toString())) {
                    out.add(new JsonObject(fields.get(i + 1).toString()));
                }
            }
        }
        return out;
    }
}
