package org.careline.console;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.redis.LuaScript;
import org.careline.redis.RedisKeys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's own data in Redis: accounts, sessions, failed sign-ins, the audit log and the canned replies.
 * Nothing of a person's conversation: that is written by {@code ConversationStore} only.
 */
final class ConsoleStore {

    /** Audit entries kept (newest); an export is meant to be taken regularly. */
    static final int AUDIT_MAX = 100_000;

    /**
     * Counts one failed sign-in; the count lives {@code window} from the first failure, and a full
     * {@code window} again from the failure that reaches the limit (the lockout). KEYS: counter.
     * ARGV: window ms, limit. Answers the count.
     */
    private static final LuaScript FAIL = new LuaScript("""
            local n = redis.call('INCR', KEYS[1])
            if n == 1 or n == tonumber(ARGV[2]) then
              redis.call('PEXPIRE', KEYS[1], ARGV[1])
            end
            return n
            """);

    private final RedisAPI redis;

    ConsoleStore(RedisAPI redis) {
        this.redis = redis;
    }

    // ---- accounts ----

    Future<StaffAccount> account(String username) {
        return redis.hgetall(RedisKeys.consoleAccount(username)).map(r -> {
            Map<String, String> h = hash(r);
            if (h.isEmpty()) {
                return null;
            }
            return new StaffAccount(username, h.getOrDefault("displayName", username), StaffRole.of(h.get("role")),
                    h.get("passwordHash"), "1".equals(h.get("disabled")),
                    h.containsKey("createdAt") ? Instant.parse(h.get("createdAt")) : null);
        });
    }

    Future<Void> saveAccount(StaffAccount a) {
        return redis.hset(List.of(RedisKeys.consoleAccount(a.username()), "displayName", a.displayName(),
                        "role", a.role().id(), "passwordHash", a.passwordHash(), "disabled", a.disabled() ? "1" : "0",
                        "createdAt", (a.createdAt() == null ? Instant.now() : a.createdAt()).toString()))
                .compose(v -> redis.sadd(List.of(RedisKeys.consoleAccounts(), a.username())))
                .mapEmpty();
    }

    Future<List<StaffAccount>> accounts() {
        return redis.smembers(RedisKeys.consoleAccounts()).compose(names -> {
            List<Future<StaffAccount>> each = new ArrayList<>();
            for (Response n : names) {
                each.add(account(n.toString()));
            }
            return Future.all(each).map(all -> {
                List<StaffAccount> out = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    StaffAccount a = all.resultAt(i);
                    if (a != null) {
                        out.add(a);
                    }
                }
                out.sort(java.util.Comparator.comparing(StaffAccount::username));
                return out;
            });
        });
    }

    // ---- sessions ----

    Future<Void> createSession(String idHash, String username, String csrfToken, Instant now, Duration idle) {
        String key = RedisKeys.consoleSession(idHash);
        return redis.hset(List.of(key, "username", username, "csrf", csrfToken, "createdAt", now.toString()))
                .compose(v -> redis.pexpire(List.of(key, Long.toString(idle.toMillis()))))
                .compose(v -> redis.sadd(List.of(RedisKeys.consoleUserSessions(username), idHash)))
                .mapEmpty();
    }

    /** The session's fields, or an empty map when it ended or expired. */
    Future<Map<String, String>> session(String idHash) {
        return redis.hgetall(RedisKeys.consoleSession(idHash)).map(ConsoleStore::hash);
    }

    /** A session in use stays alive another {@code idle}. */
    Future<Void> touchSession(String idHash, Duration idle) {
        return redis.pexpire(List.of(RedisKeys.consoleSession(idHash), Long.toString(idle.toMillis()))).mapEmpty();
    }

    Future<Void> endSession(String idHash, String username) {
        return redis.del(List.of(RedisKeys.consoleSession(idHash)))
                .compose(v -> redis.srem(List.of(RedisKeys.consoleUserSessions(username), idHash)))
                .mapEmpty();
    }

    /** Ends every session of the account at once (sign-out everywhere, disabling, a password reset). */
    Future<Integer> endAllSessions(String username) {
        String set = RedisKeys.consoleUserSessions(username);
        return redis.smembers(set).compose(ids -> {
            List<String> keys = new ArrayList<>();
            for (Response id : ids) {
                keys.add(RedisKeys.consoleSession(id.toString()));
            }
            Future<Void> gone = Future.succeededFuture();
            // Each session key may sit in another cluster slot: one DEL each.
            for (String key : keys) {
                gone = gone.compose(v -> redis.del(List.of(key)).mapEmpty());
            }
            return gone.compose(v -> redis.del(List.of(set))).map(v -> keys.size());
        });
    }

    // ---- failed sign-ins ----

    Future<Long> failures(String kind, String who) {
        return redis.get(RedisKeys.consoleFailures(kind, who)).map(r -> r == null ? 0L : r.toLong());
    }

    Future<Long> fail(String kind, String who, Duration window, int limit) {
        return FAIL.run(redis, List.of(RedisKeys.consoleFailures(kind, who)),
                List.of(Long.toString(window.toMillis()), Integer.toString(limit))).map(Response::toLong);
    }

    Future<Void> clearFailures(String kind, String who) {
        return redis.del(List.of(RedisKeys.consoleFailures(kind, who))).mapEmpty();
    }

    // ---- audit log ----

    /** One entry: who did what to which conversation (its console id), when, and a detail (the field revealed). */
    record AuditEntry(Instant at, String who, String role, String action, String conversation, String detail) {}

    Future<Void> audit(AuditEntry e) {
        return redis.xadd(List.of(RedisKeys.consoleAudit(), "MAXLEN", "~", Integer.toString(AUDIT_MAX), "*",
                "at", e.at().toString(), "who", e.who(), "role", e.role(), "action", e.action(),
                "conversation", e.conversation() == null ? "" : e.conversation(),
                "detail", e.detail() == null ? "" : e.detail())).mapEmpty();
    }

    /** The newest {@code limit} entries, newest first. */
    Future<List<AuditEntry>> auditEntries(int limit) {
        return redis.xrevrange(List.of(RedisKeys.consoleAudit(), "+", "-", "COUNT", Integer.toString(limit))).map(r -> {
            List<AuditEntry> out = new ArrayList<>();
            for (Response entry : r) {
                Map<String, String> f = hash(entry.get(1));
                out.add(new AuditEntry(Instant.parse(f.get("at")), f.get("who"), f.get("role"), f.get("action"),
                        f.get("conversation"), f.get("detail")));
            }
            return out;
        });
    }

    // ---- canned replies ----

    /** The canned replies as JSON ({@code [{title, text}]}), or null before they were seeded. */
    Future<String> cannedReplies() {
        return redis.get(RedisKeys.consoleCannedReplies()).map(r -> r == null ? null : r.toString());
    }

    Future<Void> saveCannedReplies(String json) {
        return redis.set(List.of(RedisKeys.consoleCannedReplies(), json)).mapEmpty();
    }

    /** Seeds the canned replies unless admin has set them already. */
    Future<Void> seedCannedReplies(String json) {
        return redis.set(List.of(RedisKeys.consoleCannedReplies(), json, "NX")).mapEmpty();
    }

    /** RESP2 (see RedisConnector): field, value, field, value … */
    private static Map<String, String> hash(Response r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; r != null && i + 1 < r.size(); i += 2) {
            out.put(r.get(i).toString(), r.get(i + 1).toString());
        }
        return out;
    }
}
