package org.careline.console;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import org.careline.redis.RedisKeys;
import org.careline.sandbox.FakeWeChatPlatform;
import org.careline.testing.Await;
import org.careline.testing.OutboxEvents;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's JSON API against a whole CareLine, a real redis-server and a fake WeChat API, over real
 * HTTP: who may do what, and what a caseworker's actions do to the family's chat.
 */
class ConsoleApiIT {

    static final String TOKEN = "consoleit-token";
    static final String ADMIN_PASSWORD = "admin-password-for-tests";
    static final String PASSWORD = "caseworker-password-1";
    static final AtomicLong MSG_IDS = new AtomicLong(880_000_000L);

    static TestAccount account;
    RunningCareLine careline;
    WeChatClient wechat;
    MovableClock clock;

    @BeforeAll
    static void startShared() {
        account = TestAccount.start("wxconsoleit", TOKEN);
    }

    @AfterAll
    static void stopShared() {
        if (account != null) {
            account.close();
        }
    }

    void start(Map<String, String> extra) {
        // Sign-ins of every test come from 127.0.0.1: each test starts with that address's count cleared.
        Await.result(account.redis().del(List.of(RedisKeys.consoleFailures("ip", "127.0.0.1"))));
        account.platform().reset();
        Map<String, String> env = new HashMap<>(Map.of("CARELINE_CONSOLE_ADMIN_PASSWORD", ADMIN_PASSWORD));
        env.putAll(extra);
        clock = new MovableClock();
        careline = account.startCareLine(env, clock);
        wechat = new WeChatClient(careline.publicUrl(), TOKEN, null);
    }

    @AfterEach
    void stop() {
        if (careline != null) {
            careline.close();
        }
    }

    StaffClient admin() {
        return StaffClient.signedIn(careline.adminUrl(), "admin", ADMIN_PASSWORD);
    }

    /** A new account of {@code role}, made by admin; answers its username. */
    String newAccount(String role) {
        String username = role.substring(0, 3) + "-" + UUID.randomUUID().toString().substring(0, 8);
        StaffClient admin = admin();
        admin.ok(admin.post("/console/api/accounts", new JsonObject().put("username", username)
                .put("displayName", "测试" + role).put("role", role).put("password", PASSWORD)));
        return username;
    }

    StaffClient caseworker() {
        return StaffClient.signedIn(careline.adminUrl(), newAccount("caseworker"), PASSWORD);
    }

    String say(String openid, String text) {
        return wechat.replyText(wechat.post(WeChatClient.text(openid, text, MSG_IDS.incrementAndGet())));
    }

    static String openid() {
        return "o-console-" + UUID.randomUUID();
    }

    /** The inbox item of the chat whose last message is {@code text}. */
    static JsonObject itemWith(JsonObject inbox, String text) {
        return inbox.getJsonArray("items").stream().map(JsonObject.class::cast)
                .filter(i -> text.equals(i.getString("lastMessage"))).findFirst()
                .orElseThrow(() -> new AssertionError("no item with last message " + text + " in " + inbox.encodePrettily()));
    }

    List<JsonObject> events(String openid) {
        return OutboxEvents.of(account.redis(), openid);
    }

