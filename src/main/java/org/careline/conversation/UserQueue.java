package org.careline.conversation;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import org.careline.redis.LuaScript;
import org.careline.redis.RedisKeys;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs one person's messages one at a time, in arrival order. Within this instance a per-openid chain of
 * futures orders them; across instances a Redis lock (SET NX PX, released only by its owner) keeps two
 * instances from stepping the same conversation at once and overwriting each other's state.
 */
public final class UserQueue {

    private static final LuaScript RELEASE = new LuaScript("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);
    private static final long RETRY_MS = 20;

    private final Vertx vertx;
    private final RedisAPI redis;
    private final Duration lockWait;
    private final Map<String, Future<?>> tails = new ConcurrentHashMap<>();

    public UserQueue(Vertx vertx, RedisAPI redis, Duration lockWait) {
        this.vertx = vertx;
        this.redis = redis;
        this.lockWait = lockWait;
    }

    /** Runs {@code task} after every earlier task of this person has finished, holding the person's lock. */
    public <T> Future<T> run(String openid, Supplier<Future<T>> task) {
        return inTurn(openid, () -> locked(openid, task));
    }

    /**
     * Runs {@code task} after every earlier task of this person in this instance has finished. The task
     * takes the person's Redis lock itself (a message does so in its first script, see
     * {@link ConversationStore#begin}) and gives it back in its last.
     */
    public <T> Future<T> inTurn(String openid, Supplier<Future<T>> task) {
        // Each public verticle instance has its own event loop; a person's earlier message may finish on
        // another one. The task runs on the context of its caller, where its answer is expected.
        Context context = vertx.getOrCreateContext();
        Promise<T> done = Promise.promise();
        Future<T> mine = done.future();
        Future<?> previous = tails.put(openid, mine);
        Runnable start = () -> {
            Future<T> result;
            try {
                result = task.get();
            } catch (RuntimeException e) {
                result = Future.failedFuture(e);
            }
            result.onComplete(done);
        };
        if (previous == null) {
            start.run();
        } else {
            // The previous task's failure is not ours: wait for it to settle, whatever the outcome.
            previous.onComplete(ignored -> {
                if (Vertx.currentContext() == context) {
                    start.run();
                } else {
                    context.runOnContext(v -> start.run());
                }
            });
        }
        mine.onComplete(r -> tails.remove(openid, mine));
        return mine;
    }

    /**
     * Repeats {@code attempt} every few milliseconds while {@code lockedElsewhere} says another instance
     * holds the person's lock, for at most the lock wait.
     */
    public <T> Future<T> whileLockedElsewhere(Supplier<Future<T>> attempt, Predicate<T> lockedElsewhere) {
        return retry(attempt, lockedElsewhere, System.nanoTime() + lockWait.toNanos());
    }

    private <T> Future<T> retry(Supplier<Future<T>> attempt, Predicate<T> lockedElsewhere, long deadlineNanos) {
        return attempt.get().compose(r -> {
            if (!lockedElsewhere.test(r)) {
                return Future.succeededFuture(r);
            }
            if (System.nanoTime() > deadlineNanos) {
                return Future.failedFuture(new IllegalStateException("conversation busy in another instance"));
            }
            return vertx.timer(RETRY_MS).compose(t -> retry(attempt, lockedElsewhere, deadlineNanos));
        });
    }

    private <T> Future<T> locked(String openid, Supplier<Future<T>> task) {
        String token = UUID.randomUUID().toString();
        String key = RedisKeys.userLock(openid);
        long deadline = System.nanoTime() + lockWait.toNanos();
        return acquire(key, token, deadline).compose(v -> {
            Future<T> result;
            try {
                result = task.get();
            } catch (RuntimeException e) {
                result = Future.failedFuture(e);
            }
            return result.eventually(() -> RELEASE.run(redis, List.of(key), List.of(token)));
        });
    }

    private Future<Void> acquire(String key, String token, long deadlineNanos) {
        return redis.set(List.of(key, token, "NX", "PX", Long.toString(RedisKeys.USER_LOCK_TTL.toMillis())))
                .compose(r -> {
                    if (r != null && "OK".equals(r.toString())) {
                        return Future.succeededFuture();
                    }
                    if (System.nanoTime() > deadlineNanos) {
                        return Future.failedFuture(new IllegalStateException("conversation busy in another instance"));
                    }
                    return vertx.timer(RETRY_MS).compose(t -> acquire(key, token, deadlineNanos));
                });
    }
}
