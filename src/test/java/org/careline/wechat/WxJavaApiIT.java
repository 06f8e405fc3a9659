package org.careline.wechat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.careline.sandbox.FakeWeChatPlatform;
import org.careline.sandbox.FakeWeChatPlatform.SentMessage;
import org.careline.wechat.WeChatApi.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WxJavaApiIT {

    private static final String APP_ID = "wx-careline-test";
    private static final String SECRET = "s3cret-careline-test-0123456789";
    private static final String OPENID = "o-family-1";

    private Vertx vertx;
    private FakeWeChatPlatform platform;
    private WxJavaApi api;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        platform = new FakeWeChatPlatform(vertx, APP_ID, SECRET);
        await(platform.listen(0));
        api = new WxJavaApi(vertx, new WxJavaApi.Settings(APP_ID, SECRET,
                "http://127.0.0.1:" + platform.port() + "/", 8, 3, Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
        await(vertx.close());
    }

    @Test
    @DisplayName("A customer-service text is sent and WeChat records it for the user")
    void sendText() throws Exception {
        assertThat(await(api.sendText(OPENID, "您的求助已收到，工作人员会尽快联系您。"))).isEqualTo(SendResult.SENT);

        assertThat(platform.sentTo(OPENID)).singleElement().satisfies(sent -> {
            assertThat(sent.type()).isEqualTo("text");
            assertThat(sent.text()).isEqualTo("您的求助已收到，工作人员会尽快联系您。");
        });
        assertThat(platform.calls(FakeWeChatPlatform.STABLE_TOKEN)).isEqualTo(1);
    }

    @Test
    @DisplayName("When the access token expires mid-run, one fresh token is fetched and the send goes through")
    void tokenExpiredMidRun() throws Exception {
        await(api.sendText(OPENID, "第一条"));
        int tokenCallsBefore = platform.tokenCalls();
        platform.expireTokens();

        assertThat(await(api.sendText(OPENID, "第二条"))).isEqualTo(SendResult.SENT);

        assertThat(platform.tokenCalls()).isEqualTo(tokenCallsBefore + 1);
        assertThat(platform.calls(FakeWeChatPlatform.CUSTOM_SEND)).isEqualTo(3);
        assertThat(platform.sentTo(OPENID)).extracting(SentMessage::text).containsExactly("第一条", "第二条");
    }

    @Test
    @DisplayName("One instance recovering from 40001 leaves another instance's token valid")
    void tokenRecoveryKeepsOtherInstancesWorking() throws Exception {
        WxJavaApi otherInstance = new WxJavaApi(vertx, new WxJavaApi.Settings(APP_ID, SECRET,
                "http://127.0.0.1:" + platform.port()));
        try {
            await(api.sendText(OPENID, "一"));
            await(otherInstance.sendText(OPENID, "二"));
            platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, 40001, "invalid credential");

            assertThat(await(api.sendText(OPENID, "三"))).isEqualTo(SendResult.SENT);
            assertThat(await(otherInstance.sendText(OPENID, "四"))).isEqualTo(SendResult.SENT);

            // A force_refresh would have invalidated the other instance's token and cost it a 40001.
            assertThat(platform.calls(FakeWeChatPlatform.CUSTOM_SEND)).isEqualTo(5);
            assertThat(platform.tokenCalls()).isEqualTo(3);
            assertThat(platform.issuedTokens()).hasSize(1);
        } finally {
            otherInstance.close();
        }
    }

    @Test
    @DisplayName("A token rejected twice in a row is retried only once and then fails with the errcode")
    void tokenRejectedTwice() throws Exception {
        await(api.sendText(OPENID, "第一条"));
        platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, 40001, "invalid credential");
        platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, 40001, "invalid credential");

        assertThatThrownBy(() -> await(api.sendText(OPENID, "第二条")))
                .cause().isInstanceOf(WeChatApiException.class)
                .hasMessageContaining("errcode 40001");
        assertThat(platform.calls(FakeWeChatPlatform.CUSTOM_SEND)).isEqualTo(3);
    }

    @Test
    @DisplayName("WeChat busy twice, then free: the send is retried and delivered once")
    void busyThenSuccess() throws Exception {
        platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, -1, "system error");
        platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, -1, "system error");

        assertThat(await(api.sendText(OPENID, "你好"))).isEqualTo(SendResult.SENT);

        assertThat(platform.calls(FakeWeChatPlatform.CUSTOM_SEND)).isEqualTo(3);
        assertThat(platform.sentTo(OPENID)).hasSize(1);
    }

    @Test
    @DisplayName("WeChat busy more often than the retry limit: the send fails with errcode -1")
    void busyBeyondLimit() throws Exception {
        for (int i = 0; i < 4; i++) {
            platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, -1, "system error");
        }

        assertThatThrownBy(() -> await(api.sendText(OPENID, "你好")))
                .cause().isInstanceOfSatisfying(WeChatApiException.class,
                        failure -> assertThat(failure.errcode()).isEqualTo(-1));
        assertThat(platform.calls(FakeWeChatPlatform.CUSTOM_SEND)).isEqualTo(4);
        assertThat(platform.sent()).isEmpty();
    }

    @ParameterizedTest(name = "errcode {0} -> {1}")
    @DisplayName("WeChat's business refusals come back as send results, not failures")
    @CsvSource({
            "45015, OUTSIDE_WINDOW",
            "45047, QUOTA_USED",
            "45009, QUOTA_USED",
            "43004, NOT_FOLLOWING",
            "45002, REJECTED"
    })
    void businessRefusals(int errcode, SendResult expected) throws Exception {
        platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, errcode, "refused");

        assertThat(await(api.sendText(OPENID, "你好"))).isEqualTo(expected);
        assertThat(platform.sent()).isEmpty();
    }

    @Test
    @DisplayName("An unexpected errcode fails the future with the errcode in the message")
    void unexpectedErrcode() throws Exception {
        platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, 40164, "invalid ip 1.2.3.4, not in whitelist");

        assertThatThrownBy(() -> await(api.sendText(OPENID, "你好")))
                .cause().isInstanceOf(WeChatApiException.class)
                .hasMessageContaining("errcode 40164")
                .hasMessageContaining("message/custom/send");
    }

    @Test
    @DisplayName("A template message with a thing field over 20 characters is rejected")
    void templateTooLong() throws Exception {
        Map<String, String> data = Map.of("thing1", "这是一个超过二十个字符的事项名称用来测试长度限制");

        assertThat(await(api.sendTemplate(OPENID, "tpl-visit", null, data, "case-1-status-2")))
                .isEqualTo(SendResult.REJECTED);
        assertThat(platform.sent()).isEmpty();
    }

    @Test
    @DisplayName("A template message is recorded with its data, and a repeated client_msg_id sends it once")
    void templateSent() throws Exception {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("thing1", "临时救助申请");
        data.put("character_string2", "CL-2026-0042");
        data.put("phrase3", "已受理");

        assertThat(await(api.sendTemplate(OPENID, "tpl-status", "https://example.org/c/42", data, "case-42-s1")))
                .isEqualTo(SendResult.SENT);
        assertThat(await(api.sendTemplate(OPENID, "tpl-status", "https://example.org/c/42", data, "case-42-s1")))
                .isEqualTo(SendResult.SENT);

        assertThat(platform.sentTo(OPENID)).singleElement().satisfies(sent -> {
            assertThat(sent.type()).isEqualTo("template");
            assertThat(sent.templateId()).isEqualTo("tpl-status");
            assertThat(sent.data()).containsExactlyEntriesOf(data);
        });
    }

    @Test
    @DisplayName("The menu is created from its JSON definition")
    void createMenu() throws Exception {
        JsonObject menu = new JsonObject("""
                {"button":[
                  {"type":"click","name":"我要求助","key":"help-request"},
                  {"name":"更多","sub_button":[
                    {"type":"click","name":"进度查询","key":"case-status"},
                    {"type":"click","name":"联系工作人员","key":"talk-to-staff"}]}]}
                """);

        assertThat(await(api.createMenu(menu.encode()))).isEqualTo(SendResult.SENT);

        assertThat(platform.menu()).contains(menu);
    }

    @Test
    @DisplayName("Typing is shown and cleared in the user's chat")
    void typing() throws Exception {
        assertThat(await(api.typing(OPENID, true))).isEqualTo(SendResult.SENT);
        assertThat(platform.typingState(OPENID)).contains("Typing");

        assertThat(await(api.typing(OPENID, false))).isEqualTo(SendResult.SENT);
        assertThat(platform.typingState(OPENID)).contains("CancelTyping");
    }

    @Test
    @DisplayName("Twenty slow sends run side by side off the event loop, which keeps firing its timers on time")
    void eventLoopStaysResponsive() throws Exception {
        long slowAnswerMs = 300;
        platform.respondAfter(Duration.ofMillis(slowAnswerMs));
        Context context = vertx.getOrCreateContext();
        CompletableFuture<long[]> outcome = new CompletableFuture<>();  // {elapsed ms, worst timer gap ms}

        context.runOnContext(started -> {
            long start = System.nanoTime();
            long[] lastTick = {start};
            long[] worstGap = {0};
            long ticker = vertx.setPeriodic(10, tick -> {
                long now = System.nanoTime();
                worstGap[0] = Math.max(worstGap[0], now - lastTick[0]);
                lastTick[0] = now;
            });
            List<Future<SendResult>> sends = IntStream.range(0, 20)
                    .mapToObj(i -> api.sendText("o-user-" + i, "第" + i + "条"))
                    .toList();
            Future.all(sends).onComplete(all -> {
                vertx.cancelTimer(ticker);
                if (all.failed() || !Context.isOnEventLoopThread()) {
                    outcome.completeExceptionally(new AssertionError("sends failed or completed off the loop", all.cause()));
                    return;
                }
                outcome.complete(new long[]{
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                        TimeUnit.NANOSECONDS.toMillis(worstGap[0])});
            });
        });
        long[] measured = outcome.get(20, TimeUnit.SECONDS);

        assertThat(platform.sent()).hasSize(20);
        // One blocking call on the loop would stall its timers for a whole slow answer.
        assertThat(measured[1]).as("worst gap between 10 ms ticks").isLessThan(slowAnswerMs - 100);
        // One at a time (an ordered executor) would take 20 slow answers; 8 workers take about 4.
        assertThat(measured[0]).as("elapsed ms for 20 sends").isLessThan(20 * slowAnswerMs / 2);
    }

    @Test
    @DisplayName("No log line or exception message carries the access token or the app secret")
    void noSecretsInLogs() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger careline = (Logger) LoggerFactory.getLogger("org.careline");
        // As logback.xml must set them: WxJava's warnings print request URLs with the token, and
        // Apache HttpClient's DEBUG header and wire logs print the URL, and the secret in the body.
        Logger wxJava = (Logger) LoggerFactory.getLogger("me.chanjar.weixin");
        Logger httpClient = (Logger) LoggerFactory.getLogger("org.apache.http");
        Level carelineBefore = careline.getLevel();
        Level wxJavaBefore = wxJava.getLevel();
        Level httpClientBefore = httpClient.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        careline.setLevel(Level.DEBUG);
        wxJava.setLevel(Level.ERROR);
        httpClient.setLevel(Level.INFO);
        List<String> texts = new ArrayList<>();
        try {
            await(api.sendText(OPENID, "你好"));
            platform.expireTokens();
            await(api.sendText(OPENID, "再次你好"));
            platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, -1, "system error");
            await(api.sendText(OPENID, "忙后重试"));
            platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, 40164,
                    "invalid ip, not in whitelist, access_token=" + platform.issuedTokens().iterator().next());
            texts.add(failureMessage(api.sendText(OPENID, "白名单")));
            platform.failNext(FakeWeChatPlatform.STABLE_TOKEN, 40125, "invalid appsecret");
            platform.expireTokens();
            texts.add(failureMessage(api.sendText(OPENID, "密钥错误")));
        } finally {
            root.detachAppender(captured);
            careline.setLevel(carelineBefore);
            wxJava.setLevel(wxJavaBefore);
            httpClient.setLevel(httpClientBefore);
        }
        for (ILoggingEvent event : captured.list) {
            texts.add(event.getFormattedMessage());
            for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                texts.add(thrown.getMessage());
            }
        }

        assertThat(texts).anySatisfy(text -> assertThat(text).contains("errcode 40164"));
        assertThat(platform.issuedTokens()).hasSizeGreaterThanOrEqualTo(2);
        for (String token : platform.issuedTokens()) {
            assertThat(texts).noneSatisfy(text -> assertThat(text).contains(token));
        }
        assertThat(texts).noneSatisfy(text -> assertThat(text).contains(SECRET));
    }

    @Test
    @DisplayName("The settings print without the app secret")
    void settingsHideSecret() {
        assertThat(new WxJavaApi.Settings(APP_ID, SECRET, "https://api.weixin.qq.com").toString())
                .doesNotContain(SECRET)
                .contains(APP_ID);
    }

    private static String failureMessage(Future<?> future) throws Exception {
        try {
            await(future);
            throw new AssertionError("expected a failure");
        } catch (ExecutionException failed) {
            return failed.getCause().getMessage();
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
