package org.careline.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class FakeWeChatPlatformTest {

    private static final String APP_ID = "wx-fake-app";
    private static final String SECRET = "fake-secret-0123456789";

    private Vertx vertx;
    private WebClient http;
    private MutableClock clock;
    private FakeWeChatPlatform platform;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = WebClient.create(vertx);
        clock = new MutableClock(Instant.parse("2026-03-02T01:00:00Z"));
        platform = new FakeWeChatPlatform(vertx, APP_ID, SECRET, clock);
        await(platform.listen(0));
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
    }

    @ParameterizedTest(name = "{0} = \"{1}\" is refused with 47003")
    @DisplayName("A template field breaking the since-2023 limits is refused with 47003 and nothing is sent")
    @CsvSource({
            "thing1, 这是一个超过二十个字符的事项名称用来测试长度限制",
            "character_string2, ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456",
            "character_string2, 编号A-17",
            "phrase3, 六个汉字太长"
    })
    void templateFieldOverLimit(String field, String value) throws Exception {
        JsonObject answer = post(FakeWeChatPlatform.TEMPLATE_SEND, token(), template("o-user", field, value, null));

        assertThat(answer.getInteger("errcode")).isEqualTo(47003);
        assertThat(answer.getString("errmsg")).contains("data." + field + ".value");
        assertThat(platform.sent()).isEmpty();
    }

    @ParameterizedTest(name = "{0} = \"{1}\" is accepted")
    @DisplayName("A template field at its limit is accepted and recorded")
    @CsvSource({
            "thing1, 二十个字符的事项名称正好等于二十个字符啊",
            "character_string2, ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
            "phrase3, 五个汉字呀"
    })
    void templateFieldAtLimit(String field, String value) throws Exception {
        JsonObject answer = post(FakeWeChatPlatform.TEMPLATE_SEND, token(), template("o-user", field, value, null));

        assertThat(answer.getInteger("errcode")).isZero();
        assertThat(answer.getString("errmsg")).isEqualTo("ok");
        assertThat(answer.getLong("msgid")).isPositive();
        assertThat(platform.sentTo("o-user")).singleElement()
                .satisfies(sent -> assertThat(sent.data()).containsEntry(field, value));
    }

    @Test
    @DisplayName("The same client_msg_id to the same user within 10 minutes sends one message")
    void clientMsgIdDeduplicates() throws Exception {
        String token = token();
        JsonObject first = post(FakeWeChatPlatform.TEMPLATE_SEND, token, template("o-user", "thing1", "探访提醒", "case-7"));
        clock.advance(Duration.ofMinutes(9));
        JsonObject again = post(FakeWeChatPlatform.TEMPLATE_SEND, token, template("o-user", "thing1", "探访提醒", "case-7"));

        assertThat(again.getInteger("errcode")).isZero();
        assertThat(again.getLong("msgid")).isEqualTo(first.getLong("msgid"));
        assertThat(platform.sentTo("o-user")).hasSize(1);
    }

    @Test
    @DisplayName("The same client_msg_id sends again to another user, or after 10 minutes")
    void clientMsgIdScope() throws Exception {
        String token = token();
        post(FakeWeChatPlatform.TEMPLATE_SEND, token, template("o-user", "thing1", "探访提醒", "case-7"));
        post(FakeWeChatPlatform.TEMPLATE_SEND, token, template("o-other", "thing1", "探访提醒", "case-7"));
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        post(FakeWeChatPlatform.TEMPLATE_SEND, token, template("o-user", "thing1", "探访提醒", "case-7"));

        assertThat(platform.sentTo("o-user")).hasSize(2);
        assertThat(platform.sentTo("o-other")).hasSize(1);
    }

    @Test
    @DisplayName("A stable token stays the same in normal mode, and force_refresh replaces it")
    void stableTokenModes() throws Exception {
        String first = token();
        String same = token();
        String forced = post(FakeWeChatPlatform.STABLE_TOKEN, null, credentials(SECRET).put("force_refresh", true))
                .getString("access_token");

        assertThat(same).isEqualTo(first);
        assertThat(forced).isNotEqualTo(first);
        assertThat(post(FakeWeChatPlatform.CUSTOM_SEND, first, text("o-user", "你好")).getInteger("errcode"))
                .isEqualTo(40001);
        assertThat(post(FakeWeChatPlatform.CUSTOM_SEND, forced, text("o-user", "你好")).getInteger("errcode"))
                .isZero();
        assertThat(platform.tokenCalls()).isEqualTo(3);
    }

    @Test
    @DisplayName("A wrong secret gets no token")
    void wrongSecret() throws Exception {
        JsonObject answer = post(FakeWeChatPlatform.STABLE_TOKEN, null, credentials("not-the-secret"));

        assertThat(answer.getInteger("errcode")).isEqualTo(40125);
        assertThat(answer.containsKey("access_token")).isFalse();
    }

    @Test
    @DisplayName("After expireTokens every issued token gets 40001 until a new one is fetched")
    void expiredTokens() throws Exception {
        String old = token();
        platform.expireTokens();

        assertThat(post(FakeWeChatPlatform.CUSTOM_SEND, old, text("o-user", "你好")).getInteger("errcode"))
                .isEqualTo(40001);
        assertThat(post(FakeWeChatPlatform.CUSTOM_SEND, token(), text("o-user", "你好")).getInteger("errcode"))
                .isZero();
        assertThat(platform.sentTo("o-user")).singleElement()
                .satisfies(sent -> assertThat(sent.text()).isEqualTo("你好"));
    }

    @Test
    @DisplayName("An injected error answers the next call of its path once, then the path works again")
    void injectedError() throws Exception {
        String token = token();
        platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, 45015, "response out of time limit or subscription is canceled");

        assertThat(post(FakeWeChatPlatform.CUSTOM_SEND, token, text("o-user", "一")).getInteger("errcode"))
                .isEqualTo(45015);
        assertThat(post(FakeWeChatPlatform.CUSTOM_SEND, token, text("o-user", "二")).getInteger("errcode"))
                .isZero();
        assertThat(platform.calls(FakeWeChatPlatform.CUSTOM_SEND)).isEqualTo(2);
        assertThat(platform.sentTo("o-user")).extracting(FakeWeChatPlatform.SentMessage::text).containsExactly("二");
    }

    @Test
    @DisplayName("The router mounted under a prefix answers there")
    void mountedUnderPrefix() throws Exception {
        io.vertx.ext.web.Router root = io.vertx.ext.web.Router.router(vertx);
        root.route("/sandbox/wechat-api/*").subRouter(platform.router());
        int port = await(vertx.createHttpServer().requestHandler(root).listen(0)).actualPort();

        JsonObject answer = await(http.post(port, "127.0.0.1", "/sandbox/wechat-api" + FakeWeChatPlatform.STABLE_TOKEN)
                .sendJsonObject(credentials(SECRET))).bodyAsJsonObject();

        assertThat(answer.getString("access_token")).startsWith("FAKE");
        assertThat(answer.getInteger("expires_in")).isEqualTo(7200);
    }

    private String token() throws Exception {
        return post(FakeWeChatPlatform.STABLE_TOKEN, null, credentials(SECRET)).getString("access_token");
    }

    private static JsonObject credentials(String secret) {
        return new JsonObject().put("grant_type", "client_credential").put("appid", APP_ID).put("secret", secret);
    }

    private static JsonObject text(String openid, String content) {
        return new JsonObject().put("touser", openid).put("msgtype", "text")
                .put("text", new JsonObject().put("content", content));
    }

    private static JsonObject template(String openid, String field, String value, String clientMsgId) {
        JsonObject body = new JsonObject().put("touser", openid).put("template_id", "tpl-visit")
                .put("data", new JsonObject().put(field, new JsonObject().put("value", value)));
        return clientMsgId == null ? body : body.put("client_msg_id", clientMsgId);
    }

    private JsonObject post(String path, String token, JsonObject body) throws Exception {
        String uri = token == null ? path : path + "?access_token=" + token;
        return await(http.post(platform.port(), "127.0.0.1", uri).sendJsonObject(body)).bodyAsJsonObject();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A clock the test moves by hand, for the 10-minute dedup window. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
