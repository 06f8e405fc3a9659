package org.careline.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.careline.testing.Await;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.careline.wechat.WeChatSignature;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load on the whole message path: many people walking through the help-request questions at once, each
 * message a signed {@code POST /wechat} over loopback HTTP to one CareLine instance with a real Redis.
 * Not part of the normal test run (the name ends in Benchmark); run it with
 * {@code mvn -q test -Dtest=CallbackLoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Bounded: {@code USERS × SCRIPT} requests, and it stops after {@code MAX_SECONDS} whatever happens.
 */
class CallbackLoadBenchmark {

    static final int USERS = Integer.getInteger("bench.users", 400);
    static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 64);
    static final int MAX_SECONDS = 120;
    static final String TOKEN = "bench-token";
    static final List<String> SCRIPT = List.of("我想申请帮助", "同意", "王女士", "1", "1", "1", "宝宝贫血，奶粉钱交不起", "不用了",
            "凤凰街道", "园林社区", "1", "2", "13812345678", "对的", "菜单");

    @Test
    @DisplayName("Benchmark: people completing help requests concurrently through POST /wechat")
    void load() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (TestAccount account = TestAccount.start("wxbench00000001", TOKEN)) {
            try (RunningCareLine careline = account.startCareLine(Map.of())) {
                WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
                        new PoolOptions().setHttp1MaxSize(CONCURRENCY));
                // Warm-up: JIT, connections, Lua script cache.
                run(vertx, client, careline.publicPort(), 40, "warm");
                Result r = run(vertx, client, careline.publicPort(), USERS, "bench");
                String report = String.format(
                        "CallbackLoadBenchmark: %d people x %d messages = %d requests, concurrency %d, in %.2f s%n"
                                + "  throughput %.0f messages/s; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n"
                                + "  passive replies %d, 'success' %d, errors %d, cases opened %d%n",
                        USERS, SCRIPT.size(), r.latenciesNanos.size(), CONCURRENCY, r.seconds,
                        r.latenciesNanos.size() / r.seconds, pct(r, 50), pct(r, 95), pct(r, 99), pct(r, 100),
                        r.passive.get(), r.success.get(), r.errors.get(), r.cases.get());
                System.out.print(report);
                Files.createDirectories(Path.of("target"));
                Files.writeString(Path.of("target/benchmark-callback.txt"), report);
                assertThat(r.errors.get()).isZero();
                assertThat(r.cases.get()).isEqualTo(USERS);
            }
        } finally {
            Await.result(vertx.close());
        }
    }

    record Result(List<Long> latenciesNanos, double seconds, AtomicInteger passive, AtomicInteger success,
                  AtomicInteger errors, AtomicInteger cases) {}

    static double pct(Result r, int p) {
        List<Long> sorted = new ArrayList<>(r.latenciesNanos);
        Collections.sort(sorted);
        int i = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }

    /** Each person sends the script in order (one message after the previous reply); people run in parallel. */
    static Result run(Vertx vertx, WebClient client, int port, int users, String prefix) {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Result result = new Result(latencies, 0, new AtomicInteger(), new AtomicInteger(), new AtomicInteger(),
                new AtomicInteger());
        AtomicLong msgIds = new AtomicLong(System.nanoTime());
        AtomicInteger next = new AtomicInteger();
        long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;
        long t0 = System.nanoTime();
        List<Future<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < Math.min(CONCURRENCY, users); lane++) {
            lanes.add(lane(vertx, client, port, users, prefix, next, msgIds, result, deadline));
        }
        Await.result(Future.all(lanes));
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(latencies, seconds, result.passive, result.success, result.errors, result.cases);
    }

    static Future<Void> lane(Vertx vertx, WebClient client, int port, int users, String prefix, AtomicInteger next,
                             AtomicLong msgIds, Result result, long deadline) {
        int user = next.getAndIncrement();
        if (user >= users || System.nanoTime() > deadline) {
            return Future.succeededFuture();
        }
        String openid = "o-" + prefix + "-" + user + "-" + System.nanoTime();
        Future<Void> chain = Future.succeededFuture();
        for (String text : SCRIPT) {
            chain = chain.compose(v -> send(client, port, openid, text, msgIds.incrementAndGet(), result));
        }
        return chain.compose(v -> lane(vertx, client, port, users, prefix, next, msgIds, result, deadline));
    }

    static Future<Void> send(WebClient client, int port, String openid, String text, long msgId, Result result) {
        String ts = Long.toString(Instant.now().getEpochSecond());
        String nonce = Long.toString(msgId);
        long start = System.nanoTime();
        return client.post(port, "127.0.0.1", "/wechat")
                .addQueryParam("signature", WeChatSignature.sign(TOKEN, ts, nonce))
                .addQueryParam("timestamp", ts)
                .addQueryParam("nonce", nonce)
                .timeout(10_000)
                .sendBuffer(Buffer.buffer(WeChatClient.text(openid, text, msgId)))
                .map(r -> {
                    result.latenciesNanos().add(System.nanoTime() - start);
                    String body = r.bodyAsString();
                    if (r.statusCode() != 200) {
                        result.errors().incrementAndGet();
                    } else if ("success".equals(body)) {
                        result.success().incrementAndGet();
                    } else {
                        result.passive().incrementAndGet();
                        if (body.contains("已收到您的求助")) {
                            result.cases().incrementAndGet();
                        }
                    }
                    return (Void) null;
                })
                .recover(e -> {
                    result.errors().incrementAndGet();
                    return Future.succeededFuture();
                });
    }
}
