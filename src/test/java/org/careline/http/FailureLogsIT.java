package org.careline.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import org.careline.privacy.Redaction;
import org.careline.redis.RedisServerProcess;
import org.careline.sandbox.FakeWeChatPlatform;
import org.careline.testing.Await;
import org.careline.testing.RunningCareLine;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What the operator's log shows when an admin call fails: the person as a hashed handle, never the openid. */
class FailureLogsIT {

    static final String ADMIN_TOKEN = "failure-logs-admin";

    RedisServerProcess redis;
    Vertx vertx;
    RunningCareLine careline;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @AfterEach
    void stop() {
        root.detachAppender(logs);
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

    @Test
    @DisplayName("Admin calls that fail (Redis down, 503) log the path and failure with the openid hashed")
    void adminFailureLogsNoOpenid() throws Exception {
        redis = RedisServerProcess.start(0, Files.createTempDirectory(Path.of("target"), "failure-logs-"), false);
        vertx = Vertx.vertx();
        FakeWeChatPlatform platform = new FakeWeChatPlatform(vertx, "wxfailurelogs001", "failure-logs-secret");
        Await.result(platform.listen(0));
        careline = RunningCareLine.start(Map.of(
                "CARELINE_REDIS_URL", redis.url(),
                "CARELINE_WECHAT_APP_ID", "wxfailurelogs001",
                "CARELINE_WECHAT_SECRET", "failure-logs-secret",
                "CARELINE_WECHAT_TOKEN", "failure-logs-token",
                "CARELINE_WECHAT_API_HOST", "http://127.0.0.1:" + platform.port(),
                "CARELINE_ADMIN_TOKEN", ADMIN_TOKEN));
        redis.close();
        redis = null;
        logs.start();
        root.addAppender(logs);

        String openid = "oFailureLogs" + UUID.randomUUID().toString().replace("-", "");
        WeChatClient admin = new WeChatClient(careline.adminUrl(), "unused", null);
        var lookup = admin.rawWithHeader("GET", "/api/admin/conversations/" + openid, "Authorization", "Bearer " + ADMIN_TOKEN);
        assertThat(lookup.status()).isEqualTo(503);
        var erase = admin.rawWithHeader("DELETE", "/api/admin/people/" + openid, "Authorization", "Bearer " + ADMIN_TOKEN, "");
        assertThat(erase.status()).isEqualTo(503);

        Await.until(java.time.Duration.ofSeconds(5), "both failures logged", () -> logs.list.stream()
                .filter(e -> e.getLoggerName().equals(Failures.class.getName())).count() >= 2);
        assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(openid));
        assertThat(logs.list.stream().filter(e -> e.getLoggerName().equals(Failures.class.getName())))
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains(Redaction.openid(openid)));
    }
}
