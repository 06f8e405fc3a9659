package org.careline.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.careline.redis.RedisServerProcess;
import org.careline.testing.Await;
import org.careline.testing.TestRedis;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.embedded.core.ExecutableProvider;

/**
 * A signed URL's timestamp+nonce against a real Redis: the first body is remembered, the same body again (WeChat's
 * retry) passes, another body is refused — with the one-command check of Redis 7 and with the script Redis 6.2
 * (the old bundled binary) falls back to.
 */
class NonceLedgerIT {

    /** Runs the ledger's cases; answers Redis's command statistics afterwards. */
    private static String holdsTheLedger(String url) {
        Vertx vertx = Vertx.vertx();
        try {
            RedisAPI api = RedisAPI.api(Redis.createClient(vertx, url));
            NonceLedger ledger = new NonceLedger(api, Clock.systemUTC(), Duration.ofMinutes(5));
            String ts = Long.toString(System.currentTimeMillis() / 1000);
            byte[] first = "<xml>first</xml>".getBytes(StandardCharsets.UTF_8);
            byte[] other = "<xml>other</xml>".getBytes(StandardCharsets.UTF_8);
            for (int round = 0; round < 2; round++) {
                String nonce = "n" + round + "-" + System.nanoTime();
                assertThat(Await.result(ledger.firstUseOrRetry(ts, nonce, first))).as("first use").isTrue();
                assertThat(Await.result(ledger.firstUseOrRetry(ts, nonce, first))).as("a retry").isTrue();
                assertThat(Await.result(ledger.firstUseOrRetry(ts, nonce, other))).as("another body").isFalse();
                assertThat(Await.result(ledger.firstUseOrRetry(ts, nonce, first))).as("the first body still").isTrue();
            }
            String anyKey = Await.result(api.keys("*nonce*")).get(0).toString();
            long ttl = Await.result(api.pttl(anyKey)).toLong();
            assertThat(ttl).as("remembered until the timestamp would be refused anyway").isBetween(1_000L, 302_000L);
            return Await.result(api.info(List.of("commandstats"))).toString();
        } finally {
            Await.result(vertx.close());
        }
    }

    @Test
    @DisplayName("Redis 7 (from PATH): one SET NX GET per callback")
    void currentRedis() {
        try (TestRedis redis = TestRedis.start()) {
            String stats = holdsTheLedger(redis.url());
            assertThat(stats).contains("cmdstat_set:").doesNotContain("cmdstat_eval");
        }
    }

    @Test
    @DisplayName("Redis 6.2 (the bundled binary), which refuses NX with GET: the script, with the same answers")
    void oldRedis() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "redis62-");
        int port = RedisServerProcess.freePort();
        Process p = new ProcessBuilder(ExecutableProvider.newJarResourceProvider().get().getAbsolutePath(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        try {
            for (int i = 0; i < 100 && !Files.readString(dir.resolve("log")).contains("Ready to accept"); i++) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(dir.resolve("log"))).contains("6.2.");
            assertThat(holdsTheLedger("redis://127.0.0.1:" + port)).contains("cmdstat_eval");
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
