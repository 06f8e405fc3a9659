package org.careline.conversation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.redis.RedisKeys;
import org.careline.testing.Await;
import org.careline.testing.OutboxEvents;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An alarm through the real {@code POST /wechat} and a real Redis, read back the way staff and the back office
 * see it: the conversation lookup, the list of open alarms, and the events in the person's outbox.
 */
class AlarmIT {

    static final String TOKEN = "alarm-it-token";
    static final String ADMIN_TOKEN = "alarm-it-admin-token-0123456789";
    static final AtomicLong MSG_IDS = new AtomicLong(9_100_000_000L);

    static TestAccount account;
    static RedisAPI redis;

    RunningCareLine careline;
    WeChatClient wechat;
    WeChatClient admin;

    @BeforeAll
    static void startShared() {
        account = TestAccount.start("wxalarmit", TOKEN);
        redis = account.redis();
    }

    @AfterAll
    static void stopShared() {
        if (account != null) {
            account.close();
        }
    }

    @BeforeEach
    void start() {
        careline = account.startCareLine(Map.of("CARELINE_ADMIN_TOKEN", ADMIN_TOKEN));
        wechat = new WeChatClient(careline.publicUrl(), TOKEN, null);
        admin = new WeChatClient(careline.adminUrl(), TOKEN, null);
    }

    @AfterEach
    void stop() {
        if (careline != null) {
            careline.close();
        }
    }

    static String openid() {
        return "o-alarm-" + UUID.randomUUID();
    }

    String say(String openid, String text) {
        return wechat.replyText(wechat.post(WeChatClient.text(openid, text, MSG_IDS.incrementAndGet())));
    }

