package org.careline.cases;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.redis.RedisKeys;

import java.util.List;

/**
 * Case notices that did not reach the family (not following any more, no template configured, quota used,
 * WeChat refused), newest first, for an operator to see and a caseworker to follow up by phone. Entries
 * carry the case number and a hashed handle, never the message text or the openid.
 */
public final class UndeliveredNotices {

    /** The newest this many are kept. */
    static final int KEPT = 1000;

    private final RedisAPI redis;

    public UndeliveredNotices(RedisAPI redis) {
        this.redis = redis;
    }

    Future<Void> record(JsonObject notice) {
        String key = RedisKeys.undeliveredNotices();
        return redis.lpush(List.of(key, notice.encode()))
                .compose(v -> redis.ltrim(key, "0", Integer.toString(KEPT - 1))).mapEmpty();
    }

    /** {@code GET /api/admin/notifications/failed?limit=}: mount after the admin API's token check. */
    public void mountAdmin(io.vertx.ext.web.Router router) {
        router.get("/api/admin/notifications/failed").handler(ctx -> {
            int limit;
            try {
                limit = Math.max(1, Math.min(KEPT, Integer.parseInt(ctx.request().getParam("limit", "100"))));
            } catch (NumberFormatException e) {
                limit = 100;
            }
            newest(limit).onComplete(ar -> {
                if (ar.failed()) {
                    ctx.fail(503, ar.cause());
                    return;
                }
                ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
                        .end(new JsonObject().put("items", ar.result()).encode());
            });
        });
    }

    public Future<JsonArray> newest(int limit) {
        return redis.lrange(RedisKeys.undeliveredNotices(), "0", Integer.toString(limit - 1)).map(lines -> {
            JsonArray out = new JsonArray();
            if (lines != null) {
                for (Response line : lines) {
                    out.add(new JsonObject(line.toString()));
                }
            }
            return out;
        });
    }
}