    @Test
    @DisplayName("Without a session every call is 401; without the CSRF token every change is 403; a caseworker gets 403 from admin endpoints")
    void refusals() {
        start(Map.of());
        StaffClient stranger = new StaffClient(careline.adminUrl());
        assertThat(stranger.get("/console/api/inbox?queue=unassigned").status()).isEqualTo(401);
        assertThat(stranger.get("/console/api/audit").status()).isEqualTo(401);
        assertThat(stranger.post("/console/api/next", null).status()).isEqualTo(401);
        assertThat(stranger.signIn("admin", "wrong password").status()).isEqualTo(401);

        StaffClient worker = caseworker();
        assertThat(worker.get("/console/api/inbox?queue=mine").status()).isEqualTo(200);
        assertThat(worker.postWithoutCsrf("/console/api/next", null).status()).isEqualTo(403);
        assertThat(worker.postWithoutCsrf("/console/api/sign-out-everywhere", null).status()).isEqualTo(403);
        for (String path : List.of("/console/api/accounts", "/console/api/audit", "/console/api/audit.csv",
                "/console/api/staff", "/console/api/inbox?queue=all")) {
            assertThat(worker.get(path).status()).as(path).isEqualTo(403);
        }
        assertThat(worker.post("/console/api/accounts", new JsonObject().put("username", "sneaky")
                .put("role", "admin").put("password", "0123456789ab")).status()).isEqualTo(403);
        assertThat(worker.put("/console/api/canned-replies", new JsonObject().put("replies", new JsonArray())).status())
                .isEqualTo(403);

        // The cookie is HttpOnly and SameSite=Strict; the page carries a CSP without inline scripts.
        StaffClient.Answer signIn = new StaffClient(careline.adminUrl()).signIn("admin", ADMIN_PASSWORD);
        String cookie = signIn.raw().headers().firstValue("set-cookie").orElseThrow();
        assertThat(cookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").doesNotContain("Secure");
        String csp = stranger.get("/console/").raw().headers().firstValue("content-security-policy").orElseThrow();
        assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline");
    }

    @Test
    @DisplayName("Five wrong passwords lock the username, even against the right one; the lockout is per username")
    void lockout() {
        start(Map.of("CARELINE_CONSOLE_MAX_FAILURES", "5"));
        String username = newAccount("caseworker");
        StaffClient browser = new StaffClient(careline.adminUrl());
        for (int i = 0; i < 5; i++) {
            assertThat(browser.signIn(username, "not the password").status()).isEqualTo(401);
        }
        StaffClient.Answer locked = browser.signIn(username, PASSWORD);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.json().getString("code")).isEqualTo("locked");
        // Another account from the same address still signs in.
        assertThat(new StaffClient(careline.adminUrl()).signIn("admin", ADMIN_PASSWORD).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("Too many failures from one address slow it down: further failures are refused as locked, but a colleague behind the same address with the right password still signs in")
    void lockoutPerAddress() {
        start(Map.of("CARELINE_CONSOLE_IP_MAX_FAILURES", "3"));
        StaffClient browser = new StaffClient(careline.adminUrl());
        for (int i = 0; i < 3; i++) {
            assertThat(browser.signIn("nobody" + i, "guess").status()).isEqualTo(401);
        }
        assertThat(browser.signIn("nobody", "guess").status()).isEqualTo(429);
        assertThat(browser.signIn("admin", "wrong password").status()).isEqualTo(429);
        assertThat(new StaffClient(careline.adminUrl()).signIn("admin", ADMIN_PASSWORD).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("Disabling an account ends its sessions at once; sign-out everywhere ends every session of the account")
    void sessionsEnd() {
        start(Map.of());
        String username = newAccount("caseworker");
        StaffClient laptop = StaffClient.signedIn(careline.adminUrl(), username, PASSWORD);
        StaffClient phone = StaffClient.signedIn(careline.adminUrl(), username, PASSWORD);
        assertThat(phone.ok(phone.post("/console/api/sign-out-everywhere", null)).getInteger("sessionsEnded")).isEqualTo(2);
        assertThat(laptop.get("/console/api/me").status()).isEqualTo(401);
        assertThat(phone.get("/console/api/me").status()).isEqualTo(401);

        StaffClient again = StaffClient.signedIn(careline.adminUrl(), username, PASSWORD);
        StaffClient admin = admin();
        admin.ok(admin.post("/console/api/accounts/" + username + "/disable", new JsonObject().put("disabled", true)));
        assertThat(again.get("/console/api/inbox?queue=mine").status()).isEqualTo(401);
        assertThat(new StaffClient(careline.adminUrl()).signIn(username, PASSWORD).status()).isEqualTo(401);
    }

    @Test
    @DisplayName("A family escalates; the caseworker claims, replies (a customer-service message), notes, records the police report and resolves; the bot answers again")
    void claimReplyResolve() {
        start(Map.of());
        String family = openid();
        String text = "孩子被他爸用皮带抽了 " + UUID.randomUUID().toString().substring(0, 6);
        assertThat(say(family, text)).contains("110");

        StaffClient worker = caseworker();
        StaffClient colleague = caseworker();
        JsonObject item = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text);
        assertThat(item.getBoolean("urgent")).isTrue();
        assertThat(item.getString("id")).doesNotContain(family).startsWith("c");
        assertThat(item.getBoolean("windowOpen")).isTrue();
        assertThat(item.getString("dueAt")).isNotNull();
        String id = item.getString("id");
        String chat = "/console/api/conversations/" + id;

        assertThat(worker.ok(worker.post(chat + "/claim", null)).getString("assignee")).isNotNull();
        StaffClient.Answer taken = colleague.post(chat + "/claim", null);
        assertThat(taken.status()).as("a colleague's chat is 409, as the README says").isEqualTo(409);
        assertThat(taken.json().getString("code")).isEqualTo("claimed");
        // A colleague's chat is not a caseworker's to read or answer (a supervisor reassigns it).
        assertThat(colleague.get(chat).status()).isEqualTo(403);
        assertThat(colleague.post(chat + "/reply", new JsonObject().put("text", "我来")).status()).isEqualTo(403);
        assertThat(itemWith(worker.ok(worker.get("/console/api/inbox?queue=mine")), text).getString("id")).isEqualTo(id);

        StaffClient.Answer bare = worker.post(chat + "/resolve", null);
        assertThat(bare.status()).as("an alarm nobody answered is not closed without a word of how").isEqualTo(400);
        assertThat(bare.json().getString("code")).isEqualTo("resolution_required");
        worker.ok(worker.post(chat + "/reply", new JsonObject().put("text", "您好，我是民政局的社工，孩子现在安全吗？")));
        List<FakeWeChatPlatform.SentMessage> sent = account.platform().sentTo(family);
        assertThat(sent).extracting(FakeWeChatPlatform.SentMessage::type, FakeWeChatPlatform.SentMessage::text)
                .contains(org.assertj.core.groups.Tuple.tuple("text", "您好，我是民政局的社工，孩子现在安全吗？"));
        worker.ok(worker.post(chat + "/note", new JsonObject().put("text", "母亲说父亲酗酒")));
        JsonObject police = worker.ok(worker.post(chat + "/police-report", new JsonObject().put("reportNumber", "JJ2026-0415")));
        assertThat(police.getString("recordedBy")).isNotNull();

        JsonObject view = worker.ok(worker.get(chat));
        JsonArray lines = view.getJsonArray("transcript");
        assertThat(lines.stream().map(JsonObject.class::cast).map(l -> l.getString("from") + ":" + l.getString("kind")))
                .containsSubsequence("user:null", "bot:null", "staff:reply", "staff:note");
        assertThat(view.getJsonObject("escalation").getJsonObject("policeReport").getString("reportNumber"))
                .isEqualTo("JJ2026-0415");
        assertThat(view.getJsonObject("escalation").getString("firstReplyAt")).isNotNull();
        assertThat(events(family)).filteredOn(e -> e.getString("type").equals("escalation.updated"))
                .anySatisfy(e -> assertThat(e.getJsonObject("data").getJsonObject("policeReport")
                        .getString("reportNumber")).isEqualTo("JJ2026-0415"));

        StaffClient.Answer dot = worker.post(chat + "/resolve", new JsonObject().put("resolution", " . "));
        assertThat(dot.status()).as("a dot is no account of how an alarm ended").isEqualTo(400);
        StaffClient.Answer answeredBare = worker.post(chat + "/resolve", new JsonObject());
        assertThat(answeredBare.status()).as("an answered alarm still closes only with how it ended").isEqualTo(400);
        assertThat(answeredBare.json().getString("code")).isEqualTo("resolution_required");
        StaffClient.Answer handled = worker.post(chat + "/resolve", new JsonObject().put("note", "已处理"));
        assertThat(handled.status()).as("'已处理' says it ended, not how: no note for an alarm").isEqualTo(400);
        // The note may come as "note" too: the word people use for it.
        JsonObject resolved = worker.ok(worker.post(chat + "/resolve", new JsonObject().put("note", "派出所已出警，孩子在奶奶家")));
        assertThat(resolved.getString("familyTold")).isEqualTo("sent");
        assertThat(events(family)).extracting(e -> e.getString("type")).endsWith("escalation.resolved");
        assertThat(events(family).get(events(family).size() - 1).getJsonObject("data").getString("resolution"))
                .isEqualTo("派出所已出警，孩子在奶奶家");
        assertThat(account.platform().sentTo(family)).extracting(FakeWeChatPlatform.SentMessage::text)
                .anySatisfy(t -> assertThat(t).startsWith("工作人员已处理完毕").contains("110").contains("12356"));
        assertThat(worker.ok(worker.get("/console/api/inbox?queue=mine")).getJsonArray("items")).isEmpty();
        assertThat(say(family, "菜单")).contains("申请帮助");
        assertThat(worker.post(chat + "/reply", new JsonObject().put("text", "还在吗")).status()).isEqualTo(409);
        // Resolving again is refused before anything is written: no second 【处理结果】 in the transcript.
        assertThat(worker.post(chat + "/resolve", new JsonObject().put("resolution", "再关一次")).status()).isEqualTo(409);
        assertThat(Await.result(account.redis().lrange(RedisKeys.transcript(family), "0", "-1")).toString())
                .doesNotContain("再关一次");
    }

    @Test
    @DisplayName("下一位 takes the urgent chat before an older ordinary one, then the ordinary one, then says none waits")
    void nextTakesMostUrgent() {
        start(Map.of());
        // Another test's chats may wait in the shared queue: this one takes them away first.
        StaffClient sweeper = caseworker();
        while (sweeper.post("/console/api/next", null).status() == 200) {
            // claimed one
        }
        String ordinary = openid();
        say(ordinary, "人工");
        String urgent = openid();
        say(urgent, "孩子被打伤了");
        StaffClient worker = caseworker();
        JsonObject list = worker.ok(worker.get("/console/api/inbox?queue=unassigned"));
        assertThat(list.getJsonArray("items")).hasSize(2);
        assertThat(list.getJsonArray("items").getJsonObject(0).getBoolean("urgent")).isTrue();

        JsonObject first = worker.ok(worker.post("/console/api/next", null));
        assertThat(first.getBoolean("urgent")).isTrue();
        JsonObject second = worker.ok(worker.post("/console/api/next", null));
        assertThat(second.getBoolean("urgent")).isFalse();
        StaffClient.Answer none = worker.post("/console/api/next", null);
        assertThat(none.status()).isEqualTo(404);
        assertThat(worker.ok(worker.get("/console/api/inbox?queue=mine")).getJsonArray("items")).hasSize(2);
    }

    @Test
    @DisplayName("After 48 hours without a message the reply is refused with the window closed; WeChat's own 45015 is reported the same; the template notice goes out when configured")
    void windowClosed() {
        // Sessions outlive the two days the clock jumps.
        start(Map.of("CARELINE_CONSOLE_NOTICE_TEMPLATE_ID", "tmpl-console-notice", "CARELINE_CONSOLE_SESSION_MAX", "7d"));
        String family = openid();
        String text = "人工 " + UUID.randomUUID().toString().substring(0, 6);
        say(family, text);
        StaffClient worker = caseworker();
        String id = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text).getString("id");
        String chat = "/console/api/conversations/" + id;
        worker.ok(worker.post(chat + "/claim", null));

        // WeChat says the window is closed (the person blocked messages, or our clock is off).
        account.platform().failNext(FakeWeChatPlatform.CUSTOM_SEND, 45015, "response out of time limit");
        StaffClient.Answer refused = worker.post(chat + "/reply", new JsonObject().put("text", "您好"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().getString("code")).isEqualTo("window_closed");
        assertThat(refused.json().getBoolean("noticeTemplate")).isTrue();

        clock.advance(Duration.ofHours(49));
        JsonObject later = itemWith(worker.ok(worker.get("/console/api/inbox?queue=mine")), text);
        assertThat(later.getBoolean("windowOpen")).isFalse();
        int sendsBefore = account.platform().calls(FakeWeChatPlatform.CUSTOM_SEND);
        StaffClient.Answer closed = worker.post(chat + "/reply", new JsonObject().put("text", "您好"));
        assertThat(closed.status()).isEqualTo(409);
        assertThat(closed.json().getString("error")).contains("48 小时");
        assertThat(account.platform().calls(FakeWeChatPlatform.CUSTOM_SEND)).isEqualTo(sendsBefore);

        worker.ok(worker.post(chat + "/notice", null));
        assertThat(account.platform().sentTo(family)).anySatisfy(m -> {
            assertThat(m.type()).isEqualTo("template");
            assertThat(m.templateId()).isEqualTo("tmpl-console-notice");
        });
    }

    @Test
    @DisplayName("Without a template id the window-closed notice is refused and says none is configured")
    void noTemplate() {
        start(Map.of());
        String family = openid();
        String text = "人工 " + UUID.randomUUID().toString().substring(0, 6);
        say(family, text);
        StaffClient worker = caseworker();
        String id = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text).getString("id");
        StaffClient.Answer a = worker.post("/console/api/conversations/" + id + "/notice", null);
        assertThat(a.status()).isEqualTo(409);
        assertThat(a.json().getString("code")).isEqualTo("no_template");
        assertThat(a.json().getString("error")).contains("没有配置模板消息");
    }

    @Test
    @DisplayName("Opening a chat and revealing a masked field are audited with the reader's name; admin reads and exports the log")
    void audit() {
        start(Map.of());
        String family = openid();
        String marker = "帮忙 " + UUID.randomUUID().toString().substring(0, 6);
        // A help request collects a phone number, then the person asks for a member of staff.
        say(family, marker);
        say(family, "人工");
        StaffClient worker = caseworker();
        JsonObject inbox = worker.ok(worker.get("/console/api/inbox?queue=unassigned"));
        String id = itemWith(inbox, marker).getString("id");
        // Seed a masked field into the person's state, as a flow that collected a phone would have.
        JsonObject state = new JsonObject(Await.result(account.redis().get(RedisKeys.conversation(family))).toString());
        state.getJsonObject("fields").put("phone", "13812345678");
        Await.result(account.redis().set(List.of(RedisKeys.conversation(family), state.encode())));

        JsonObject view = worker.ok(worker.get("/console/api/conversations/" + id));
        JsonObject phone = view.getJsonObject("profile").getJsonArray("fields").stream().map(JsonObject.class::cast)
                .filter(f -> f.getString("name").equals("phone")).findFirst().orElseThrow();
        assertThat(phone.getString("value")).isEqualTo("138****5678");
        assertThat(phone.getBoolean("masked")).isTrue();
        JsonObject revealed = worker.ok(worker.post("/console/api/conversations/" + id + "/reveal",
                new JsonObject().put("field", "phone")));
        assertThat(revealed.getString("value")).isEqualTo("13812345678");
        // Live refreshes of the open chat are not more openings.
        worker.ok(worker.get("/console/api/conversations/" + id + "?refresh=1"));
        worker.ok(worker.get("/console/api/conversations/" + id + "?refresh=1"));

        String who = worker.ok(worker.get("/console/api/me")).getString("username");
        StaffClient admin = admin();
        JsonArray entries = admin.ok(admin.get("/console/api/audit")).getJsonArray("entries");
        assertThat(entries.stream().map(JsonObject.class::cast)
                .filter(e -> who.equals(e.getString("who")) && id.equals(e.getString("conversation")))
                .map(e -> e.getString("action") + ":" + e.getString("detail")))
                .contains("read_transcript:", "reveal:phone");
        assertThat(entries.stream().map(JsonObject.class::cast)
                .filter(e -> who.equals(e.getString("who")) && "read_transcript".equals(e.getString("action")))
                .count()).as("one 打开对话 per opening").isEqualTo(1);
        String csv = admin.get("/console/api/audit.csv").body();
        assertThat(csv).contains("at,who,role,action,conversation,detail").contains("\"" + who + "\",\"caseworker\",\"reveal\"");
        assertThat(csv).doesNotContain("13812345678").doesNotContain(family);
    }

    @Test
    @DisplayName("Canned replies start from the config file; admin edits them and caseworkers see the change")
    void cannedReplies() {
        start(Map.of());
        StaffClient worker = caseworker();
        JsonArray seeded = worker.ok(worker.get("/console/api/canned-replies")).getJsonArray("replies");
        assertThat(seeded).isNotEmpty();
        StaffClient admin = admin();
        JsonArray edited = new JsonArray().add(new JsonObject().put("title", "问候").put("text", "您好，我在。"));
        admin.ok(admin.put("/console/api/canned-replies", new JsonObject().put("replies", edited)));
        assertThat(worker.ok(worker.get("/console/api/canned-replies")).getJsonArray("replies")).isEqualTo(edited);
        assertThat(admin.put("/console/api/canned-replies", new JsonObject().put("replies",
                new JsonArray().add(new JsonObject().put("title", "")))).status()).isEqualTo(400);
        // Put back what the file seeds, for the other tests.
        admin.ok(admin.put("/console/api/canned-replies", new JsonObject().put("replies", seeded)));
    }

    /** Waits for the next {@code event: inbox} on a stream whose data satisfies {@code wanted}. */
    static JsonObject nextInboxEvent(java.util.concurrent.BlockingQueue<String> lines,
                                     java.util.function.Predicate<JsonObject> wanted) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> seenLines = new ArrayList<>();
        try {
            while (System.nanoTime() < until) {
                String line = lines.poll(until - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
                if (line == null || line.equals(StaffClient.STREAM_ENDED)) {
                    break;
                }
                seenLines.add(line);
                if (line.startsWith("data: {\"added\"")) {
                    JsonObject data = new JsonObject(line.substring("data: ".length()));
                    // The first look after a quiet time lists every chat as changed: not a change.
                    if (!data.getBoolean("initial", false) && wanted.test(data)) {
                        return data;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("no such inbox event in " + seenLines);
    }

    /** Waits until the server has had its first look for the stream (the event marked initial). */
    static void ready(java.util.concurrent.BlockingQueue<String> lines) {
        try {
            String line;
            while ((line = lines.poll(10, java.util.concurrent.TimeUnit.SECONDS)) != null) {
                if (line.startsWith("data: {\"added\"") && line.contains("\"initial\":true")) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("the stream never became ready");
    }

    static boolean ended(java.util.concurrent.BlockingQueue<String> lines, Duration within) {
        long until = System.nanoTime() + within.toNanos();
        try {
            while (System.nanoTime() < until) {
                String line = lines.poll(until - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
                if (StaffClient.STREAM_ENDED.equals(line)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    String unique(String text) {
        return text + " " + UUID.randomUUID().toString().substring(0, 6);
    }

    @Test
    @DisplayName("A police report recorded on a chat nobody has claimed yet is stored: the inbox and the conversation show it, the back office hears of it")
    void policeReportUnclaimed() {
        start(Map.of());
        String family = openid();
        String text = unique("孩子被他爸用皮带抽了");
        say(family, text);
        StaffClient worker = caseworker();
        String id = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text).getString("id");
        String chat = "/console/api/conversations/" + id;
        worker.ok(worker.post(chat + "/police-report", new JsonObject().put("reportNumber", "JJ-UNCLAIMED-1")));

        JsonObject item = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text);
        assertThat(item.getJsonObject("policeReport")).as("stored though nobody claimed the chat").isNotNull();
        assertThat(item.getJsonObject("policeReport").getString("reportNumber")).isEqualTo("JJ-UNCLAIMED-1");
        assertThat(item.getString("assignee")).isNull();
        assertThat(worker.ok(worker.get(chat)).getJsonObject("escalation").getJsonObject("policeReport")
                .getString("reportNumber")).isEqualTo("JJ-UNCLAIMED-1");
        // A later claim keeps the report.
        worker.ok(worker.post(chat + "/claim", null));
        assertThat(worker.ok(worker.get(chat)).getJsonObject("escalation").getJsonObject("policeReport")).isNotNull();
        // A colleague (who does not have the chat) may record it too.
        StaffClient colleague = caseworker();
        colleague.ok(colleague.post(chat + "/police-report", new JsonObject().put("reportNumber", "JJ-UNCLAIMED-2")));
        assertThat(worker.ok(worker.get(chat)).getJsonObject("escalation").getJsonObject("policeReport")
                .getString("reportNumber")).isEqualTo("JJ-UNCLAIMED-2");
    }

    @Test
    @DisplayName("Disabling an account gives its chats back to 待接手 and tells open consoles; 全部 names assignees by display name and marks disabled ones")
    void disableReleasesChats() {
        start(Map.of());
        String family = openid();
        String text = unique("孩子被打伤了");
        say(family, text);
        String username = newAccount("caseworker");
        StaffClient worker = StaffClient.signedIn(careline.adminUrl(), username, PASSWORD);
        String id = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text).getString("id");
        JsonObject claimed = worker.ok(worker.post("/console/api/conversations/" + id + "/claim", null));
        assertThat(claimed.getString("claimedAt")).isNotNull();
        assertThat(claimed.getString("assigneeName")).isEqualTo("测试caseworker");

        StaffClient admin = admin();
        JsonObject all = itemWith(admin.ok(admin.get("/console/api/inbox?queue=all")), text);
        assertThat(all.getString("assigneeName")).isEqualTo("测试caseworker");
        assertThat(all.getBoolean("assigneeDisabled")).isFalse();
        var stream = admin.events();
        ready(stream);
        admin.ok(admin.post("/console/api/accounts/" + username + "/disable", new JsonObject().put("disabled", true)));
        nextInboxEvent(stream, e -> e.getJsonArray("changed").contains(id));
        JsonObject back = itemWith(admin.ok(admin.get("/console/api/inbox?queue=unassigned")), text);
        assertThat(back.getString("assignee")).isNull();
    }

    @Test
    @DisplayName("New danger or a new message in a chat already claimed alerts its assignee; a chat becoming critical alerts everyone")
    void alertsInsideClaimedChats() {
        start(Map.of());
        StaffClient worker = caseworker();
        StaffClient colleague = caseworker();
        String family = openid();
        String text = unique("孩子被他爸用皮带抽了");
        say(family, text);
        String id = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text).getString("id");
        worker.ok(worker.post("/console/api/conversations/" + id + "/claim", null));
        var mine = worker.events();
        var theirs = colleague.events();
        ready(mine);
        ready(theirs);

        say(family, "他还在骂 " + UUID.randomUUID().toString().substring(0, 4));
        JsonObject message = nextInboxEvent(mine, e -> e.getJsonArray("changed").contains(id));
        assertThat(message.getBoolean("alert")).as("a new message in my chat").isTrue();
        assertThat(nextInboxEvent(theirs, e -> e.getJsonArray("changed").contains(id)).getBoolean("alert"))
                .as("not the colleague's chat").isFalse();

        say(family, "刚才吃了一把药");
        JsonObject critical = nextInboxEvent(mine, e -> e.getJsonArray("changed").contains(id));
        assertThat(critical.getBoolean("alert")).isTrue();
        assertThat(critical.getBoolean("urgentAlert")).isTrue();
        JsonObject forColleague = nextInboxEvent(theirs, e -> e.getJsonArray("changed").contains(id));
        assertThat(forColleague.getBoolean("alert")).as("critical alerts everyone").isTrue();
        assertThat(itemWith(worker.ok(worker.get("/console/api/inbox?queue=mine")), "刚才吃了一把药")
                .getString("level")).isEqualTo("critical");
    }

    @Test
    @DisplayName("A live stream ends within seconds of its session ending (sign-out everywhere, account disabled)")
    void streamEndsWithSession() {
        start(Map.of());
        String username = newAccount("caseworker");
        StaffClient worker = StaffClient.signedIn(careline.adminUrl(), username, PASSWORD);
        var stream = worker.events();
        ready(stream);
        worker.ok(worker.post("/console/api/sign-out-everywhere", null));
        assertThat(ended(stream, Duration.ofSeconds(5))).as("ended after sign-out everywhere").isTrue();

        StaffClient again = StaffClient.signedIn(careline.adminUrl(), username, PASSWORD);
        var second = again.events();
        ready(second);
        StaffClient admin = admin();
        admin.ok(admin.post("/console/api/accounts/" + username + "/disable", new JsonObject().put("disabled", true)));
        assertThat(ended(second, Duration.ofSeconds(5))).as("ended after the account was disabled").isTrue();
    }

    @Test
    @DisplayName("After 结束人工 during an alarm the bot answers though the alarm is open; claiming takes the chat back (status escalated); a plain handoff closes without a note")
    void takeBackFromBot() {
        start(Map.of());
        String family = openid();
        String text = unique("孩子被他爸用皮带抽了");
        say(family, text);
        say(family, "结束人工");
        StaffClient worker = caseworker();
        JsonObject item = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text);
        assertThat(item.getString("status")).isEqualTo("bot");
        String chat = "/console/api/conversations/" + item.getString("id");
        JsonObject claimed = worker.ok(worker.post(chat + "/claim", null));
        assertThat(claimed.getString("status")).isEqualTo("escalated");
        assertThat(worker.ok(worker.get(chat)).getString("status")).isEqualTo("escalated");

        String other = openid();
        String plain = unique("人工 我想问低保");
        say(other, plain);
        JsonObject next = worker.ok(worker.post("/console/api/next", null));
        assertThat(next.getString("claimedAt")).isNotNull();
        String otherChat = "/console/api/conversations/" + next.getString("id");
        if ("staff".equals(next.getString("level"))) {
            assertThat(worker.ok(worker.post(otherChat + "/resolve", null)).getString("status")).isEqualTo("bot");
        }
    }

    @Test
    @DisplayName("The inbox shows the person's last meaningful words (not 2, 菜单 or 结束人工, not staff notes) and what raised the alarm")
    void lastMeaningfulMessage() {
        start(Map.of());
        String family = openid();
        String text = unique("孩子被他爸用皮带抽了");
        say(family, text);
        StaffClient worker = caseworker();
        String id = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text).getString("id");
        say(family, "2");
        say(family, "菜单");
        worker.ok(worker.post("/console/api/conversations/" + id + "/note", new JsonObject().put("text", "已打电话，没人接")));
        worker.ok(worker.post("/console/api/conversations/" + id + "/note", new JsonObject().put("text", "再试一次")));
        JsonObject item = worker.ok(worker.get("/console/api/inbox?queue=unassigned")).getJsonArray("items").stream()
                .map(JsonObject.class::cast).filter(i -> id.equals(i.getString("id"))).findFirst().orElseThrow();
        assertThat(item.getString("lastMessage")).isEqualTo(text);
        assertThat(item.getString("triggerText")).isEqualTo(text);
    }

    @Test
    @DisplayName("The profile card shows the label instead of a code, times in the bureau's zone, no bookkeeping fields, in a stable order")
    void profileCard() {
        start(Map.of());
        String family = openid();
        String text = unique("孩子被他爸用皮带抽了");
        say(family, text);
        StaffClient worker = caseworker();
        String id = itemWith(worker.ok(worker.get("/console/api/inbox?queue=unassigned")), text).getString("id");
        JsonObject state = new JsonObject(Await.result(account.redis().get(RedisKeys.conversation(family))).toString());
        state.getJsonObject("fields").put("alarm_kind", "self_harm").put("police_asked_at", "2026-12-02T07:57:58Z")
                .put("consent_version", "3").put("child_age_months", "156").put("need", "food").put("need_label", "吃饭困难");
        Await.result(account.redis().set(List.of(RedisKeys.conversation(family), state.encode())));
        JsonArray fields = worker.ok(worker.get("/console/api/conversations/" + id)).getJsonObject("profile").getJsonArray("fields");
        Map<String, String> shown = new java.util.LinkedHashMap<>();
        fields.stream().map(JsonObject.class::cast).forEach(f -> shown.put(f.getString("name"), f.getString("value")));
        assertThat(shown).doesNotContainKeys("consent_version", "need_label");
        assertThat(shown).containsEntry("need", "吃饭困难").containsEntry("alarm_kind", "自伤或轻生风险")
                .containsEntry("police_asked_at", "2026-12-02 15:57").containsEntry("child_age_months", "13 岁（156 个月）");
        assertThat(List.copyOf(shown.keySet())).containsSubsequence("child_age_months", "need", "alarm_kind", "police_asked_at");
    }

    @Test
    @DisplayName("A photo the family sent is in the transcript and opens through the console (session, audited), "
            + "never a WeChat URL; a file of another person or an unknown one is 404")
    void photosThroughTheConsole() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "console-media-");
        start(Map.of("CARELINE_MEDIA_DIR", dir.toString()));
        String family = openid();
        String text = "我要找人工 " + UUID.randomUUID().toString().substring(0, 6);
        say(family, "人工");
        say(family, text);
        String mediaId = "CONSOLE_" + UUID.randomUUID().toString().replace("-", "");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        account.platform().putMedia(mediaId, png, "image/png", mediaId + ".png");
        wechat.post("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[" + family
                + "]]></FromUserName><CreateTime>" + java.time.Instant.now().getEpochSecond()
                + "</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x.jpg]]></PicUrl>"
                + "<MediaId><![CDATA[" + mediaId + "]]></MediaId><MsgId>" + MSG_IDS.incrementAndGet() + "</MsgId></xml>");
        String file = org.careline.cases.CasePayload.mediaFile(mediaId);
        Await.until(Duration.ofSeconds(10), "the photo kept", () -> java.nio.file.Files.exists(dir.resolve(file + ".png")));

        StaffClient worker = caseworker();
        String id = worker.ok(worker.get("/console/api/inbox?queue=unassigned")).getJsonArray("items").stream()
                .map(JsonObject.class::cast).filter(i -> i.encode().contains(text) || i.encode().contains("[图片]"))
                .findFirst().orElseThrow().getString("id");
        JsonObject view = worker.ok(worker.get("/console/api/conversations/" + id));
        JsonObject line = view.getJsonArray("transcript").stream().map(JsonObject.class::cast)
                .filter(l -> file.equals(l.getString("media"))).findFirst().orElseThrow();
        assertThat(line.getString("mediaKind")).isEqualTo("image");
        assertThat(view.encode()).doesNotContain("mmbiz").doesNotContain(mediaId);

        StaffClient.Answer photo = worker.get("/console/api/conversations/" + id + "/media/" + file);
        assertThat(photo.status()).isEqualTo(200);
        assertThat(photo.raw().headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(worker.get("/console/api/conversations/" + id + "/media/" + "0".repeat(32)).status()).isEqualTo(404);
        StaffClient stranger = new StaffClient(careline.adminUrl());
        assertThat(stranger.get("/console/api/conversations/" + id + "/media/" + file).status()).isEqualTo(401);

        // Another family's chat cannot be used to open this photo.
        String other = openid();
        String otherText = "人工 " + UUID.randomUUID().toString().substring(0, 6);
        say(other, "人工");
        say(other, otherText);
        String otherId = worker.ok(worker.get("/console/api/inbox?queue=unassigned")).getJsonArray("items").stream()
                .map(JsonObject.class::cast).filter(i -> !i.getString("id").equals(id)).findFirst().orElseThrow()
                .getString("id");
        assertThat(worker.get("/console/api/conversations/" + otherId + "/media/" + file).status()).isEqualTo(404);

        String who = worker.ok(worker.get("/console/api/me")).getString("username");
        StaffClient admin = admin();
        assertThat(admin.ok(admin.get("/console/api/audit")).getJsonArray("entries").stream().map(JsonObject.class::cast)
                .filter(e -> who.equals(e.getString("who")) && "view_media".equals(e.getString("action")))
                .map(e -> e.getString("detail"))).containsExactly(file);
    }
}
