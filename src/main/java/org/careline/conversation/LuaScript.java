package org.careline.conversation;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1 (EVALSHA), so that each call sends the keys and arguments, not the script.
 * A Redis that does not know it yet (a restart, a failover, SCRIPT FLUSH) answers NOSCRIPT: then the call is
 * repeated once with EVAL, which also caches the script there.
 */
public final class LuaScript {

    private final String source;
    private final String sha;

    public LuaScript(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }

    public Future<Response> run(RedisAPI redis, List<String> keys, List<String> args) {
        List<String> call = new ArrayList<>(2 + keys.size() + args.size());
        call.add(sha);
        call.add(Integer.toString(keys.size()));
        call.addAll(keys);
        call.addAll(args);
        return redis.evalsha(call).recover(e -> {
            if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
                return Future.failedFuture(e);
            }
            List<String> again = new ArrayList<>(call);
            again.set(0, source);
            return redis.eval(again);
        });
    }
}
