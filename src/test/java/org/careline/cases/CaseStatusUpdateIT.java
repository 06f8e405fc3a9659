package org.careline.cases;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import org.careline.conversation.Json;
import org.careline.redis.RedisKeys;
import org.careline.sandbox.FakeWeChatPlatform;
import org.careline.testing.Await;
import org.careline.testing.BackOfficeClient;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The back office moves a case on: real HTTP, a real Redis, the fake WeChat API. */
class CaseStatusUpdateIT {

    static final String SECRET = "status-it-backoffice-secret";
    static final String TEMPLATE = "TPL-case-status-it";
    static final String ADMIN = "status-it-admin";
    static final AtomicLong MSG_IDS = new AtomicLong(8_100_000_000L);

    static TestAccount account;
    static FakeWeChatPlatform platform;
    static RunningCareLine careline;
    static WeChatClient wechat;
    static BackOfficeClient backOffice;
    static RedisAPI redis;

    @BeforeAll
    static void start() {
        account = TestAccount.start("wxstatusit0001", "status-it-token");
        platform = account.platform();
        redis = account.redis();
        careline = account.startCareLine(Map.of("CARELINE_ADMIN_TOKEN", ADMIN,
                "CARELINE_BACKOFFICE_SECRET", SECRET,
                "CARELINE_WECHAT_TEMPLATES_CASE_STATUS", TEMPLATE,
                "CARELINE_MEDIA_DIR", "target/tmp/media-status-it"));
        wechat = new WeChatClient(careline.publicUrl(), account.token, null);
        backOffice = new BackOfficeClient(careline.adminUrl(), SECRET);
    }

    @AfterAll
    static void stop() {
        if (careline != null) {
            careline.close();
        }
        if (account != null) {
            account.close();
        }
    }

