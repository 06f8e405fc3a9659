package org.careline.conversation;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.redis.RedisKeys;
import org.careline.testing.Await;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole family journeys through the real {@code POST /wechat}, with a real Redis. */
class ConversationIT {

    static final String TOKEN = "conversation-it-token";
    static final String APP_ID = "wxconversationit";
    static final String ADMIN_TOKEN = "admin-it-token-0123456789";
    static final AtomicLong MSG_IDS = new AtomicLong(8_000_000_000L);

    static TestAccount account;
    static RedisAPI api;

    RunningCareLine careline;
    WeChatClient wechat;
    Path flowsDir;
    MutableClock clock;

    /** A clock the test moves forward, to cross the idle timeout without waiting half an hour. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.now();

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @BeforeAll
    static void startShared() {
        account = TestAccount.start(APP_ID, TOKEN);
        api = account.redis();
    }

    @AfterAll
    static void stopShared() {
        if (account != null) {
            account.close();
        }
    }

    @BeforeEach
    void start() throws IOException {
        // Each test gets its own copy of the flows, so that one may edit them.
        flowsDir = Files.createTempDirectory(Path.of("target"), "flows-");
        try (Stream<Path> files = Files.list(Path.of("conversation-flows"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, flowsDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        clock = new MutableClock();
        careline = startCareLine();
    }

    RunningCareLine startCareLine() {
        RunningCareLine c = account.startCareLine(Map.of(
                "CARELINE_ADMIN_TOKEN", ADMIN_TOKEN,
                "CARELINE_CONVERSATION_FLOWS_DIR", flowsDir.toString()), clock);
        wechat = new WeChatClient(c.publicUrl(), TOKEN, null);
        return c;
    }

    @AfterEach
    void stop() {
        if (careline != null) {
            careline.close();
        }
    }

    static String openid() {
        return "o-conv-" + UUID.randomUUID();
    }

    String say(String openid, String text) {
        // WeChat's clock and ours agree: the request carries the time of the service's clock.
        return wechat.replyText(wechat.post(WeChatClient.text(openid, text, MSG_IDS.incrementAndGet()),
                clock.instant().getEpochSecond()));
    }

    JsonObject conversation(String openid) {
        var r = new WeChatClient(careline.adminUrl(), TOKEN, null).rawWithHeader("GET",
                "/api/admin/conversations/" + openid, "Authorization", "Bearer " + ADMIN_TOKEN);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    /** Answers the help request up to (not including) the confirmation. */
    void fillHelpRequest(String openid) {
        assertThat(say(openid, "我想申请帮助")).contains("同意");
        assertThat(say(openid, "同意")).contains("怎么称呼");
        assertThat(say(openid, "王女士")).contains("什么人");
        assertThat(say(openid, "1")).contains("多大");
        assertThat(say(openid, "1")).contains("哪方面");
        assertThat(say(openid, "1")).contains("情况");
        assertThat(say(openid, "宝宝贫血，髋关节发育不良，奶粉一个月两千块，实在拿不出")).contains("补充");
        assertThat(say(openid, "不用了")).contains("哪个镇");
        assertThat(say(openid, "凤凰街道")).contains("社区");
        assertThat(say(openid, "园林社区")).contains("户口");
        assertThat(say(openid, "3")).contains("突然");
        assertThat(say(openid, "2")).contains("手机号");
    }

