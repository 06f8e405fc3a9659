package org.careline.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;

/**
 * Turns {@code CARELINE_REDIS_URL} into a Vert.x Redis client: {@code redis://} and {@code rediss://}
 * for one server, {@code redis-sentinel://h1:26379,h2:26379/master} and
 * {@code redis-cluster://h1:7000,h2:7001} for the highly available set-ups a city runs.
 */
public final class RedisConnector {

    private RedisConnector() {
    }

    public static Redis create(Vertx vertx, String url) {
        return Redis.createClient(vertx, options(url));
    }

    static RedisOptions options(String url) {
        RedisOptions options = new RedisOptions()
                // RESP2: replies keep one shape (XREADGROUP answers an array, not a RESP3 map).
                .setPreferredProtocolVersion(ProtocolVersion.RESP2)
                .setMaxPoolSize(16)
                .setMaxPoolWaiting(1024)
                .setMaxWaitingHandlers(4096);
        if (url.startsWith("redis-sentinel://")) {
            String rest = url.substring("redis-sentinel://".length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("redis-sentinel URL needs /<master name> at the end");
            }
            String credentials = "";
            String hosts = rest.substring(0, slash);
            int at = hosts.lastIndexOf('@');
            if (at >= 0) {
                credentials = hosts.substring(0, at + 1);
                hosts = hosts.substring(at + 1);
            }
            options.setType(RedisClientType.SENTINEL).setRole(RedisRole.MASTER).setMasterName(rest.substring(slash + 1));
            for (String host : hosts.split(",")) {
                options.addConnectionString("redis://" + credentials + host.trim());
            }
        } else if (url.startsWith("redis-cluster://")) {
            options.setType(RedisClientType.CLUSTER);
            String rest = url.substring("redis-cluster://".length());
            String credentials = "";
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                credentials = rest.substring(0, at + 1);
                rest = rest.substring(at + 1);
            }
            for (String host : rest.split(",")) {
                options.addConnectionString("redis://" + credentials + host.trim());
            }
        } else {
            options.setType(RedisClientType.STANDALONE).setConnectionString(url);
        }
        return options;
    }
}