    /** A help request of a new person, as the flow leaves it; {@code lastWrote} is their last message. */
    static String caseOf(String openid, Instant lastWrote) {
        String caseId = "CL" + Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits()), 36).substring(0, 9);
        CaseRecord c = new CaseRecord(caseId, "help-request", CaseStatus.RECEIVED, null, openid,
                Map.of("need", "milk"), lastWrote, lastWrote);
        Await.result(redis.set(List.of(RedisKeys.caseRecord(openid, caseId), Json.write(c))));
        Await.result(redis.zadd(List.of(RedisKeys.userCases(openid), Long.toString(lastWrote.toEpochMilli()), caseId)));
        Await.result(redis.set(List.of(RedisKeys.caseOwner(caseId), openid)));
        Await.result(redis.lpush(List.of(RedisKeys.transcript(openid),
                Json.write(Map.of("at", lastWrote.toString(), "from", "user", "text", "[菜单] MENU_HELP")))));
        return caseId;
    }

    static String openid() {
        return "o-status-" + UUID.randomUUID();
    }

    static BackOfficeClient.Answer status(String caseId, String status, String message) {
        return backOffice.send("POST", "/api/backoffice/cases/" + caseId + "/status", "application/json",
                new JsonObject().put("status", status).put("message", message).encode());
    }

    static CaseRecord stored(String openid, String caseId) {
        var r = Await.result(redis.get(RedisKeys.caseRecord(openid, caseId)));
        return Json.read(r.toString(), CaseRecord.class);
    }

    static long updatedEvents(String openid) {
        var entries = Await.result(redis.xrange(List.of(RedisKeys.outbox(openid), "-", "+")));
        long n = 0;
        for (var e : entries) {
            if (e.get(1).toString().contains("case.updated")) {
                n++;
            }
        }
        return n;
    }

    @Test
    @DisplayName("Inside the 48-hour window the family gets a customer-service message with the case number, and 查询进度 shows the new status and message")
    void insideWindow() {
        String openid = openid();
        // The person writes now: the window is open.
        wechat.replyText(wechat.post(WeChatClient.text(openid, "你好", MSG_IDS.incrementAndGet())));
        String caseId = caseOf(openid, Instant.now().minus(Duration.ofHours(1)));
        // caseOf's line is older than the message just sent, which stays the newest.
        var answer = status(caseId, "visiting", "社区李主任明天上午上门了解情况");

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonObject body = new JsonObject(answer.body());
        assertThat(body.getJsonObject("notice").getString("channel")).isEqualTo("customer-service");
        assertThat(body.getJsonObject("notice").getString("outcome")).isEqualTo("sent");
        var sent = platform.sentTo(openid).stream().filter(m -> m.text() != null && m.text().contains(caseId)).toList();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).type()).isEqualTo("text");
        assertThat(sent.get(0).text()).contains("工作人员会上门了解情况").contains("社区李主任明天上午上门了解情况");
        assertThat(stored(openid, caseId).status()).isEqualTo(CaseStatus.VISITING);
        assertThat(updatedEvents(openid)).isEqualTo(1);

        String reply = wechat.replyText(wechat.post(WeChatClient.event(openid, "CLICK", "MENU_STATUS",
                Instant.now().getEpochSecond())));
        assertThat(reply).contains(caseId).contains("工作人员会上门了解情况").contains("社区李主任明天上午上门了解情况");
    }

    @Test
    @DisplayName("Outside the window a template message goes out, within the 2023 field limits")
    void outsideWindow() {
        String openid = openid();
        String caseId = caseOf(openid, Instant.now().minus(Duration.ofDays(3)));
        String longMessage = "经核实，您家符合临时救助条件，救助金将在五个工作日内发放到您的银行卡，请留意短信";
        var answer = status(caseId, "approved", longMessage);

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(new JsonObject(answer.body()).getJsonObject("notice").getString("channel")).isEqualTo("template");
        var sent = platform.sentTo(openid);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).templateId()).isEqualTo(TEMPLATE);
        Map<String, String> data = sent.get(0).data();
        assertThat(data.get("character_string1")).isEqualTo(caseId);
        assertThat(data.get("phrase2")).isEqualTo("已办理");
        assertThat(data.get("thing3").codePointCount(0, data.get("thing3").length())).isLessThanOrEqualTo(20);
        assertThat(data.get("thing3")).startsWith("经核实").endsWith("…");
        assertThat(data.get("time4")).matches("\\d{4}年\\d{1,2}月\\d{1,2}日 \\d{2}:\\d{2}");
        assertThat(platform.calls(FakeWeChatPlatform.CUSTOM_SEND)).isGreaterThanOrEqualTo(0);
    }

    @Test
    @DisplayName("What could not be delivered (unfollowed, quota) is recorded and listed in the admin API")
    void failuresRecorded() {
        String gone = openid();
        String goneCase = caseOf(gone, Instant.now().minus(Duration.ofDays(4)));
        platform.failNext(FakeWeChatPlatform.TEMPLATE_SEND, 43004, "require subscribe");
        var first = status(goneCase, "closed", "已结案");
        assertThat(first.status()).isEqualTo(200);
        assertThat(new JsonObject(first.body()).getJsonObject("notice").getString("outcome")).isEqualTo("not-following");

        String busy = openid();
        wechat.replyText(wechat.post(WeChatClient.text(busy, "你好", MSG_IDS.incrementAndGet())));
        String busyCase = caseOf(busy, Instant.now().minus(Duration.ofHours(2)));
        platform.failNext(FakeWeChatPlatform.CUSTOM_SEND, 45047, "out of response count limit");
        platform.failNext(FakeWeChatPlatform.TEMPLATE_SEND, 45009, "reach max api daily quota limit");
        var second = status(busyCase, "assigned", null);
        assertThat(second.status()).isEqualTo(200);
        assertThat(new JsonObject(second.body()).getJsonObject("notice").getString("outcome")).isEqualTo("quota");
        // The status changed all the same.
        assertThat(stored(busy, busyCase).status()).isEqualTo(CaseStatus.ASSIGNED);

        var listed = backOffice.get("/api/admin/notifications/failed", "Authorization", "Bearer " + ADMIN);
        assertThat(listed.status()).isEqualTo(200);
        var items = new JsonObject(listed.body()).getJsonArray("items");
        assertThat(items.stream().map(o -> (JsonObject) o).filter(o -> goneCase.equals(o.getString("caseId"))))
                .singleElement().satisfies(o -> assertThat(o.getString("reason")).isEqualTo("not-following"));
        assertThat(items.stream().map(o -> (JsonObject) o).filter(o -> busyCase.equals(o.getString("caseId"))))
                .singleElement().satisfies(o -> assertThat(o.getString("reason")).isEqualTo("quota"));
        assertThat(listed.body()).doesNotContain(gone).doesNotContain(busy).doesNotContain("已结案");
        assertThat(backOffice.get("/api/admin/notifications/failed", null, null).status()).isEqualTo(401);
    }

    @Test
    @DisplayName("A missing or bad signature and an old timestamp are refused (401), a signature reused under another id 409; nothing applied")
    void refusedSignatures() {
        String openid = openid();
        String caseId = caseOf(openid, Instant.now().minus(Duration.ofDays(3)));
        String path = "/api/backoffice/cases/" + caseId + "/status";
        byte[] body = "{\"status\":\"closed\"}".getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        BackOfficeSignature signer = new BackOfficeSignature(SECRET);

        assertThat(backOffice.raw("POST", path, "application/json", body, "e1-" + UUID.randomUUID(), null, null).status())
                .isEqualTo(401);
        assertThat(backOffice.raw("POST", path, "application/json", body, "e2-" + UUID.randomUUID(), Long.toString(now),
                new BackOfficeSignature("another secret").sign(now, body)).status()).isEqualTo(401);
        var old = backOffice.raw("POST", path, "application/json", body, "e3-" + UUID.randomUUID(),
                Long.toString(now - 600), signer.sign(now - 600, body));
        assertThat(old.status()).isEqualTo(401);
        assertThat(old.body()).contains("timestamp");
        // Someone saw a valid request and sends it again with a fresh event id.
        String signature = signer.sign(now, body);
        assertThat(backOffice.raw("POST", path, "application/json", body, "e4-" + UUID.randomUUID(), Long.toString(now),
                signature).status()).isEqualTo(200);
        assertThat(backOffice.raw("POST", path, "application/json", body, "e5-" + UUID.randomUUID(), Long.toString(now),
                signature).status()).isEqualTo(409);
        assertThat(updatedEvents(openid)).isEqualTo(1);
        assertThat(backOffice.raw("POST", path, "application/json", body, null, Long.toString(now),
                signer.sign(now, body)).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("A replayed event id gets the first answer and is not applied again; unknown status 400, unknown case 404")
    void replayAndErrors() {
        String openid = openid();
        String caseId = caseOf(openid, Instant.now().minus(Duration.ofDays(3)));
        String path = "/api/backoffice/cases/" + caseId + "/status";
        String body = new JsonObject().put("status", "referred").put("message", "已转交市未成年人救助保护中心").encode();
        String eventId = BackOfficeClient.newEventId();
        var first = backOffice.send("POST", path, "application/json", body, eventId, Instant.now().getEpochSecond());
        var again = backOffice.send("POST", path, "application/json", body, eventId, Instant.now().getEpochSecond() + 1);
        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(platform.sentTo(openid)).hasSize(1);
        assertThat(updatedEvents(openid)).isEqualTo(1);
        // The same id with another body is not the same event.
        assertThat(backOffice.send("POST", path, "application/json", "{\"status\":\"closed\"}", eventId,
                Instant.now().getEpochSecond()).status()).isEqualTo(409);

        var unknown = status(caseId, "done", "");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(new JsonObject(unknown.body()).getString("error")).contains("unknown status 'done'");
        assertThat(new JsonObject(unknown.body()).getJsonArray("allowed")).contains("visiting");
        assertThat(status("CL000000000", "closed", "").status()).isEqualTo(404);
        assertThat(stored(openid, caseId).status()).isEqualTo(CaseStatus.REFERRED);
    }
}
