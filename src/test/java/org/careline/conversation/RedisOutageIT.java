package org.careline.conversation;

import io.vertx.core.Vertx;
import org.careline.redis.RedisServerProcess;
import org.careline.sandbox.FakeWeChatPlatform;
import org.careline.testing.Await;
import org.careline.testing.RunningCareLine;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Redis going away and coming back: the service says so, stays up, and loses no conversation. */
class RedisOutageIT {

    static final String TOKEN = "outage-token";
    static final AtomicLong MSG_IDS = new AtomicLong(9_100_000_000L);

    RedisServerProcess redis;
    Vertx vertx;
    RunningCareLine careline;

    @AfterEach
    void stop() {
        if (careline != null) {
            careline.close();
        }
        if (vertx != null) {
            Await.result(vertx.close());
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** A Redis of this test's own (it is stopped and restarted), a fake WeChat, and CareLine on both. */
    private Path startAll(String name) throws java.io.IOException {
        Path dir = Files.createTempDirectory(Path.of("target"), name);
        redis = RedisServerProcess.start(0, dir, true);
        vertx = Vertx.vertx();
        FakeWeChatPlatform platform = new FakeWeChatPlatform(vertx, "wxoutage0000001", "outage-secret");
        Await.result(platform.listen(0));
        careline = RunningCareLine.start(Map.of(
                "CARELINE_REDIS_URL", redis.url(),
                "CARELINE_WECHAT_APP_ID", "wxoutage0000001",
                "CARELINE_WECHAT_SECRET", "outage-secret",
                "CARELINE_WECHAT_TOKEN", TOKEN,
                "CARELINE_WECHAT_API_HOST", "http://127.0.0.1:" + platform.port()));
        return dir;
    }

    @Test
    @DisplayName("A Redis that stalls for a few seconds and wakes up: the message is processed on WeChat's retry, not lost")
    void stall() throws Exception {
        Path dir = startAll("stall-");
        WeChatClient wechat = new WeChatClient(careline.publicUrl(), TOKEN, null);
        String openid = "o-stall-1";
        assertThat(wechat.replyText(wechat.post(WeChatClient.text(openid, "我想申请帮助", MSG_IDS.incrementAndGet()))))
                .contains("同意");

        String xml = WeChatClient.text(openid, "同意", MSG_IDS.incrementAndGet());
        redis.pause();
        try {
            // No answer within WeChat's 5 seconds: WeChat will retry.
            assertThat(wechat.post(xml).status()).isEqualTo(503);
        } finally {
            redis.resume();
        }
        // The commands queued during the stall now run, the late lease among them; the retry still goes through.
        assertThat(wechat.replyText(wechat.post(xml))).contains("怎么称呼");
    }

    @Test
    @DisplayName("While Redis is down readiness fails and a message gets a plain 'busy' answer; afterwards the conversation goes on")
    void outage() throws Exception {
        Path dir = startAll("outage-");
        int port = redis.port();
        WeChatClient wechat = new WeChatClient(careline.publicUrl(), TOKEN, null);
        WeChatClient admin = new WeChatClient(careline.adminUrl(), TOKEN, null);
        String openid = "o-outage-1";

        assertThat(wechat.replyText(wechat.post(WeChatClient.text(openid, "我想申请帮助", MSG_IDS.incrementAndGet()))))
                .contains("同意");

        redis.close();
        Await.until(Duration.ofSeconds(10), "readiness reports Redis down",
                () -> admin.raw("GET", "/health/ready", null).status() == 503);
        // A fresh message is not answered within WeChat's 5 seconds, so that WeChat retries it.
        String xml = WeChatClient.text(openid, "同意", MSG_IDS.incrementAndGet());
        long t0 = System.nanoTime();
        var during = wechat.post(xml);
        assertThat(during.status()).isEqualTo(503);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofSeconds(5));
        // WeChat's last retry (the message is 15 s old) gets a plain answer: send it again later.
        var lastRetry = wechat.post(WeChatClient.text(openid, "你好", MSG_IDS.incrementAndGet(),
                Instant.now().getEpochSecond() - 15));
        assertThat(lastRetry.status()).isEqualTo(200);
        assertThat(wechat.replyText(lastRetry)).contains("再发一次");
        assertThat(wechat.raw("GET", "/health", null).status()).isEqualTo(200);

        redis = RedisServerProcess.start(port, dir, true);
        Await.until(Duration.ofSeconds(15), "readiness reports Redis up",
                () -> admin.raw("GET", "/health/ready", null).status() == 200);
        // WeChat retries the same message: now it is processed, at the right question.
        assertThat(wechat.replyText(wechat.post(xml))).contains("怎么称呼");
    }
}