    JsonObject adminGet(String path) {
        var r = admin.rawWithHeader("GET", path, "Authorization", "Bearer " + ADMIN_TOKEN);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    /** The events in the person's outbox, oldest first, as {type, data}. */
    List<JsonObject> events(String openid) {
        return OutboxEvents.of(redis, openid);
    }

    @Test
    @DisplayName("A child beaten, then 结束人工: the lookup still shows the open urgent alarm; what is added later reaches it")
    void alarmOutlivesLeavingStaff() {
        String openid = openid();
        assertThat(say(openid, "孩子被打伤了")).contains("110").contains("报警了吗");
        JsonObject during = adminGet("/api/admin/conversations/" + openid);
        assertThat(during.getString("role")).isEqualTo("family");
        assertThat(during.getJsonObject("escalation").getBoolean("urgent")).isTrue();
        assertThat(during.getJsonObject("escalation").getString("reason")).contains("儿童");

        assertThat(say(openid, "报了")).contains("谢谢").contains("孩子现在在哪里");
        assertThat(say(openid, "就在明珠街道春晖小区3栋 402")).contains("孩子现在还有危险吗");
        assertThat(say(openid, "不清楚")).contains("已经把孩子的位置和情况告诉工作人员");
        assertThat(adminGet("/api/admin/conversations/" + openid).getString("status")).isEqualTo("escalated");
        assertThat(say(openid, "结束人工")).contains("不会撤回");
        JsonObject after = adminGet("/api/admin/conversations/" + openid);
        assertThat(after.getString("flow")).isEqualTo("menu");
        assertThat(after.getString("status")).isEqualTo("bot");
        JsonObject alarm = after.getJsonObject("escalation");
        assertThat(alarm.getBoolean("urgent")).isTrue();
        assertThat(alarm.getString("openedAt")).isEqualTo(during.getJsonObject("escalation").getString("openedAt"));

        say(openid, "他家灯还亮着");
        List<JsonObject> events = events(openid);
        assertThat(events).extracting(e -> e.getString("type")).containsSubsequence(
                "escalation.opened", "escalation.message", "escalation.updated", "escalation.message",
                "escalation.message", "escalation.updated", "escalation.message", "escalation.message");
        // Where the child is reaches staff as a field of the alarm, not only as a message.
        assertThat(events).filteredOn(e -> e.getString("type").equals("escalation.updated"))
                .extracting(e -> e.getJsonObject("data").getJsonObject("fields").getString("child_address"))
                .contains("就在明珠街道春晖小区3栋 402");
        assertThat(events).filteredOn(e -> e.getString("type").equals("escalation.opened")).hasSize(1);
        assertThat(events).filteredOn(e -> e.getString("type").equals("escalation.message"))
                .extracting(e -> e.getJsonObject("data").getString("text")).contains("就在明珠街道春晖小区3栋 402");
        JsonObject listed = adminGet("/api/admin/escalations").getJsonArray("items").stream()
                .map(JsonObject.class::cast).filter(i -> i.getString("openid").equals(after.getString("openid")))
                .findFirst().orElseThrow();
        assertThat(listed.getJsonArray("lastMessages")).isNotEmpty();
        // Masked as the lookup masks: the address typed never appears in the list.
        assertThat(listed.encode()).doesNotContain("春晖小区").doesNotContain(openid);
    }

    @Test
    @DisplayName("Open alarms are listed most severe first: not safe now, then danger, then an unsure check, then a request for a person")
    void listedBySeverity() {
        String person = openid();
        say(person, "人工");
        String check = openid();
        say(check, "隔壁小孩每天晚上都在哭 哭得很惨");
        String danger = openid();
        say(danger, "孩子被他爸用皮带抽了");
        String critical = openid();
        say(critical, "我不想活了");
        assertThat(say(critical, "我在天台上")).contains("120");

        JsonArray items = adminGet("/api/admin/escalations").getJsonArray("items");
        List<String> order = new ArrayList<>();
        Map<String, String> handles = Map.of(
                adminGet("/api/admin/conversations/" + critical).getString("openid"), "critical",
                adminGet("/api/admin/conversations/" + danger).getString("openid"), "urgent",
                adminGet("/api/admin/conversations/" + check).getString("openid"), "check",
                adminGet("/api/admin/conversations/" + person).getString("openid"), "staff");
        for (Object o : items) {
            JsonObject item = (JsonObject) o;
            String mine = handles.get(item.getString("openid"));
            if (mine != null) {
                order.add(mine);
                assertThat(item.getString("level")).isEqualTo(mine);
                assertThat(item.getString("openedAt")).isNotNull();
                assertThat(item.getString("lastMessageAt")).isNotNull();
            }
        }
        assertThat(order).containsExactly("critical", "urgent", "check", "staff");
        JsonObject unsure = adminGet("/api/admin/conversations/" + check).getJsonObject("escalation");
        assertThat(unsure.getBoolean("urgent")).isFalse();
        assertThat(unsure.getString("level")).isEqualTo("check");
    }

    @Test
    @DisplayName("Only staff close an alarm: after resolve the lookup shows none and the list drops it")
    void staffResolve() {
        String openid = openid();
        say(openid, "我想自殺");
        say(openid, "取消");
        say(openid, "菜单");
        assertThat(adminGet("/api/admin/conversations/" + openid).containsKey("escalation")).isTrue();
        var r = admin.rawWithHeader("POST", "/api/admin/conversations/" + openid + "/resolve", "Authorization",
                "Bearer " + ADMIN_TOKEN);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonObject after = adminGet("/api/admin/conversations/" + openid);
        assertThat(after.containsKey("escalation")).isFalse();
        String handle = after.getString("openid");
        assertThat(adminGet("/api/admin/escalations").getJsonArray("items").stream()
                .map(JsonObject.class::cast).map(i -> i.getString("openid"))).doesNotContain(handle);
        assertThat(events(openid)).extracting(e -> e.getString("type")).endsWith("escalation.resolved");
    }

    @Test
    @DisplayName("Unfollowing with an open alarm does not close it: staff keep it (and are told), and once they close it "
            + "nothing of the person is kept; without an alarm an unfollow deletes at once")
    void unfollowKeepsAnOpenAlarmForStaff() {
        String openid = openid();
        assertThat(say(openid, "继父天天打我 我好怕")).contains("110");
        String handle = adminGet("/api/admin/conversations/" + openid).getString("openid");
        wechat.post(WeChatClient.event(openid, "unsubscribe", null, System.currentTimeMillis() / 1000));

        JsonObject kept = adminGet("/api/admin/conversations/" + openid);
        assertThat(kept.getJsonObject("escalation").getBoolean("urgent")).isTrue();
        assertThat(adminGet("/api/admin/escalations").getJsonArray("items").stream().map(JsonObject.class::cast)
                .map(i -> i.getString("openid"))).contains(handle);
        assertThat(events(openid)).filteredOn(e -> e.getString("type").equals("escalation.updated"))
                .extracting(e -> e.getJsonObject("data").getJsonObject("fields").containsKey("unsubscribed_at"))
                .contains(true);

        var r = admin.rawWithHeader("POST", "/api/admin/conversations/" + openid + "/resolve", "Authorization",
                "Bearer " + ADMIN_TOKEN);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(admin.rawWithHeader("GET", "/api/admin/conversations/" + openid, "Authorization",
                "Bearer " + ADMIN_TOKEN).status()).isEqualTo(404);
        assertThat(Await.result(redis.exists(List.of(RedisKeys.conversation(openid), RedisKeys.transcript(openid)))
                .map(Response::toInteger))).isZero();
        assertThat(events(openid)).extracting(e -> e.getString("type")).endsWith("escalation.resolved");

        String other = openid();
        say(other, "你好");
        wechat.post(WeChatClient.event(other, "unsubscribe", null, System.currentTimeMillis() / 1000));
        assertThat(Await.result(redis.exists(List.of(RedisKeys.conversation(other))).map(Response::toInteger))).isZero();
    }

    @Test
    @DisplayName("Unfollowing with an alarm open and coming back: the person is following again, and resolving keeps "
            + "their conversation")
    void unfollowAndReturn() {
        String openid = openid();
        assertThat(say(openid, "我不想活了")).contains("12356");
        wechat.post(WeChatClient.event(openid, "unsubscribe", null, System.currentTimeMillis() / 1000));
        wechat.post(WeChatClient.follow(openid));
        var r = admin.rawWithHeader("POST", "/api/admin/conversations/" + openid + "/resolve", "Authorization",
                "Bearer " + ADMIN_TOKEN);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonObject after = adminGet("/api/admin/conversations/" + openid);
        assertThat(after.containsKey("escalation")).isFalse();
    }
}
