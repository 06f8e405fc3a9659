package org.careline.wechat;

import io.vertx.redis.client.RedisAPI;
import org.careline.redis.RedisKeys;
import org.careline.sandbox.FakeWeChatPlatform;
import org.careline.testing.Await;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The WeChat callback in plain mode, through real HTTP, a real Redis and a fake WeChat API server. */
class CallbackIT {

    static final String TOKEN = "callback-it-token";
    static final String APP_ID = "wxcallbackit0001";
    static final AtomicLong MSG_IDS = new AtomicLong(7_000_000_000L);

    static TestAccount account;
    static FakeWeChatPlatform platform;
    static RunningCareLine careline;
    static WeChatClient wechat;
    static RedisAPI api;

    @BeforeAll
    static void start() {
        account = TestAccount.start(APP_ID, TOKEN);
        platform = account.platform();
        api = account.redis();
        careline = account.startCareLine(Map.of("CARELINE_ADMIN_TOKEN", "callback-it-admin"));
        wechat = new WeChatClient(careline.publicUrl(), TOKEN, null);
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

    /** Real threads: on 2 cores the common pool has one, and "concurrent" posts would run one by one. */
    static final java.util.concurrent.ExecutorService SENDERS = java.util.concurrent.Executors.newFixedThreadPool(4);

    static String openid() {
        return "o-it-" + UUID.randomUUID();
    }

    static long userLines(String openid) {
        var lines = Await.result(api.lrange(RedisKeys.transcript(openid), "0", "-1"));
        long n = 0;
        for (var line : lines) {
            if (line.toString().contains("\"from\":\"user\"")) {
                n++;
            }
        }
        return n;
    }

    @Test
    @DisplayName("The URL check echoes echostr when the signature holds, and refuses it otherwise")
    void urlCheck() {
        var ok = wechat.urlCheck("echo-1234567", true);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("echo-1234567");

        var bad = wechat.urlCheck("echo-1234567", false);
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.body()).doesNotContain("echo-1234567");
    }

    @Test
    @DisplayName("A new follower is welcomed and shown the main menu in a passive reply")
    void followGetsWelcomeAndMenu() {
        String reply = wechat.replyText(wechat.post(WeChatClient.follow(openid())));
        assertThat(reply).contains("申请帮助").contains("1");
    }

    @Test
    @DisplayName("A wrong signature is refused with 401 and nothing is processed")
    void wrongSignature() {
        String openid = openid();
        String xml = WeChatClient.text(openid, "你好", MSG_IDS.incrementAndGet());
        var r = wechat.raw("POST", "/wechat?signature=" + "a".repeat(40) + "&timestamp="
                + Instant.now().getEpochSecond() + "&nonce=123", xml);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("signature");
        assertThat(userLines(openid)).isZero();
    }

