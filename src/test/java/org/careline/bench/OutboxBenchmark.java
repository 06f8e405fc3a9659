package org.careline.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.careline.redis.RedisConnector;
import io.vertx.redis.client.RedisAPI;
import org.careline.cases.BackOfficeSignature;
import org.careline.cases.OutboxFiller;
import org.careline.cases.OutboxWorker;
import org.careline.config.AppConfig;
import org.careline.redis.RedisKeys;
import org.careline.redis.RedisServerProcess;
import org.careline.testing.Await;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery throughput of one outbox worker to a receiver on loopback that verifies every signature and
 * remembers every id (as a real back office would), all in this JVM, on one redis-server. The outbox is
 * filled first ({@code bench.people} people with {@code bench.events} events each), then the worker starts and
 * the clock runs until the receiver holds them all. Not part of the test run (the name ends in Benchmark):
 * {@code mvn -q test -Dtest=OutboxBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (options: {@code -Dbench.people=20000 -Dbench.events=4 -Dbench.concurrency=64 -Dbench.timeout=120}).
 * Prints events/s and writes {@code target/benchmark-outbox.txt}.
 */
class OutboxBenchmark {

    static final int PEOPLE = Integer.getInteger("bench.people", 20_000);
    static final int EVENTS = Integer.getInteger("bench.events", 4);
    static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 64);
    static final int TIMEOUT_S = Integer.getInteger("bench.timeout", 120);
    static final String SECRET = "bench-secret";

    @Test
    @DisplayName("Benchmark: outbox delivery to a signature-checking receiver on loopback")
    void delivery() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "bench"));
        Vertx vertx = Vertx.vertx();
        try (RedisServerProcess server = RedisServerProcess.start(0, Files.createTempDirectory(dir, "redis-"), false)) {
            RedisAPI redis = RedisAPI.api(RedisConnector.create(vertx, server.url()));
            BackOfficeSignature signature = new BackOfficeSignature(SECRET);
            Set<String> ids = ConcurrentHashMap.newKeySet();
            AtomicLong bad = new AtomicLong();
            HttpServer receiver = Await.result(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
                if (!signature.verify(req.getHeader(BackOfficeSignature.TIMESTAMP),
                        req.getHeader(BackOfficeSignature.SIGNATURE), body.getBytes(), Instant.now())) {
                    bad.incrementAndGet();
                    req.response().setStatusCode(401).end();
                    return;
                }
                ids.add(req.getHeader(BackOfficeSignature.EVENT_ID));
                req.response().setStatusCode(204).end();
            })).listen(0, "127.0.0.1"));

            long total = (long) PEOPLE * EVENTS;
            long fillStart = System.nanoTime();
            List<Future<String>> writes = new ArrayList<>();
            for (int p = 0; p < PEOPLE; p++) {
                for (int s = 1; s <= EVENTS; s++) {
                    writes.add(OutboxFiller.write(redis, "o-bench-" + p, s));
                }
                if (writes.size() >= 500) {
                    Await.result(Future.all(writes));
                    writes.clear();
                }
            }
            Await.result(Future.all(writes));
            double fillSeconds = (System.nanoTime() - fillStart) / 1e9;

            Vertx workerVertx = Vertx.vertx();
            AppConfig.Outbox settings = new AppConfig.Outbox(Duration.ofSeconds(10), Duration.ofSeconds(1),
                    Duration.ofHours(1), Duration.ofHours(24), Duration.ofSeconds(60), CONCURRENCY, Duration.ofMillis(100));
            long start = System.nanoTime();
            Await.result(workerVertx.deployVerticle(new OutboxWorker(RedisAPI.api(RedisConnector.create(workerVertx,
                    server.url())), new AppConfig.BackOffice("http://127.0.0.1:" + receiver.actualPort() + "/events", SECRET),
                    settings, new SimpleMeterRegistry(), java.time.Clock.systemUTC())));
            long deadline = start + Duration.ofSeconds(TIMEOUT_S).toNanos();
            while (ids.size() < total && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // The last people's streams are deleted and taken out of the index just after their last event.
            long settle = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Await.result(redis.zcard(RedisKeys.outboxIndex())).toLong() > 0 && System.nanoTime() < settle) {
                Thread.sleep(5);
            }
            Await.result(workerVertx.close());
            long left = Await.result(redis.zcard(RedisKeys.outboxIndex())).toLong();

            String report = String.format("outbox delivery: %,d events (%,d people x %d) in %.2f s = %,.0f events/s "
                            + "(concurrency %d, filled in %.1f s, bad signatures %d, people left in the index %d, cores %d)%n",
                    ids.size(), PEOPLE, EVENTS, seconds, ids.size() / seconds, CONCURRENCY, fillSeconds, bad.get(), left,
                    Runtime.getRuntime().availableProcessors());
            System.out.print(report);
            Files.writeString(Path.of("target", "benchmark-outbox.txt"), report);
            assertThat(ids).as("every event delivered within %d s", TIMEOUT_S).hasSize((int) total);
            assertThat(bad.get()).isZero();
            assertThat(left).as("people left in the outbox index").isZero();
        } finally {
            Await.result(vertx.close());
        }
    }
}
