package org.careline.console;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Console accounts and sign-in: Argon2id passwords, sessions in Redis (only their hash is stored), a lockout
 * per username and per address after repeated failures, sign-out everywhere, and disabling that ends an
 * account's sessions at once.
 */
final class StaffAccounts {

    private static final Logger log = LoggerFactory.getLogger(StaffAccounts.class);
    static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,31}");
    static final int MIN_PASSWORD = 10;
    static final String ADMIN = "admin";
    static final String DEMO = "demo";

    /** What became of a sign-in. {@code session} and {@code sessionId} are set only for {@code OK}. */
    record SignIn(Outcome outcome, StaffSession session, String sessionId) {
        enum Outcome { OK, REFUSED, LOCKED }
    }

    /** Settings of sign-in and sessions. */
    record Settings(Duration sessionIdle, Duration sessionMax, int maxFailures, int ipMaxFailures, Duration lockout) {}

    private final Vertx vertx;
    private final ConsoleStore store;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final Settings settings;
    private final SecureRandom random = new SecureRandom();

    StaffAccounts(Vertx vertx, ConsoleStore store, PasswordHasher hasher, Clock clock, Settings settings) {
        this.vertx = vertx;
        this.store = store;
        this.hasher = hasher;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * At start: {@code adminPassword} (environment only) creates or resets {@code admin}; in the sandbox a demo
     * caseworker gets a new random password, printed in the log — the one place a password is ever logged.
     */
    Future<Void> bootstrap(String adminPassword, boolean sandbox) {
        Future<Void> done = Future.succeededFuture();
        if (!adminPassword.isEmpty()) {
            done = done.compose(v -> upsert(ADMIN, "管理员", StaffRole.ADMIN, adminPassword))
                    .onSuccess(v -> log.info("console: account '{}' set from CARELINE_CONSOLE_ADMIN_PASSWORD", ADMIN));
        }
        if (sandbox) {
            String password = randomToken(9);
            done = done.compose(v -> upsert(DEMO, "演示社工", StaffRole.CASEWORKER, password))
                    .onSuccess(v -> log.warn("SANDBOX console: sign in at /console/ as '{}' with password '{}' "
                            + "(a demo caseworker; a new password at every start)", DEMO, password));
        }
        return done;
    }

    private Future<Void> upsert(String username, String displayName, StaffRole role, String password) {
        return hash(password).compose(h -> store.account(username).compose(old -> store.saveAccount(new StaffAccount(
                username, old == null ? displayName : old.displayName(), role, h, false,
                old == null ? clock.instant() : old.createdAt()))));
    }

    Future<SignIn> signIn(String username, String password, String address) {
        String user = username == null ? "" : username.trim().toLowerCase(java.util.Locale.ROOT);
        String pw = password == null ? "" : password;
        return store.failures("user", user).compose(byUser -> store.failures("ip", address).compose(byIp -> {
            if (byUser >= settings.maxFailures()) {
                return Future.succeededFuture(new SignIn(SignIn.Outcome.LOCKED, null, null));
            }
            // The address count is a slow-down, not a lock: a whole office signs in from one address (NAT),
            // and one person's typos must not lock out colleagues. Over the limit a correct password of an
            // account not locked itself still signs in; every failure is answered late and as locked. Each
            // username still locks on its own after maxFailures.
            boolean slowed = byIp >= settings.ipMaxFailures();
            return store.account(user).compose(account -> vertx.executeBlocking(
                    () -> hasher.verify(pw, account == null ? null : account.passwordHash()), false)
                    .compose(matches -> {
                        if (!matches || account.disabled()) {
                            Future<SignIn> refused = failed(user, address);
                            return slowed ? refused.compose(r -> vertx.timer(SLOW_DOWN_MS)
                                    .map(new SignIn(SignIn.Outcome.LOCKED, null, null))) : refused;
                        }
                        return store.clearFailures("user", user).compose(v -> open(account));
                    }));
        }));
    }

    /** How late a failed sign-in from an address over its limit is answered. */
    static final long SLOW_DOWN_MS = 2000;

    private Future<SignIn> failed(String user, String address) {
        return store.fail("user", user, settings.lockout(), settings.maxFailures())
                .compose(n -> store.fail("ip", address, settings.lockout(), settings.ipMaxFailures()).map(m -> {
                    if (n == settings.maxFailures()) {
                        log.warn("console: '{}' locked for {} after {} failed sign-ins", user, settings.lockout(), n);
                    }
                    if (m == settings.ipMaxFailures()) {
                        log.warn("console: sign-ins from {} locked for {} after {} failures", address, settings.lockout(), m);
                    }
                    return new SignIn(SignIn.Outcome.REFUSED, null, null);
                }));
    }

    private Future<SignIn> open(StaffAccount account) {
        String id = randomToken(32);
        String csrf = randomToken(24);
        String idHash = sha256(id);
        return store.createSession(idHash, account.username(), csrf, clock.instant(), settings.sessionIdle())
                .map(v -> {
                    log.info("console: '{}' signed in", account.username());
                    return new SignIn(SignIn.Outcome.OK, new StaffSession(idHash, account.username(),
                            account.displayName(), account.role(), csrf), id);
                });
    }

    /**
     * The member of staff behind a session cookie, or null: no such session, past its maximum age, or its
     * account disabled or deleted since. The account is read on every request, so a role change or a
     * disabling takes effect at once.
     */
    Future<StaffSession> session(String sessionId) {
        if (sessionId == null || sessionId.isEmpty() || sessionId.length() > 100) {
            return Future.succeededFuture(null);
        }
        String idHash = sha256(sessionId);
        return store.session(idHash).compose(s -> {
            if (s.isEmpty()) {
                return Future.succeededFuture(null);
            }
            Instant created = Instant.parse(s.get("createdAt"));
            if (created.plus(settings.sessionMax()).isBefore(clock.instant())) {
                return store.endSession(idHash, s.get("username")).map(v -> null);
            }
            return store.account(s.get("username")).compose(a -> {
                if (a == null || a.disabled()) {
                    return store.endSession(idHash, s.get("username")).map(v -> (StaffSession) null);
                }
                return store.touchSession(idHash, settings.sessionIdle()).map(v ->
                        new StaffSession(idHash, a.username(), a.displayName(), a.role(), s.get("csrf")));
            });
        });
    }

    /**
     * Whether a session is still good (not ended, not past its maximum age, its account enabled) without
     * counting as activity: a live-update stream asks this and must not keep an idle session alive.
     */
    Future<Boolean> stillValid(StaffSession session) {
        return store.session(session.idHash()).compose(s -> {
            if (s.isEmpty() || Instant.parse(s.get("createdAt")).plus(settings.sessionMax()).isBefore(clock.instant())) {
                return Future.succeededFuture(false);
            }
            return store.account(s.get("username")).map(a -> a != null && !a.disabled());
        });
    }

    Future<Void> signOut(StaffSession s) {
        return store.endSession(s.idHash(), s.username());
    }

    Future<Integer> signOutEverywhere(String username) {
        return store.endAllSessions(username);
    }

    Future<java.util.List<StaffAccount>> accounts() {
        return store.accounts();
    }

    /** @throws IllegalArgumentException (as a failed future) for a bad name, role or password */
    Future<StaffAccount> create(String username, String displayName, String role, String password) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            return Future.failedFuture(new IllegalArgumentException(
                    "用户名只能用小写字母、数字和 . _ -，2 到 32 个字符"));
        }
        if (password == null || password.length() < MIN_PASSWORD) {
            return Future.failedFuture(new IllegalArgumentException("密码至少 " + MIN_PASSWORD + " 个字符"));
        }
        StaffRole r;
        try {
            r = StaffRole.of(role);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(new IllegalArgumentException("角色只能是 caseworker、supervisor 或 admin"));
        }
        String name = displayName == null || displayName.isBlank() ? username : displayName.trim();
        return store.account(username).compose(old -> {
            if (old != null) {
                return Future.failedFuture(new IllegalStateException("用户名已存在"));
            }
            return hash(password).compose(h -> {
                StaffAccount a = new StaffAccount(username, name, r, h, false, clock.instant());
                return store.saveAccount(a).map(v -> a);
            });
        });
    }

    /** Disabling ends every session of the account at once. */
    Future<StaffAccount> setDisabled(String username, boolean disabled) {
        return store.account(username).compose(a -> {
            if (a == null) {
                return Future.succeededFuture(null);
            }
            StaffAccount changed = new StaffAccount(a.username(), a.displayName(), a.role(), a.passwordHash(),
                    disabled, a.createdAt());
            Future<Void> saved = store.saveAccount(changed);
            if (disabled) {
                saved = saved.compose(v -> store.endAllSessions(username).mapEmpty());
            }
            return saved.map(v -> changed);
        });
    }

    /** A new password ends the account's sessions and lifts a lockout. */
    Future<StaffAccount> resetPassword(String username, String password) {
        if (password == null || password.length() < MIN_PASSWORD) {
            return Future.failedFuture(new IllegalArgumentException("密码至少 " + MIN_PASSWORD + " 个字符"));
        }
        return store.account(username).compose(a -> {
            if (a == null) {
                return Future.succeededFuture(null);
            }
            return hash(password).compose(h -> {
                StaffAccount changed = new StaffAccount(a.username(), a.displayName(), a.role(), h, a.disabled(),
                        a.createdAt());
                return store.saveAccount(changed)
                        .compose(v -> store.endAllSessions(username))
                        .compose(v -> store.clearFailures("user", username))
                        .map(v -> changed);
            });
        });
    }

    private Future<String> hash(String password) {
        return vertx.executeBlocking(() -> hasher.hash(password), false);
    }

    private String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean sameToken(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Object> view(StaffAccount a) {
        return Map.of("username", a.username(), "displayName", a.displayName(), "role", a.role().id(),
                "disabled", a.disabled());
    }
}