    @Test
    @DisplayName("A signed URL reused with another body is refused (401); WeChat's identical retry still gets the first reply")
    void nonceReusedWithAnotherBody() {
        String openid = openid();
        String victim = openid();
        String ts = Long.toString(Instant.now().getEpochSecond());
        String nonce = "9" + MSG_IDS.incrementAndGet();
        String url = "/wechat?signature=" + WeChatSignature.sign(TOKEN, ts, nonce) + "&timestamp=" + ts
                + "&nonce=" + nonce + "&openid=" + openid;
        String xml = WeChatClient.text(openid, "菜单", MSG_IDS.incrementAndGet());
        String reply = wechat.replyText(wechat.raw("POST", url, xml));
        assertThat(reply).contains("申请帮助");

        // WeChat retries with the very same request: same answer, the conversation ran once.
        assertThat(wechat.replyText(wechat.raw("POST", url, xml))).isEqualTo(reply);
        assertThat(userLines(openid)).isEqualTo(1);

        // Someone who saw the URL (a proxy log) posts their own body with it.
        var forged = wechat.raw("POST", url, WeChatClient.text(victim, "我想申请帮助", MSG_IDS.incrementAndGet()));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.body()).doesNotContain("同意");
        assertThat(userLines(victim)).isZero();
        var forgedAsSame = wechat.raw("POST", url, WeChatClient.text(openid, "我想申请帮助", MSG_IDS.incrementAndGet()));
        assertThat(forgedAsSame.status()).isEqualTo(401);
        assertThat(userLines(openid)).isEqualTo(1);
    }

    @Test
    @DisplayName("A request whose timestamp is more than five minutes off is refused as a replay")
    void staleTimestamp() {
        String openid = openid();
        var r = wechat.post(WeChatClient.text(openid, "你好", MSG_IDS.incrementAndGet()),
                Instant.now().minusSeconds(301).getEpochSecond());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("timestamp");
        assertThat(userLines(openid)).isZero();
    }

    @Test
    @DisplayName("A body over 64 KiB gets 413 and the service stays up")
    void oversizedBody() {
        String openid = openid();
        String big = WeChatClient.text(openid, "啊".repeat(30_000), MSG_IDS.incrementAndGet());
        assertThat(wechat.post(big).status()).isEqualTo(413);
        assertThat(wechat.raw("GET", "/health", null).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("Malformed XML gets 400, nothing is processed, and the next message is answered")
    void malformedXml() {
        assertThat(wechat.post("<xml><ToUserName>broken").status()).isEqualTo(400);
        assertThat(wechat.post("not xml at all").status()).isEqualTo(400);
        String reply = wechat.replyText(wechat.post(WeChatClient.follow(openid())));
        assertThat(reply).isNotBlank();
    }

    @Test
    @DisplayName("An XXE payload is refused with 400 and no file content leaks")
    void xxeRefused() throws Exception {
        Path secret = Files.createTempFile(Path.of("target"), "xxe", ".txt");
        Files.writeString(secret, "TOP-SECRET-XXE-CONTENT");
        String openid = openid();
        String xml = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM \"file://" + secret.toAbsolutePath()
                + "\">]><xml><ToUserName>gh</ToUserName><FromUserName>" + openid + "</FromUserName>"
                + "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&x;</Content><MsgId>1</MsgId></xml>";
        var r = wechat.post(xml);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).doesNotContain("TOP-SECRET");
        assertThat(userLines(openid)).isZero();
        assertThat(platform.sentTo(openid)).isEmpty();
    }

    @Test
    @DisplayName("9,000 nested XML elements get 400, not a stack overflow, and the next message is answered")
    void deeplyNestedXml() {
        String openid = openid();
        String deep = WeChatClient.text(openid, "x", MSG_IDS.incrementAndGet())
                .replace("<Content><![CDATA[x]]></Content>", "<Content>" + "<a>".repeat(9000) + "</a>".repeat(9000) + "</Content>");
        var r = wechat.post(deep);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("nested deeper");
        assertThat(userLines(openid)).isZero();
        assertThat(wechat.replyText(wechat.post(WeChatClient.follow(openid())))).contains("申请帮助");
    }

    /** 64 KiB bodies shaped to be expensive for a parser; the text that reaches the conversation is short. */
    static List<String> heavyBodies(String openid) {
        String head = WeChatClient.text(openid, "菜单", 0).replace("</xml>", "");
        int room = 65_536 - head.length() - 64;
        StringBuilder attributes = new StringBuilder("<Padding");
        for (int i = 0; attributes.length() < room - 20; i++) {
            attributes.append(" a").append(i).append("=\"1\"");
        }
        attributes.append("/>");
        String siblings = "<b/>".repeat(room / 4);
        String block = "<c><c><c><c><c><c><c><c>x</c></c></c></c></c></c></c></c>";
        String nested = block.repeat(room / block.length());
        String split = "啊]]]]><![CDATA[>";
        String cdata = "<Padding><![CDATA[" + split.repeat((room - 40) / split.getBytes(StandardCharsets.UTF_8).length)
                + "]]></Padding>";
        return List.of(head + attributes + "</xml>", head + siblings + "</xml>", head + nested + "</xml>",
                head + cdata + "</xml>");
    }

    @Test
    @DisplayName("A stream of 64 KiB callbacks shaped to be slow to parse is answered in milliseconds, and /health never waits")
    void heavyBodiesStayCheap() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            bodies.addAll(heavyBodies(openid()));
        }
        // A first pass warms the JIT up, as a running service would be: the measure is of steady state.
        for (String xml : heavyBodies(openid())) {
            assertThat(wechat.post(xml.replace("<MsgId>0</MsgId>", "<MsgId>" + MSG_IDS.incrementAndGet() + "</MsgId>"))
                    .status()).isEqualTo(200);
        }
        assertThat(bodies.stream().map(b -> b.getBytes(StandardCharsets.UTF_8).length).toList())
                .allSatisfy(size -> assertThat(size).isBetween(60_000, 65_536));
        java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
        var health = CompletableFuture.supplyAsync(() -> {
            long worst = 0;
            while (sending.get()) {
                long t0 = System.nanoTime();
                assertThat(wechat.raw("GET", "/health", null).status()).isEqualTo(200);
                worst = Math.max(worst, System.nanoTime() - t0);
            }
            return Duration.ofNanos(worst);
        }, SENDERS);
        List<CompletableFuture<Duration>> posts = new ArrayList<>();
        for (int sender = 0; sender < 2; sender++) {
            int first = sender;
            posts.add(CompletableFuture.supplyAsync(() -> {
                long worst = 0;
                for (int i = first; i < bodies.size(); i += 2) {
                    String xml = bodies.get(i).replace("<MsgId>0</MsgId>", "<MsgId>" + MSG_IDS.incrementAndGet() + "</MsgId>");
                    long t0 = System.nanoTime();
                    var r = wechat.post(xml);
                    worst = Math.max(worst, System.nanoTime() - t0);
                    assertThat(wechat.replyText(r)).contains("申请帮助");
                }
                return Duration.ofNanos(worst);
            }, SENDERS));
        }
        List<Duration> worstPosts = posts.stream().map(CompletableFuture::join).toList();
        sending.set(false);
        Duration worstHealth = health.join();
        System.out.println("64 KiB callbacks: slowest answer per sender " + worstPosts + ", slowest /health " + worstHealth);
        // Parsing one of them takes 1-3 ms; the bounds leave room for a busy shared 2-core machine, and are
        // still far from the seconds a parser blocking the event loop would show.
        assertThat(worstPosts).allSatisfy(d -> assertThat(d).isLessThan(Duration.ofMillis(1000)));
        assertThat(worstHealth).isLessThan(Duration.ofMillis(1000));
    }

    @Test
    @DisplayName("The same MsgId three times runs the conversation once and gets the same reply each time")
    void retriesAreDeduplicated() {
        String openid = openid();
        String xml = WeChatClient.text(openid, "菜单", MSG_IDS.incrementAndGet());
        String first = wechat.replyText(wechat.post(xml));
        String second = wechat.replyText(wechat.post(xml));
        String third = wechat.replyText(wechat.post(xml));
        assertThat(first).isNotBlank();
        assertThat(second).isEqualTo(first);
        assertThat(third).isEqualTo(first);
        assertThat(userLines(openid)).isEqualTo(1);
    }

    @Test
    @DisplayName("Retries arriving at the same moment as the first try still run the conversation once")
    void concurrentRetries() {
        String openid = openid();
        String xml = WeChatClient.text(openid, "菜单", MSG_IDS.incrementAndGet());
        List<CompletableFuture<String>> tries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tries.add(CompletableFuture.supplyAsync(() -> wechat.replyText(wechat.post(xml)), SENDERS));
        }
        List<String> replies = tries.stream().map(CompletableFuture::join).toList();
        assertThat(replies).allSatisfy(r -> assertThat(r).isEqualTo(replies.get(0)));
        assertThat(replies.get(0)).isNotBlank();
        assertThat(userLines(openid)).isEqualTo(1);
    }

    @Test
    @DisplayName("The same MsgId from two people is two messages: the second person gets their own answer, not the first one's")
    void dedupIsPerPerson() {
        long msgId = MSG_IDS.incrementAndGet();
        String first = openid();
        String second = openid();
        assertThat(wechat.replyText(wechat.post(WeChatClient.text(first, "我想申请帮助", msgId)))).contains("同意");

        String reply = wechat.replyText(wechat.post(WeChatClient.text(second, "菜单", msgId)));
        assertThat(reply).contains("申请帮助").doesNotContain("同意");
        assertThat(userLines(second)).isEqualTo(1);
        assertThat(userLines(first)).isEqualTo(1);
    }

    @Test
    @DisplayName("Two different messages of one person sent at the same moment are both applied, one after the other")
    void oneUserInOrder() {
        String openid = openid();
        // The two messages answer two different questions; run concurrently they would both read the
        // same state and one answer would be lost. Applied one after the other, both answers are kept.
        assertThat(wechat.replyText(wechat.post(WeChatClient.text(openid, "我想申请帮助", MSG_IDS.incrementAndGet()))))
                .contains("同意");
        long agree = MSG_IDS.incrementAndGet();
        var a = CompletableFuture.supplyAsync(() -> wechat.post(WeChatClient.text(openid, "同意", agree)), SENDERS);
        // The second is sent once the first has been taken (its dedup marker exists), while it may still run:
        // it must wait for the first, then answer the question the first one led to.
        Await.until(java.time.Duration.ofSeconds(5), "the first message taken",
                () -> Await.result(api.exists(List.of(RedisKeys.dedup(openid, "m:" + agree)))).toInteger() == 1);
        var b = CompletableFuture.supplyAsync(() -> wechat.post(WeChatClient.text(openid, "王女士", MSG_IDS.incrementAndGet())), SENDERS);
        var first = a.join();
        var second = b.join();
        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(userLines(openid)).isEqualTo(3);
        // Both answers are kept, in the order they were sent: consent given, then the name.
        String state = Await.result(api.get(RedisKeys.conversation(openid))).toString();
        assertThat(state).contains("\"consent\":\"agree\"");
        assertThat(state).contains("\"reporter_name\":\"王女士\"");
    }

    @Test
    @DisplayName("Unfollowing deletes the person's conversation data")
    void unsubscribeForgets() {
        String openid = openid();
        wechat.replyText(wechat.post(WeChatClient.follow(openid)));
        assertThat(Await.result(api.exists(List.of(RedisKeys.conversation(openid)))).toInteger()).isEqualTo(1);
        var r = wechat.post(WeChatClient.event(openid, "unsubscribe", null, Instant.now().getEpochSecond()));
        assertThat(wechat.replyText(r)).isNull();
        assertThat(Await.result(api.exists(List.of(RedisKeys.conversation(openid), RedisKeys.transcript(openid))))
                .toInteger()).isZero();
    }

    @Test
    @DisplayName("Event types that need no answer get 'success'")
    void quietEvents() {
        String openid = openid();
        assertThat(wechat.replyText(wechat.post(WeChatClient.event(openid, "VIEW", "https://example.org/x",
                Instant.now().getEpochSecond())))).isNull();
        assertThat(wechat.replyText(wechat.post(WeChatClient.event(openid, "TEMPLATESENDJOBFINISH", null,
                Instant.now().getEpochSecond())))).isNull();
    }

    @Test
    @DisplayName("The custom menu of config/wechat-menu.json is published through the admin API")
    void publishMenu() {
        WeChatClient admin = new WeChatClient(careline.adminUrl(), TOKEN, null);
        assertThat(admin.raw("POST", "/api/admin/wechat/menu", "").status()).isEqualTo(401);
        var r = admin.rawWithHeader("POST", "/api/admin/wechat/menu", "Authorization", "Bearer callback-it-admin", "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("SENT");
        assertThat(platform.menu()).isPresent();
        assertThat(platform.menu().get().encode()).contains("MENU_HELP").contains("我要求助");
    }

    @Test
    @DisplayName("/metrics on the internal port counts answers and step times in Prometheus format")
    void metrics() {
        wechat.replyText(wechat.post(WeChatClient.follow(openid())));
        var r = new WeChatClient(careline.adminUrl(), TOKEN, null).raw("GET", "/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("careline_callback_answers_total{answer=\"passive\"}")
                .contains("careline_conversation_step_seconds_count{outcome=\"saved\"}")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    @DisplayName("Readiness reports Redis up")
    void ready() {
        var r = new WeChatClient(careline.adminUrl(), TOKEN, null).raw("GET", "/health/ready", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("\"redis\":\"UP\"");
    }

    @Test
    @DisplayName("Past the reply budget the answer is 'success' and the text arrives through the customer-service API")
    void slowStepFallsBackToCustomerService() {
        // A second instance on the same Redis with no reply budget: every reply goes through the customer-service
        // API (a 1 ms budget no longer forced that: a warm step can finish within the millisecond).
        try (RunningCareLine slow = account.startCareLine(Map.of("CARELINE_WECHAT_REPLY_BUDGET", "0ms"))) {
            WeChatClient client = new WeChatClient(slow.publicUrl(), TOKEN, null);
            String openid = openid();
            String xml = WeChatClient.follow(openid);
            var r = client.post(xml);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("success");
            Await.until(Duration.ofSeconds(10), "customer-service text", () -> !platform.sentTo(openid).isEmpty());
            assertThat(platform.sentTo(openid).get(0).text()).contains("申请帮助");
            // "对方正在输入" was shown while the answer was on its way (sent independently of the text).
            Await.until(Duration.ofSeconds(10), "typing state", () -> platform.typingState(openid).isPresent());
            assertThat(platform.typingState(openid)).contains("Typing");
            // WeChat's retry must not produce a second push nor a passive duplicate.
            assertThat(client.post(xml).body()).isEqualTo("success");
            assertThat(platform.sentTo(openid)).hasSize(1);
        }
    }
}
