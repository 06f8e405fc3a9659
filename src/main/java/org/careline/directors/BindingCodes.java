package org.careline.directors;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.flow.StepContext;
import org.careline.privacy.Redaction;
import org.careline.redis.LuaScript;
import org.careline.redis.RedisKeys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Binding codes (DESIGN §3 "directors"): staff ask for one for a roster person, give it to them, and the
 * person sends {@code 绑定 <code>}. Six digits, single use, valid 7 days, stored only as a SHA-256 hash.
 * Guessing is limited per person and for everyone together (a million codes are few: the limits, not the
 * hash, keep them safe). Also the bindings index: which openid a roster person is bound to.
 */
public final class BindingCodes {

    static final Duration VALID = Duration.ofDays(7);
    /** A code is kept this long after it expires, so that its owner is told "expired" rather than "wrong". */
    static final Duration KEPT = Duration.ofDays(30);
    /** Wrong codes one person may send within an hour. */
    static final int TRIES_PER_HOUR = 5;
    /** Wrong codes everyone together may send within an hour (guessing with many accounts). */
    static final int FAILURES_PER_HOUR = 200;

    /**
     * KEYS: code, person's current code, (old code key filled by the script). ARGV: code hash, roster id,
     * expiresAt ms, keep ms. Refuses (0) a hash already in use; revokes the person's previous code.
     */
    private static final LuaScript ISSUE = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 1 then
              return 0
            end
            local old = redis.call('GET', KEYS[2])
            if old and old ~= ARGV[1] then
              redis.call('DEL', ARGV[5] .. old)
            end
            redis.call('HSET', KEYS[1], 'rosterId', ARGV[2], 'expiresAt', ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[4])
            return 1
            """);

    /**
     * KEYS: code, person's tries, everyone's failures this hour. ARGV: openid, now ms, tries limit, failures
     * limit, counter ttl ms, the roster id this person is bound to ("" if none). Answers {result[, rosterId]};
     * a code used by this same person answers ok again (WeChat's retry of the message that used it). A person
     * bound as somebody else is refused before the code is used up: it stays good for its owner.
     */
    private static final LuaScript REDEEM = new LuaScript("""
            local tries = tonumber(redis.call('GET', KEYS[2]) or '0')
            local failures = tonumber(redis.call('GET', KEYS[3]) or '0')
            if tries >= tonumber(ARGV[3]) or failures >= tonumber(ARGV[4]) then
              return {'limited'}
            end
            local rec = redis.call('HMGET', KEYS[1], 'rosterId', 'expiresAt', 'usedBy')
            if not rec[1] then
              redis.call('INCR', KEYS[2])
              redis.call('PEXPIRE', KEYS[2], ARGV[5])
              redis.call('INCR', KEYS[3])
              redis.call('PEXPIRE', KEYS[3], ARGV[5])
              return {'wrong'}
            end
            if rec[3] then
              if rec[3] == ARGV[1] then
                return {'ok', rec[1]}
              end
              return {'used'}
            end
            if tonumber(rec[2]) < tonumber(ARGV[2]) then
              return {'expired'}
            end
            if ARGV[6] ~= '' and ARGV[6] ~= rec[1] then
              return {'elsewhere'}
            end
            redis.call('HSET', KEYS[1], 'usedBy', ARGV[1], 'usedAt', ARGV[2])
            return {'ok', rec[1]}
            """);

    private final RedisAPI redis;
    private final RosterStore roster;
    private final SecureRandom random = new SecureRandom();

    public BindingCodes(RedisAPI redis, RosterStore roster) {
        this.redis = redis;
        this.roster = roster;
    }

    /** A code given to a person, and until when it is good. */
    public record Issued(String code, Instant expiresAt) {}

    /** A new code for roster person {@code rosterId} (their previous one stops working); null if not on the roster. */
    public Future<Issued> issue(String rosterId, Instant now) {
        return roster.person(rosterId).compose(person -> person == null ? Future.succeededFuture(null) : issueNew(rosterId, now, 0));
    }

    private Future<Issued> issueNew(String rosterId, Instant now, int attempt) {
        String code = String.format("%06d", random.nextInt(1_000_000));
        String hash = hash(code);
        Instant expires = now.plus(VALID);
        return ISSUE.run(redis, List.of(RedisKeys.bindingCode(hash), RedisKeys.bindingCodeOf(rosterId)),
                List.of(hash, rosterId, Long.toString(expires.toEpochMilli()), Long.toString(VALID.plus(KEPT).toMillis()),
                        RedisKeys.bindingCode(""))).compose(r -> {
            if (r.toInteger() == 1) {
                return Future.succeededFuture(new Issued(code, expires));
            }
            // Another person's code has these digits: draw again (rare with a few thousand codes alive).
            return attempt >= 20 ? Future.failedFuture(new IllegalStateException("no free binding code"))
                    : issueNew(rosterId, now, attempt + 1);
        });
    }

    Future<StepContext.Binding> redeem(String openid, StepContext.Profile profile, String code, Instant now) {
        String handle = Redaction.openid(openid);
        long hour = now.getEpochSecond() / 3600;
        return REDEEM.run(redis, List.of(RedisKeys.bindingCode(hash(code)), RedisKeys.bindingTries(handle),
                        RedisKeys.bindingFailures(hour)),
                List.of(openid, Long.toString(now.toEpochMilli()), Integer.toString(TRIES_PER_HOUR),
                        Integer.toString(FAILURES_PER_HOUR), Long.toString(Duration.ofHours(1).toMillis()),
                        profile == null || profile.rosterId() == null ? "" : profile.rosterId()))
                .compose(r -> {
                    String result = r.get(0).toString();
                    if (!"ok".equals(result)) {
                        return Future.succeededFuture(new StepContext.Binding(result, null, null, null, null));
                    }
                    String rosterId = r.get(1).toString();
                    if (profile != null && profile.rosterId() != null && !profile.rosterId().equals(rosterId)) {
                        // Bound as somebody else (a code this person had used before binding anew): unbinding first.
                        return Future.succeededFuture(new StepContext.Binding("elsewhere", null, null, null, null));
                    }
                    return who(rosterId);
                });
    }

    /** The roster person behind a good code, with the names their screens show. */
    private Future<StepContext.Binding> who(String rosterId) {
        return roster.person(rosterId).compose(person -> {
            if (person == null) {
                return Future.succeededFuture(new StepContext.Binding("unavailable", null, null, null, null));
            }
            String role = person.getString("role");
            Future<JsonObject> community = "director".equals(role) && person.getString("communityId") != null
                    ? roster.community(person.getString("communityId")) : Future.succeededFuture(null);
            return community.compose(c -> {
                String townId = c != null ? c.getString("townId") : person.getString("townId");
                return (townId == null ? Future.<JsonObject>succeededFuture(null) : roster.town(townId)).map(t -> {
                    String town = t == null ? null : t.getString("name");
                    String where = c != null ? c.getString("name") : town;
                    return new StepContext.Binding("ok", rosterId, role, where, town);
                });
            });
        });
    }

    /** Records that {@code rosterId} is bound to {@code openid}; completes with the openid bound before, if another. */
    Future<String> remember(String rosterId, String openid) {
        return redis.send(io.vertx.redis.client.Command.HGET, RedisKeys.bindings(), rosterId)
                .compose(before -> redis.hset(List.of(RedisKeys.bindings(), rosterId, openid))
                        .map(v -> before == null ? null : before.toString()));
    }

    /** Forgets a binding, if it is still this openid's. */
    Future<Void> forget(String rosterId, String openid) {
        return redis.hget(RedisKeys.bindings(), rosterId).compose(current -> current != null && current.toString().equals(openid)
                ? redis.hdel(List.of(RedisKeys.bindings(), rosterId)).<Void>mapEmpty() : Future.<Void>succeededFuture());
    }

    /** The openid bound to a roster person, or null. */
    public Future<String> boundTo(String rosterId) {
        return redis.hget(RedisKeys.bindings(), rosterId).map(r -> r == null ? null : r.toString());
    }

    /** Staff unbind a roster person: the index entry goes (the person's profile is cleared in their turn). */
    public Future<String> unbind(String rosterId) {
        return boundTo(rosterId).compose(openid -> openid == null ? Future.succeededFuture(null)
                : redis.hdel(List.of(RedisKeys.bindings(), rosterId)).map(v -> openid));
    }

    /** Every binding: roster id → openid. */
    Future<java.util.Map<String, String>> all() {
        return redis.hgetall(RedisKeys.bindings()).map(r -> {
            java.util.Map<String, String> out = new java.util.HashMap<>();
            for (int i = 0; r != null && i + 1 < r.size(); i += 2) {
                out.put(r.get(i).toString(), r.get(i + 1).toString());
            }
            return out;
        });
    }

    static String hash(String code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
