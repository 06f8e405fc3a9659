package org.careline.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Turns {@code CARELINE_REDIS_URL} into a Vert.x Redis client: {@code redis://} and {@code rediss://}
 * for one server, {@code redis-sentinel://h1:26379,h2:26379/master} and
 * {@code redis-cluster://h1:7000,h2:7001} for the highly available set-ups a city runs. Every endpoint is
 * checked here, at start-up, rather than on the first connection; no error message repeats the URL or any
 * part of it, since it may hold a password.
 */
public final class RedisConnector {

    private RedisConnector() {
    }

    /** CareLine's client: one pipelined connection per event loop ({@link LoopRedis}). */
    public static Redis create(Vertx vertx, String url) {
        return new LoopRedis(vertx, options(url));
    }

    /**
     * The client options for {@code url}.
     *
     * @throws IllegalArgumentException saying what is wrong, without quoting the URL
     */
    public static RedisOptions options(String url) {
        RedisOptions options = new RedisOptions()
                // RESP2: replies keep one shape (XREADGROUP answers an array, not a RESP3 map).
                .setPreferredProtocolVersion(ProtocolVersion.RESP2)
                .setMaxPoolSize(16)
                .setMaxPoolWaiting(1024)
                .setMaxWaitingHandlers(4096);
        if (url.startsWith("redis-sentinel://")) {
            String rest = url.substring("redis-sentinel://".length());
            int slash = rest.indexOf('/');
            if (slash < 0 || slash == rest.length() - 1) {
                throw new IllegalArgumentException("a redis-sentinel URL needs /<master name> at the end");
            }
            options.setType(RedisClientType.SENTINEL).setRole(RedisRole.MASTER).setMasterName(rest.substring(slash + 1));
            addHosts(options, rest.substring(0, slash));
        } else if (url.startsWith("redis-cluster://")) {
            options.setType(RedisClientType.CLUSTER);
            addHosts(options, url.substring("redis-cluster://".length()));
        } else if (url.startsWith("redis://") || url.startsWith("rediss://")) {
            check(url);
            options.setType(RedisClientType.STANDALONE).setConnectionString(url);
        } else {
            throw new IllegalArgumentException("must start with redis://, rediss://, redis-sentinel:// or redis-cluster://");
        }
        return options;
    }

    /** Whether the URL carries credentials ({@code user:password@}); such a URL is a secret. */
    public static boolean hasCredentials(String url) {
        int scheme = url.indexOf("://");
        return scheme >= 0 && url.indexOf('@', scheme) >= 0;
    }

    /** {@code [user:password@]h1:port,h2:port}: one endpoint per host, each with the same credentials. */
    private static void addHosts(RedisOptions options, String hostList) {
        String credentials = "";
        String hosts = hostList;
        int at = hosts.lastIndexOf('@');
        if (at >= 0) {
            credentials = hosts.substring(0, at + 1);
            hosts = hosts.substring(at + 1);
        }
        for (String host : hosts.split(",")) {
            if (host.isBlank()) {
                throw new IllegalArgumentException("has an empty host in its list (h1:26379,h2:26379)");
            }
            String endpoint = "redis://" + credentials + host.trim();
            check(endpoint);
            options.addConnectionString(endpoint);
        }
    }

    /** One {@code redis[s]://[user:password@]host[:port][/db]} endpoint, read as the client will read it. */
    private static void check(String endpoint) {
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            // The exception's own message quotes the URL: never pass it on.
            throw new IllegalArgumentException("is not a valid URL (a password with characters such as spaces, "
                    + "'#', '/' or '@' must be percent-encoded)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("needs a host and, if any, a port that is a number (redis://host:6379)");
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !"/".equals(path)) {
            String db = path.substring(1);
            if (db.isEmpty() || db.length() > 5 || !db.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("the database after the host must be a number (redis://host:6379/0)");
            }
        }
    }
}
