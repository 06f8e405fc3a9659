package org.careline.redis;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.testing.Await;
import org.careline.testing.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** CareLine's Redis client against a real server: one connection per event loop, and a connection lost is replaced. */
class LoopRedisIT {

    TestRedis redis;
    Vertx vertx;
    RedisAPI admin;

    @BeforeEach
    void start() {
        redis = TestRedis.start();
        vertx = Vertx.vertx();
        admin = RedisAPI.api(Redis.createClient(vertx, redis.url()));
    }

    @AfterEach
    void stop() {
        Await.result(vertx.close());
        redis.close();
    }

    /** Runs {@code work} on an event loop of its own (a verticle), as the HTTP verticles do. */
    private <T> T onEventLoop(java.util.function.Supplier<Future<T>> work) {
        Promise<T> result = Promise.promise();
        Await.result(vertx.deployVerticle(new VerticleBase() {
            @Override
            public Future<?> start() {
                work.get().onComplete(result);
                return Future.succeededFuture();
            }
        }, new DeploymentOptions()));
        return Await.result(result.future());
    }

    private int clients() {
        return (int) Await.result(admin.client(List.of("LIST"))).toString().lines().count() - 1; // minus admin's own
    }

    @Test
    @DisplayName("Hundreds of commands sent at once from one event loop travel on one connection, answers in order")
    void oneConnectionPerEventLoop() {
        RedisAPI api = RedisAPI.api(RedisConnector.create(vertx, redis.url()));
        List<String> answers = onEventLoop(() -> {
            for (int i = 0; i < 500; i++) {
                api.set(List.of("k" + i, "v" + i));
            }
            // Not waiting for the writes: on one connection, Redis reads them in the order they were sent.
            List<Future<Response>> reads = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                reads.add(api.get("k" + i));
            }
            return Future.all(reads).map(all -> {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    Response r = all.resultAt(i);
                    values.add(r == null ? null : r.toString());
                }
                return values;
            });
        });
        for (int i = 0; i < 500; i++) {
            assertThat(answers.get(i)).isEqualTo("v" + i);
        }
        assertThat(clients()).as("connections besides the test's own").isEqualTo(1);
    }

    @Test
    @DisplayName("Commands sent in one turn of the event loop leave in one write, not one write each")
    void oneWritePerTurn() {
        java.nio.file.Path io = java.nio.file.Path.of("/proc/self/io");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(io), "Linux's /proc/self/io");
        RedisAPI api = RedisAPI.api(RedisConnector.create(vertx, redis.url()));
        long[] writes = new long[1];
        List<String> answers = onEventLoop(() -> api.ping(List.of()).compose(opened -> {
            // From a timer, as from an HTTP request: not inside a read of the Redis connection (Vert.x already
            // flushes once per read there).
            Promise<List<String>> done = Promise.promise();
            vertx.setTimer(10, t -> {
                long before = uncheckedWriteCalls(io);
                List<Future<Response>> sets = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    sets.add(api.set(List.of("w" + i, "v" + i)));
                }
                Future.all(sets).map(all -> {
                    writes[0] = uncheckedWriteCalls(io) - before;
                    return all.<Response>list().stream().map(Response::toString).toList();
                }).onComplete(done);
            });
            return done.future();
        }));
        assertThat(answers).hasSize(300).containsOnly("OK");
        // The 300 commands are one write system call (flushed one by one they were 300); whatever else this JVM
        // writes meanwhile (the deployment, the test runner's own output) is a few calls more.
        assertThat(writes[0]).as("write system calls of this JVM").isLessThan(40);
    }

    /** How many write system calls this process has made so far ({@code syscw} in proc(5)). */
    private static long uncheckedWriteCalls(java.nio.file.Path io) {
        try {
            return java.nio.file.Files.readAllLines(io).stream().filter(l -> l.startsWith("syscw:"))
                    .mapToLong(l -> Long.parseLong(l.substring(6).trim())).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("When Redis drops the connection, the commands in flight fail and the next ones open a new connection")
    void reconnectsAfterTheConnectionIsKilled() {
        RedisAPI api = RedisAPI.api(RedisConnector.create(vertx, redis.url()));
        String set = onEventLoop(() -> api.set(List.of("before", "1")).map(Response::toString));
        assertThat(set).isEqualTo("OK");
        Await.result(admin.client(List.of("KILL", "TYPE", "normal", "SKIPME", "yes")));
        String after = onEventLoop(() -> {
            Promise<String> done = Promise.promise();
            // The first command may still find the dead connection; within a few tries one gets through.
            tryUntilAnswered(api, "before", 20, done);
            return done.future();
        });
        assertThat(after).isEqualTo("1");
        assertThat(clients()).isEqualTo(1);
    }

    private void tryUntilAnswered(RedisAPI api, String key, int left, Promise<String> done) {
        api.get(key).onComplete(ar -> {
            if (ar.succeeded()) {
                done.complete(ar.result().toString());
            } else if (left == 0) {
                done.fail(ar.cause());
            } else {
                vertx.setTimer(50, t -> tryUntilAnswered(api, key, left - 1, done));
            }
        });
    }

    @Test
    @DisplayName("Commands from outside the event loops (a worker, the main thread) go through the pooled client")
    void offTheEventLoop() {
        RedisAPI api = RedisAPI.api(RedisConnector.create(vertx, redis.url()));
        assertThat(Await.result(api.set(List.of("main", "yes"))).toString()).isEqualTo("OK");
        String fromWorker = Await.result(vertx.executeBlocking(() -> Await.result(api.get("main")).toString()));
        assertThat(fromWorker).isEqualTo("yes");
    }

    @Test
    @DisplayName("With Redis stopped, a command fails quickly instead of hanging; with it back, commands work again")
    void redisAwayAndBack() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "redis-it-");
        RedisServerProcess server = RedisServerProcess.start(0, dir, true);
        try {
            RedisAPI api = RedisAPI.api(RedisConnector.create(vertx, server.url()));
            String set = onEventLoop(() -> api.set(List.of("x", "1")).map(Response::toString));
            assertThat(set).isEqualTo("OK");
            int port = server.port();
            server.close();
            long t0 = System.nanoTime();
            Throwable failure = onEventLoop(() -> api.get("x").transform(ar -> Future.succeededFuture(ar.cause())));
            assertThat(failure).as("the command's failure").isNotNull();
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to fail").isLessThan(5_000);
            // Same folder (same password, same data), same port: what a restarted Redis looks like to CareLine.
            server = RedisServerProcess.start(port, dir, true);
            Promise<String> back = Promise.promise();
            vertx.runOnContext(v -> tryUntilAnswered(api, "x", 40, back));
            assertThat(Await.result(back.future())).isEqualTo("1");
        } finally {
            server.close();
        }
    }
}
