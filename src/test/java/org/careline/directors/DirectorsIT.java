package org.careline.directors;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.redis.RedisKeys;
import org.careline.sandbox.FakeWeChatPlatform;
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

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Child directors end to end: a real Redis, the fake WeChat API, the real {@code POST /wechat} and admin API.
 * Each test imports its own roster (ids made unique per test) into the shared Redis.
 */
class DirectorsIT {

    static final String TOKEN = "directors-it-token";
    static final String ADMIN = "directors-admin-token-0123456789";
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    static final AtomicLong MSG_IDS = new AtomicLong(9_100_000_000L);

    static TestAccount account;
    static RedisAPI api;

    final List<RunningCareLine> running = new ArrayList<>();
    MutableClock clock;
    String tag;

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

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

        void set(Instant at) {
            now = at;
        }
    }

    @BeforeAll
    static void startShared() {
        account = TestAccount.start("wxdirectorsit", TOKEN);
        api = account.redis();
    }

    @AfterAll
    static void stopShared() {
        if (account != null) {
            account.close();
        }
    }

    @BeforeEach
    void fresh() {
        // The roster, bindings, reminder claims and the swept marker are global keys: start each test clean.
        Await.result(api.flushall(List.of()));
        account.platform().reset();
        tag = UUID.randomUUID().toString().substring(0, 6);
        clock = new MutableClock(at("2026-03-02", "09:00"));
    }

    @AfterEach
    void stop() {
        running.forEach(RunningCareLine::close);
        running.clear();
    }

    static Instant at(String date, String time) {
        return LocalDate.parse(date).atTime(java.time.LocalTime.parse(time)).atZone(SHANGHAI).toInstant();
    }

    RunningCareLine start(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("CARELINE_ADMIN_TOKEN", ADMIN,
                "CARELINE_DIRECTORS_DIGEST_TEMPLATE", "tpl-digest",
                "CARELINE_DIRECTORS_OVERDUE_TEMPLATE", "tpl-overdue",
                // Unless a test says otherwise the scheduler stays out of the way: runs are explicit.
                "CARELINE_DIRECTORS_REMINDER_TIME", "23:59"));
        env.putAll(extra);
        RunningCareLine c = account.startCareLine(env, clock);
        running.add(c);
        return c;
    }

    /**
     * Town T with supervisor S; community A (director DA) with K1 (red, visited 02-20: overdue from 02-28),
     * K2 (green, visited 02-05: due 03-07), K4 (orange, visited 02-10: due 02-24, overdue by more than 7 days
     * from 03-04); community B (director DB) with K3 (yellow, visited 02-25: due 03-27).
     */
    void importRoster() {
        String json = """
                {"towns":[{"id":"T","name":"寺巷街道"}],
                 "communities":[{"id":"A","name":"寺巷社区","townId":"T"},{"id":"B","name":"口岸社区","townId":"T"}],
                 "people":[{"id":"DA","role":"director","name":"李主任","phone":"13800000001","communityId":"A"},
                           {"id":"DB","role":"director","name":"周主任","phone":"13800000002","communityId":"B"},
                           {"id":"S","role":"supervisor","name":"陈督导","phone":"13800000003","townId":"T"}],
                 "children":[
                   {"id":"K1","name":"乐乐","birthDate":"2020-05-20","tags":["重病"],"grade":"red","communityId":"A","registeredOn":"2024-01-01","lastVisitOn":"2026-02-20"},
                   {"id":"K2","name":"小宇","birthDate":"2016-04-12","tags":["留守儿童","低保"],"grade":"green","communityId":"A","registeredOn":"2024-01-01","lastVisitOn":"2026-02-05"},
                   {"id":"K4","name":"小萱","birthDate":"2019-01-30","tags":["父母监护缺失"],"grade":"orange","communityId":"A","registeredOn":"2024-01-01","lastVisitOn":"2026-02-10"},
                   {"id":"K3","name":"小航","birthDate":"2012-08-03","tags":["孤儿"],"grade":"yellow","communityId":"B","registeredOn":"2024-01-01","lastVisitOn":"2026-02-25"}]}
                """;
        RosterReader.Result read = RosterReader.fromJson(json.getBytes(StandardCharsets.UTF_8));
        assertThat(read.errors()).isEmpty();
        Await.result(new RosterStore(api).replace(read.roster(), clock.instant()));
    }

    String openid(String who) {
        return "o-dir-" + who + "-" + tag;
    }

    String say(RunningCareLine c, String openid, String text) {
        WeChatClient wechat = new WeChatClient(c.publicUrl(), TOKEN, null);
        return wechat.replyText(wechat.post(WeChatClient.text(openid, text, MSG_IDS.incrementAndGet(),
                clock.instant().getEpochSecond()), clock.instant().getEpochSecond()));
    }

    WeChatClient.Reply admin(RunningCareLine c, String method, String path) {
        return new WeChatClient(c.adminUrl(), TOKEN, null).rawWithHeader(method, path, "Authorization", "Bearer " + ADMIN);
    }

    String code(RunningCareLine c, String rosterId) {
        WeChatClient.Reply r = admin(c, "POST", "/api/admin/people/" + rosterId + "/binding-code");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("code")).matches("\\d{6}");
        assertThat(Instant.parse(body.getString("expiresAt"))).isEqualTo(clock.instant().plus(Duration.ofDays(7)));
        return body.getString("code");
    }

    void bind(RunningCareLine c, String who, String rosterId) {
        lastCode = code(c, rosterId);
        assertThat(say(c, openid(who), "绑定 " + lastCode)).contains("绑定成功");
    }

    JsonObject run(RunningCareLine c, Instant asOf) {
        WeChatClient.Reply r = admin(c, "POST", "/api/admin/reminders/run?asOf=" + asOf);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    List<FakeWeChatPlatform.SentMessage> templatesTo(String openid) {
        return account.platform().sentTo(openid).stream().filter(m -> "template".equals(m.type())).toList();
    }

    @Test
    @DisplayName("Binding: a wrong, expired or reused code gets a clear answer, guessing is limited, and a good code makes the person a director")
    void binding() {
        importRoster();
        RunningCareLine c = start(Map.of());
        bind(c, "a", "DA");
        String wrong = "000000".equals(lastCode) ? "000001" : "000000";
        assertThat(say(c, openid("x"), "绑定 " + wrong)).contains("这个绑定码不对");
        JsonObject lookup = new JsonObject(admin(c, "GET", "/api/admin/conversations/" + openid("a")).body());
        assertThat(lookup.getString("role")).isEqualTo("director");
        // The code is a credential: the conversation lookup never shows it.
        assertThat(lookup.encode()).doesNotContain(lastCode);

        // Somebody else's code sent from a WeChat already bound: refused, and the code stays good for its owner.
        String others = code(c, "DB");
        assertThat(say(c, openid("a"), "绑定 " + others)).contains("您的微信已经绑定了另一个");
        assertThat(say(c, openid("db"), "绑定 " + others)).contains("绑定成功").contains("口岸社区");
        assertThat(say(c, openid("a"), "菜单")).contains("寺巷社区儿童主任您好");

        // The code the director used, sent again by someone else.
        String used = say(c, openid("b"), "绑定 " + lastCode);
        assertThat(used).contains("已经用过了");

        // A code older than 7 days.
        String old = code(c, "S");
        clock.set(clock.instant().plus(Duration.ofDays(8)));
        assertThat(say(c, openid("s"), "绑定 " + old)).contains("已过期");
        assertThat(new JsonObject(admin(c, "GET", "/api/admin/conversations/" + openid("s")).body()).getString("role"))
                .isEqualTo("family");

        // A supervisor binds with a fresh code; the lookup says so.
        bind(c, "s", "S");
        assertThat(new JsonObject(admin(c, "GET", "/api/admin/conversations/" + openid("s")).body()).getString("role"))
                .isEqualTo("supervisor");

        // Five wrong codes within the hour, then even a right one waits.
        String guesser = "g";
        for (int i = 0; i < 5; i++) {
            assertThat(say(c, openid(guesser), "绑定 " + String.format("%06d", 111111 * (i + 1) % 1000000))).contains("不对");
        }
        String good = code(c, "DB");
        assertThat(say(c, openid(guesser), "绑定 " + good)).contains("暂停 1 小时");

        // Unbinding: by the person (解除绑定), and by staff through the admin API.
        assertThat(say(c, openid("a"), "解除绑定")).contains("确定解除绑定吗");
        assertThat(say(c, openid("a"), "是")).contains("已解除绑定");
        assertThat(new JsonObject(admin(c, "GET", "/api/admin/conversations/" + openid("a")).body()).getString("role"))
                .isEqualTo("family");
        assertThat(Await.result(api.hget(RedisKeys.bindings(), "DA"))).isNull();
        assertThat(admin(c, "DELETE", "/api/admin/people/S/binding").status()).isEqualTo(200);
        Await.until(Duration.ofSeconds(5), "supervisor unbound", () -> "family".equals(
                new JsonObject(admin(c, "GET", "/api/admin/conversations/" + openid("s")).body()).getString("role")));
        assertThat(admin(c, "DELETE", "/api/admin/people/S/binding").status()).isEqualTo(404);
        assertThat(admin(c, "POST", "/api/admin/people/NOBODY/binding-code").status()).isEqualTo(404);
    }

    /** The code of the last bind() call, read back from the fields of the bound conversation. */
    String lastCode;

    @Test
    @DisplayName("A visit logged through POST /wechat updates the due date and emits visit.logged; another community's child is not found")
    void visitEndToEnd() {
        importRoster();
        RunningCareLine c = start(Map.of());
        bind(c, "a", "DA");
        String a = openid("a");
        String list = say(c, a, "走访名单");
        // Most urgent first: K4 overdue since 02-24, K1 since 02-27, K2 due 03-07.
        assertThat(list).contains("1. 小萱（7岁，父母监护缺失）已逾期6天").contains("2. 乐乐").contains("3. 小宇").doesNotContain("小航");
        // Another community's child, by name: not on the list, nothing about them.
        String other = say(c, a, "小航");
        assertThat(other).contains("名单上只有本社区在册的孩子").doesNotContain("口岸").doesNotContain("14岁");

        assertThat(say(c, a, "1")).contains("登记小萱的走访");
        assertThat(say(c, a, "1")).contains("哪天走访的");
        assertThat(say(c, a, "今天")).contains("见到孩子本人了吗");
        assertThat(say(c, a, "1")).contains("监护落实了吗");
        assertThat(say(c, a, "是")).contains("生活有困难吗");
        assertThat(say(c, a, "1")).contains("身体好吗");
        assertThat(say(c, a, "是")).contains("上学");
        assertThat(say(c, a, "是")).contains("孩子安全吗");
        assertThat(say(c, a, "1")).contains("简单记一下");
        assertThat(say(c, a, "奶奶身体好转，孩子按时上学")).contains("有照片");
        assertThat(say(c, a, "好了")).contains("已登记小萱的走访").contains("下次走访日期已更新");

        assertThat(Await.result(api.hget(RedisKeys.lastVisits(), "K4")).toString()).isEqualTo("2026-03-02");
        JsonObject event = lastEvent(RedisKeys.outbox(a), "visit.logged");
        assertThat(event.getJsonObject("data").getString("child_id")).isEqualTo("K4");
        assertThat(event.getJsonObject("data").getString("check_safety")).isEqualTo("yes");
        assertThat(event.getJsonObject("data").getString("director_id")).isEqualTo("DA");
        // The visit's own fields only: nothing the conversation carried before it.
        assertThat(event.getJsonObject("data").fieldNames()).doesNotContain("handoff_reason", "wants_staff", "choice",
                "trigger_text", "binding_code");
        // Orange: next due in 14 days, so 小萱 leaves the due list.
        assertThat(say(c, a, "走访名单")).doesNotContain("小萱").contains("1. 乐乐");
    }

    @Test
    @DisplayName("A 'no' on safety during a visit raises an urgent alarm for staff")
    void unsafeVisit() {
        importRoster();
        RunningCareLine c = start(Map.of());
        bind(c, "a", "DA");
        String a = openid("a");
        assertThat(say(c, a, "菜单")).contains("登记一次走访");
        assertThat(say(c, a, "1")).contains("登记哪个孩子");
        say(c, a, "乐乐");
        say(c, a, "1");
        say(c, a, "今天");
        say(c, a, "1");
        say(c, a, "是");
        say(c, a, "1");
        say(c, a, "是");
        say(c, a, "是");
        assertThat(say(c, a, "2")).contains("紧急").contains("110");
        JsonObject lookup = new JsonObject(admin(c, "GET", "/api/admin/conversations/" + a).body());
        assertThat(lookup.getJsonObject("escalation").getBoolean("urgent")).isTrue();
        assertThat(say(c, a, "无")).contains("有照片");
        assertThat(say(c, a, "好了")).contains("已登记乐乐的走访");
        // visit.logged carries the visit's own fields, not the menu choice or a reason given to staff before.
        JsonObject visit = lastEvent(RedisKeys.outbox(a), "visit.logged").getJsonObject("data");
        assertThat(visit.getString("check_safety")).isEqualTo("no");
        assertThat(visit.fieldNames()).doesNotContain("handoff_reason", "wants_staff", "choice", "choice_label");
    }

    JsonObject lastEvent(String stream, String type) {
        Response entries = Await.result(api.xrange(List.of(stream, "-", "+")));
        JsonObject found = null;
        for (Response e : entries) {
            Response f = e.get(1);
            for (int i = 0; i + 1 < f.size(); i += 2) {
                if ("event".equals(f.get(i).toString())) {
                    JsonObject ev = new JsonObject(f.get(i + 1).toString());
                    if (type.equals(ev.getString("type"))) {
                        found = ev;
                    }
                }
            }
        }
        assertThat(found).as(type + " in " + stream).isNotNull();
        return found;
    }

    int events(String stream, String type) {
        Response entries = Await.result(api.xrange(List.of(stream, "-", "+")));
        int n = 0;
        for (Response e : entries) {
            Response f = e.get(1);
            for (int i = 0; i + 1 < f.size(); i += 2) {
                if ("type".equals(f.get(i).toString()) && type.equals(f.get(i + 1).toString())) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    @DisplayName("A simulated week, the sweep run each morning: exactly which template messages went to whom")
    void week() {
        importRoster();
        RunningCareLine c = start(Map.of());
        bind(c, "a", "DA");
        bind(c, "b", "DB");
        bind(c, "s", "S");
        String[] days = {"2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"};
        List<String> results = new ArrayList<>();
        for (String day : days) {
            clock.set(at(day, "09:00"));
            if (day.equals("2026-03-03")) {
                // Tuesday: 李主任 visits 乐乐 (K1, red), whose next visit moves to 03-10.
                logQuickVisit(c, openid("a"), "乐乐");
            }
            JsonObject r = run(c, at(day, "08:00"));
            results.add(day + " " + r.getInteger("sent") + "/" + r.getInteger("overdue"));
            // The same morning again (an operator re-running it): nothing is sent twice.
            JsonObject again = run(c, at(day, "08:30"));
            assertThat(again.getInteger("sent")).as(day).isZero();
            assertThat(again.getInteger("overdue")).as(day).isZero();
        }
        // Director A every day (children due or overdue all week); K4 passes 7 days overdue on 03-04, when the
        // supervisor hears of it once; director B (K3 due 03-27) gets nothing.
        assertThat(results).containsExactly("2026-03-02 1/0", "2026-03-03 1/0", "2026-03-04 2/1", "2026-03-05 1/0",
                "2026-03-06 1/0", "2026-03-07 1/0", "2026-03-08 1/0");
        List<FakeWeChatPlatform.SentMessage> toA = templatesTo(openid("a"));
        assertThat(toA).hasSize(7).allSatisfy(m -> assertThat(m.templateId()).isEqualTo("tpl-digest"));
        assertThat(toA.get(0).data()).containsEntry("thing1", "寺巷社区走访提醒").containsEntry("thing2", "逾期2人，7天内到期1人")
                .containsEntry("time3", "2026年3月2日").containsEntry("thing4", "回复“名单”查看并登记");
        // After the visit on 03-03, 乐乐 is no longer overdue but due within 7 days.
        assertThat(toA.get(1).data()).containsEntry("thing2", "逾期1人，7天内到期2人");
        assertThat(templatesTo(openid("b"))).isEmpty();
        List<FakeWeChatPlatform.SentMessage> toS = templatesTo(openid("s"));
        assertThat(toS).singleElement().satisfies(m -> {
            assertThat(m.templateId()).isEqualTo("tpl-overdue");
            assertThat(m.data()).containsEntry("thing1", "寺巷街道走访逾期").containsEntry("thing2", "新增逾期超7天1人")
                    .containsEntry("time3", "2026年3月4日");
        });
        // Template fields within the post-2023 limits: no first/remark, thing ≤ 20 characters.
        account.platform().sent().stream().filter(m -> "template".equals(m.type())).forEach(m -> {
            assertThat(m.data()).doesNotContainKeys("first", "remark");
            m.data().forEach((k, v) -> {
                if (k.startsWith("thing")) {
                    assertThat(v.codePointCount(0, v.length())).isLessThanOrEqualTo(20);
                }
            });
        });
        assertThat(events(RedisKeys.outbox(RedisKeys.REMINDERS_OWNER), "visit.overdue")).isEqualTo(1);
        JsonObject overdue = lastEvent(RedisKeys.outbox(RedisKeys.REMINDERS_OWNER), "visit.overdue");
        assertThat(overdue.getJsonObject("data").getString("childId")).isEqualTo("K4");
        assertThat(overdue.getJsonObject("data").getString("dueOn")).isEqualTo("2026-02-24");
        assertThat(overdue.getJsonObject("data").getInteger("daysOverdue")).isEqualTo(8);
        assertThat(overdue.getJsonObject("data").getString("directorId")).isEqualTo("DA");
        // No child's name leaves the chat: not in a template, not in an event.
        String everything = account.platform().sent().toString() + overdue.encode();
        assertThat(everything).doesNotContain("乐乐").doesNotContain("小萱").doesNotContain("小宇");
    }

    void logQuickVisit(RunningCareLine c, String openid, String child) {
        assertThat(say(c, openid, "登记走访")).contains("登记哪个孩子");
        assertThat(say(c, openid, child)).contains("登记" + child + "的走访");
        for (String answer : List.of("1", "今天", "1", "是", "1", "是", "是", "1", "无")) {
            say(c, openid, answer);
        }
        assertThat(say(c, openid, "好了")).contains("已登记" + child + "的走访");
    }

    @Test
    @DisplayName("Two instances sweeping the same morning at once: each reminder goes out once")
    void twoInstances() throws Exception {
        importRoster();
        RunningCareLine one = start(Map.of());
        RunningCareLine two = start(Map.of());
        bind(one, "a", "DA");
        bind(two, "s", "S");
        clock.set(at("2026-03-05", "09:00"));
        Instant asOf = at("2026-03-05", "08:00");
        CompletableFuture<WeChatClient.Reply> first = CompletableFuture.supplyAsync(() -> admin(one, "POST", "/api/admin/reminders/run?asOf=" + asOf));
        CompletableFuture<WeChatClient.Reply> second = CompletableFuture.supplyAsync(() -> admin(two, "POST", "/api/admin/reminders/run?asOf=" + asOf));
        List<WeChatClient.Reply> replies = List.of(first.get(), second.get());
        int sent = 0;
        for (WeChatClient.Reply r : replies) {
            assertThat(r.status()).as(r.body()).isIn(200, 409);
            if (r.status() == 200) {
                sent += new JsonObject(r.body()).getInteger("sent");
            }
        }
        // Whichever order they ran in: one digest to director A, one notice to the supervisor (K4 > 7 days).
        JsonObject late = run(two, asOf);
        sent += late.getInteger("sent");
        assertThat(sent).isEqualTo(2);
        assertThat(templatesTo(openid("a"))).hasSize(1);
        assertThat(templatesTo(openid("s"))).hasSize(1);
        assertThat(events(RedisKeys.outbox(RedisKeys.REMINDERS_OWNER), "visit.overdue")).isEqualTo(1);
    }

    @Test
    @DisplayName("The service is down over the reminder time: it sends the day's reminders once when it comes back, and never again that day")
    void downOverReminderTime() {
        importRoster();
        Map<String, String> scheduled = Map.of("CARELINE_DIRECTORS_REMINDER_TIME", "8:00",
                "CARELINE_DIRECTORS_CHECK_EVERY", "100ms");
        clock.set(at("2026-03-05", "07:00"));
        RunningCareLine before = start(scheduled);
        bind(before, "a", "DA");
        before.close();
        running.remove(before);
        assertThat(templatesTo(openid("a"))).isEmpty();

        // Down from 07:00 to 10:30: the 08:00 reminder is caught up at start.
        clock.set(at("2026-03-05", "10:30"));
        RunningCareLine after = start(scheduled);
        Await.until(Duration.ofSeconds(10), "the day's digest", () -> templatesTo(openid("a")).size() == 1);
        Await.until(Duration.ofSeconds(10), "the day marked swept", () ->
                Await.result(api.exists(List.of(RedisKeys.remindersSwept("2026-03-05")))).toInteger() == 1);
        after.close();
        running.remove(after);

        // Another restart the same day, and a second instance: nothing more.
        RunningCareLine third = start(scheduled);
        RunningCareLine fourth = start(scheduled);
        assertThat(run(third, at("2026-03-05", "11:00")).getInteger("sent")).isZero();
        assertThat(templatesTo(openid("a"))).hasSize(1);

        // The next morning at 08:00 the next digest goes out, once.
        clock.set(at("2026-03-06", "08:00"));
        Await.until(Duration.ofSeconds(10), "the next day's digest", () -> templatesTo(openid("a")).size() == 2);
        Await.until(Duration.ofSeconds(10), "the next day marked swept", () ->
                Await.result(api.exists(List.of(RedisKeys.remindersSwept("2026-03-06")))).toInteger() == 1);
        assertThat(templatesTo(openid("a"))).hasSize(2);
        assertThat(fourth).isNotNull();
    }
}