    @Test
    @DisplayName("A mother completes a help request and gets a case number; the case and its event are stored together")
    void wholeHelpRequest() {
        String openid = openid();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            helpRequestStored(openid);
        } finally {
            root.detachAppender(logs);
        }
        // Nothing identifying reaches the logs: no phone, name, story or openid (PIPL; DESIGN "Standards").
        String logged = String.join("\n", logs.list.stream().map(e -> e.getFormattedMessage()).toList());
        assertThat(logs.list).isNotEmpty();
        assertThat(logged).doesNotContain("13812345678").doesNotContain("1234 5678").doesNotContain("王女士")
                .doesNotContain("贫血").doesNotContain("园林社区").doesNotContain(openid);
    }

    void helpRequestStored(String openid) {
        fillHelpRequest(openid);
        assertThat(say(openid, "138 1234 5678")).contains("请核对").contains("138");
        String done = say(openid, "对的");
        assertThat(done).contains("编号 CL").contains("未成年人救助保护中心").doesNotContain("一定");

        String caseId = done.replaceAll("(?s).*编号 (CL\\d+).*", "$1");
        Response ids = Await.result(api.zrange(List.of(RedisKeys.userCases(openid), "0", "-1")));
        assertThat(ids.size()).isEqualTo(1);
        assertThat(ids.get(0).toString()).isEqualTo(caseId);
        JsonObject stored = new JsonObject(Await.result(api.get(RedisKeys.caseRecord(openid, caseId))).toString());
        assertThat(stored.getString("status")).isEqualTo("RECEIVED");
        assertThat(stored.getJsonObject("fields").getString("referral")).contains("救助保护中心");
        assertThat(stored.getJsonObject("fields").getString("consent")).isEqualTo("agree");

        Response events = Await.result(api.xrange(List.of(RedisKeys.outbox(openid), "-", "+")));
        assertThat(events.size()).isEqualTo(1);
        Response fields = events.get(0).get(1);
        JsonObject event = null;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if ("event".equals(fields.get(i).toString())) {
                event = new JsonObject(fields.get(i + 1).toString());
            }
        }
        assertThat(event).isNotNull();
        assertThat(event.getString("type")).isEqualTo("case.created");
        assertThat(event.getString("id")).isNotBlank();
        JsonObject data = event.getJsonObject("data");
        assertThat(data.getString("caseId")).isEqualTo(caseId);
        assertThat(data.getJsonObject("reporter").getString("phone")).isEqualTo("13812345678");
        assertThat(data.getJsonObject("consent").getString("answer")).isEqualTo("agree");
        assertThat(data.getJsonObject("consent").getString("at")).isNotBlank();
        assertThat(data.getString("referral")).contains("救助保护中心");
        assertThat(data.getJsonObject("nextStep").getString("due")).isNotBlank();
        assertThat(data.getString("need")).isEqualTo("living");
        assertThat(data.encode()).doesNotContain(openid);

        // The case links to its conversation, which a caseworker can read on the internal port.
        String link = data.getString("transcript");
        var transcript = new WeChatClient(careline.adminUrl(), TOKEN, null)
                .rawWithHeader("GET", link, "Authorization", "Bearer " + ADMIN_TOKEN);
        assertThat(transcript.status()).as(transcript.body()).isEqualTo(200);
        assertThat(transcript.body()).contains("宝宝贫血").contains("编号 " + caseId);
        // The index names the person by pseudonym only.
        assertThat(Await.result(api.zscore(RedisKeys.outboxIndex(), RedisKeys.person(openid)))).isNotNull();
        assertThat(Await.result(api.zscore(RedisKeys.outboxIndex(), openid))).isNull();
    }

    @Test
    @DisplayName("A retried message in the middle of a flow does not answer the question twice")
    void retryInTheMiddle() {
        String openid = openid();
        assertThat(say(openid, "我想申请帮助")).contains("同意");
        String xml = WeChatClient.text(openid, "同意", MSG_IDS.incrementAndGet());
        String first = wechat.replyText(wechat.post(xml, clock.instant().getEpochSecond()));
        String retry = wechat.replyText(wechat.post(xml, clock.instant().getEpochSecond()));
        assertThat(retry).isEqualTo(first).contains("怎么称呼");
        assertThat(conversation(openid).getString("node")).isEqualTo("name");
    }

    @Test
    @DisplayName("After a restart of the service in the middle of a flow, the conversation goes on")
    void restartInTheMiddle() {
        String openid = openid();
        assertThat(say(openid, "我想申请帮助")).contains("同意");
        assertThat(say(openid, "同意")).contains("怎么称呼");
        assertThat(say(openid, "王女士")).contains("什么人");
        careline.close();
        careline = startCareLine();
        assertThat(say(openid, "1")).contains("多大");
    }

    @Test
    @DisplayName("After 30 idle minutes the person is told the last conversation timed out and starts afresh")
    void idleTimeout() {
        String openid = openid();
        assertThat(say(openid, "我想申请帮助")).contains("同意");
        clock.advance(Duration.ofMinutes(31));
        String reply = say(openid, "1");
        assertThat(reply).contains("上次的对话已超时");
        assertThat(conversation(openid).getString("flow")).isNotEqualTo("help-request");
    }

    @Test
    @DisplayName("A flow file edited between two messages is picked up; a conversation at a removed node restarts politely")
    void flowEditedBetweenMessages() throws IOException {
        String openid = openid();
        assertThat(say(openid, "我想申请帮助")).contains("同意");
        assertThat(say(openid, "同意")).contains("怎么称呼");
        assertThat(say(openid, "王女士")).contains("什么人");
        // The bureau renames the "relation" question's node: conversations waiting there must not break.
        Path file = flowsDir.resolve("help-request.yaml");
        String yaml = Files.readString(file);
        Files.writeString(file, yaml.replace("id: relation", "id: reporter-relation")
                .replace("next: relation", "next: reporter-relation")
                .replace("请问您是孩子的什么人？", "请问您和孩子是什么关系？"));
        String reloadedVersion = waitForFlowsReload();
        assertThat(reloadedVersion).isNotBlank();
        String reply = say(openid, "1");
        assertThat(reply).contains("更新");
        // A new conversation sees the edited text.
        String other = openid();
        say(other, "我想申请帮助");
        say(other, "同意");
        assertThat(say(other, "李先生")).contains("什么关系");
    }

    String waitForFlowsReload() {
        WeChatClient admin = new WeChatClient(careline.adminUrl(), TOKEN, null);
        String before = new JsonObject(admin.raw("GET", "/health/ready", null).body()).getString("flows");
        String[] now = new String[1];
        org.careline.testing.Await.until(Duration.ofSeconds(15), "flows reloaded", () -> {
            now[0] = new JsonObject(admin.raw("GET", "/health/ready", null).body()).getString("flows");
            return !now[0].equals(before);
        });
        return now[0];
    }

    @Test
    @DisplayName("The admin lookup shows flow, node, status and time, with the phone masked")
    void adminLookupMasks() {
        String openid = openid();
        fillHelpRequest(openid);
        say(openid, "13812345678");
        JsonObject c = conversation(openid);
        assertThat(c.getString("flow")).isEqualTo("help-request");
        assertThat(c.getString("node")).isEqualTo("confirm");
        assertThat(c.getString("status")).isEqualTo("bot");
        assertThat(c.getString("updatedAt")).isNotBlank();
        assertThat(c.encode()).doesNotContain("13812345678").doesNotContain(openid).contains("138****5678");
        var unauthorized = new WeChatClient(careline.adminUrl(), TOKEN, null).raw("GET",
                "/api/admin/conversations/" + openid, null);
        assertThat(unauthorized.status()).isEqualTo(401);
    }

    @Test
    @DisplayName("On a request to delete, staff erase the person's conversation, transcript and cases")
    void eraseOnRequest() {
        String openid = openid();
        helpRequestStored(openid);
        WeChatClient admin = new WeChatClient(careline.adminUrl(), TOKEN, null);
        assertThat(admin.raw("DELETE", "/api/admin/people/" + openid, null).status()).isEqualTo(401);
        var r = admin.rawWithHeader("DELETE", "/api/admin/people/" + openid, "Authorization", "Bearer " + ADMIN_TOKEN, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"cases\":1");
        Response left = Await.result(api.keys("cl:{p:" + RedisKeys.person(openid) + "}:*"));
        // Only the outbox is left: its events still have to reach the back office, which keeps the file.
        assertThat(left).allSatisfy(k -> assertThat(k.toString()).endsWith(":outbox"));
        assertThat(say(openid, "我上次申请的怎么样了")).contains("还没有查到");
    }

    @Test
    @DisplayName("Asking for a person escalates the chat; the bot says so once, then stays silent")
    void talkToStaff() {
        String openid = openid();
        assertThat(say(openid, "转人工")).contains("工作人员");
        assertThat(say(openid, "我家孩子的事想当面说")).isNull();
        assertThat(conversation(openid).getString("status")).isEqualTo("escalated");
        Response inbox = Await.result(api.zrank(RedisKeys.escalationInbox(), openid));
        assertThat(inbox).isNotNull();

        // Staff resolve it: the bot answers again, and the escalation leaves the inbox.
        WeChatClient admin = new WeChatClient(careline.adminUrl(), TOKEN, null);
        var resolved = admin.rawWithHeader("POST", "/api/admin/conversations/" + openid + "/resolve",
                "Authorization", "Bearer " + ADMIN_TOKEN, "");
        assertThat(resolved.status()).as(resolved.body()).isEqualTo(200);
        assertThat(conversation(openid).getString("status")).isEqualTo("bot");
        assertThat(Await.result(api.zrank(RedisKeys.escalationInbox(), openid))).isNull();
        assertThat(say(openid, "菜单")).contains("申请帮助");
        Response events = Await.result(api.xrange(List.of(RedisKeys.outbox(openid), "-", "+")));
        assertThat(events.get(events.size() - 1).get(1).toString()).contains("escalation.resolved");
        assertThat(admin.rawWithHeader("POST", "/api/admin/conversations/" + openid + "/resolve",
                "Authorization", "Bearer " + ADMIN_TOKEN, "").status()).isEqualTo(409);
    }

    @Test
    @DisplayName("A change reported after a help request is a record of its own; the help request stays whole")
    void changeReportKeepsHelpRequest() {
        String openid = openid();
        fillHelpRequest(openid);
        say(openid, "13812345678");
        String done = say(openid, "对的");
        String helpId = done.replaceAll("(?s).*编号 (CL\\d+).*", "$1");
        assertThat(say(openid, "我们搬家了")).contains("搬到哪里了");
        assertThat(say(openid, "搬到凤凰街道天德社区了")).contains("什么时候");
        assertThat(say(openid, "昨天")).contains("怎么称呼");
        assertThat(say(openid, "李女士")).contains("孩子的名字");
        assertThat(say(openid, "张小宝")).contains("搬到凤凰街道天德社区了").contains("内容对吗");
        assertThat(say(openid, "对的")).contains("谢谢您告诉我们");

        Response ids = Await.result(api.zrange(List.of(RedisKeys.userCases(openid), "0", "-1")));
        assertThat(ids.size()).isEqualTo(2);
        JsonObject help = new JsonObject(Await.result(api.get(RedisKeys.caseRecord(openid, helpId))).toString());
        assertThat(help.getString("kind")).isEqualTo("help-request");
        assertThat(help.getJsonObject("fields").getString("phone")).isEqualTo("13812345678");
        String changeId = ids.get(0).toString().equals(helpId) ? ids.get(1).toString() : ids.get(0).toString();
        JsonObject change = new JsonObject(Await.result(api.get(RedisKeys.caseRecord(openid, changeId))).toString());
        assertThat(change.getString("kind")).isEqualTo("report-change");
        assertThat(change.getJsonObject("fields").getString("related_case")).isEqualTo(helpId);
        assertThat(changeId).startsWith("CL");

        String status = say(openid, "我上次申请的怎么样了");
        assertThat(status).contains(helpId + "（申请帮助）").contains(changeId + "（情况变化）");
    }

    @Test
    @DisplayName("An urgent chat stays first in the staff queue when the person later asks for a person")
    void urgentStaysUrgent() {
        String openid = openid();
        assertThat(say(openid, "孩子被他爸用皮带抽了，背上全是伤")).contains("110");
        double urgentScore = Await.result(api.zscore(RedisKeys.escalationInbox(), openid)).toDouble();
        assertThat(say(openid, "转人工")).contains("工作人员");
        double after = Await.result(api.zscore(RedisKeys.escalationInbox(), openid)).toDouble();
        // Still in the urgent tier: ahead of every ordinary request for a person, however long that waited.
        assertThat(after).isEqualTo(urgentScore).isLessThan(ConversationService.queueScore(null, java.time.Instant.EPOCH));
    }

    @Test
    @DisplayName("While staff have the chat, the 紧急求助 menu button still reaches the urgent flow")
    void urgentClickWhileEscalated() {
        String openid = openid();
        assertThat(say(openid, "转人工")).contains("工作人员");
        assertThat(say(openid, "菜单")).contains("正在由工作人员处理").contains("结束人工");
        String reply = wechat.replyText(wechat.post(WeChatClient.event(openid, "CLICK", "MENU_URGENT",
                clock.instant().getEpochSecond()), clock.instant().getEpochSecond()));
        assertThat(reply).contains("110");
        assertThat(conversation(openid).getString("flow")).isEqualTo("urgent");
    }

    @Test
    @DisplayName("A person who says 结束人工 gets the bot back, and the chat leaves the staff queue")
    void personLeavesStaff() {
        String openid = openid();
        assertThat(say(openid, "转人工")).contains("工作人员");
        assertThat(Await.result(api.zscore(RedisKeys.escalationInbox(), openid))).isNotNull();
        assertThat(say(openid, "结束人工")).contains("已结束人工服务").contains("申请帮助");
        assertThat(conversation(openid).getString("status")).isEqualTo("bot");
        assertThat(Await.result(api.zscore(RedisKeys.escalationInbox(), openid))).isNull();
        Response events = Await.result(api.xrange(List.of(RedisKeys.outbox(openid), "-", "+")));
        assertThat(events.get(events.size() - 1).get(1).toString()).contains("escalation.resolved")
                .contains("\"resolvedBy\":\"person\"");
    }

    @Test
    @DisplayName("Danger words skip every flow: 110 is shown at once and an urgent escalation is opened")
    void dangerWords() {
        String openid = openid();
        assertThat(say(openid, "我想申请帮助")).contains("同意");
        String reply = say(openid, "邻居天天打孩子，孩子身上都是伤");
        assertThat(reply).contains("110");
        Response events = Await.result(api.xrange(List.of(RedisKeys.outbox(openid), "-", "+")));
        assertThat(events.size()).isGreaterThanOrEqualTo(1);
        assertThat(events.get(0).get(1).toString()).contains("escalation.opened").contains("\"urgent\":true");

        // Whether and when the police were called is recorded for staff.
        assertThat(say(openid, "已经报警了")).contains("工作人员").contains("孩子现在在哪里");
        Response later = Await.result(api.xrange(List.of(RedisKeys.outbox(openid), "-", "+")));
        String note = later.get(later.size() - 1).get(1).toString();
        assertThat(note).contains("escalation.updated").contains("\"police_reported\":\"yes\"")
                .contains("police_answered_at");
        // Then where the child is and whether the danger goes on; after that staff have the chat.
        assertThat(say(openid, "园林社区3栋")).contains("孩子现在还有危险吗");
        assertThat(say(openid, "暂时没有")).contains("工作人员");
        assertThat(conversation(openid).getString("status")).isEqualTo("escalated");
    }
}
