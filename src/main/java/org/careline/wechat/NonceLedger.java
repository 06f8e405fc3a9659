package org.careline.wechat;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import org.careline.redis.LuaScript;
import org.careline.redis.RedisKeys;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Remembers which body each signed callback URL (its timestamp and nonce) arrived with. A plain-mode
 * signature covers the token, timestamp and nonce but not the body, so without this whoever saw one signed
 * URL (a proxy log) could post other bodies with it for as long as its timestamp stays fresh. WeChat's own
 * retries send the same body again and still pass, and then get the first try's reply from the
 * {@code ReplyLedger}. Safe mode needs none of this: its msg_signature covers the encrypted body.
 */
public final class NonceLedger {

    /** 1: first use of this timestamp+nonce, or the same body again; 0: the pair came with another body. */
    private static final LuaScript REMEMBER = new LuaScript("""
            local seen = redis.call('GET', KEYS[1])
            if not seen then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 1
            end
            if seen == ARGV[1] then
              return 1
            end
            return 0
            """);
    /** A nonce is remembered a little past the moment its timestamp stops being accepted. */
    private static final long MARGIN_MS = 1000;

    private final RedisAPI redis;
    private final Clock clock;
    private final Duration maxSkew;

    /** {@code maxSkew}: how far a timestamp may be from the clock and still be accepted (wechat.maxClockSkew). */
    public NonceLedger(RedisAPI redis, Clock clock, Duration maxSkew) {
        this.redis = redis;
        this.clock = clock;
        this.maxSkew = maxSkew;
    }

    /**
     * True when this timestamp+nonce has not been seen before (it is remembered with this body) or was seen
     * with this very body (a retry); false when it came with another body. {@code timestamp} must already have
     * passed the freshness check: the pair is remembered until that timestamp would be refused anyway.
     */
    public Future<Boolean> firstUseOrRetry(String timestamp, String nonce, byte[] body) {
        long expiresAt = (Long.parseLong(timestamp) + maxSkew.toSeconds()) * 1000 + MARGIN_MS;
        long ttl = Math.max(MARGIN_MS, expiresAt - clock.millis());
        String key = RedisKeys.callbackNonce(timestamp, nonce);
        String hash = sha256(body);
        if (!scriptOnly) {
            // Redis 7: one command, no script (a script's start-up cost more Redis time than the check itself).
            // NX with GET answers what was there (nil: first use, now remembered) without replacing it.
            return redis.set(List.of(key, hash, "NX", "GET", "PX", Long.toString(ttl))).compose(
                    r -> Future.succeededFuture(r == null || hash.equals(r.toString())),
                    e -> {
                        if (e.getMessage() == null || !e.getMessage().startsWith("ERR")) {
                            return Future.failedFuture(e);
                        }
                        // Redis 6.2 refuses NX with GET: the script from now on.
                        scriptOnly = true;
                        return remember(key, hash, ttl);
                    });
        }
        return remember(key, hash, ttl);
    }

    /** Redis before 7 takes NX and GET together as a syntax error; then this server is asked by script. */
    private volatile boolean scriptOnly;

    private Future<Boolean> remember(String key, String hash, long ttl) {
        return REMEMBER.run(redis, List.of(key), List.of(hash, Long.toString(ttl)))
                .map(r -> r != null && r.toInteger() == 1);
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** WeChat's nonces are short digit strings; a longer one would only bloat the key. */
    static boolean plausible(String nonce) {
        if (nonce == null || nonce.isEmpty() || nonce.length() > 64) {
            return false;
        }
        for (int i = 0; i < nonce.length(); i++) {
            char c = nonce.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }
}
