package org.careline.cases;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.config.AppConfig;
import org.careline.privacy.Redaction;
import org.careline.redis.RedisKeys;
import org.careline.testing.Await;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox reaching a back office over real HTTP, with a real Redis: signatures, outages, refusals and the
 * dead letters, an instance dying mid-delivery, two instances at once, and erasure.
 */
class OutboxIT {

    static final String TOKEN = "outbox-it-token";
    static final String APP_ID = "wxoutboxit";
    static final String ADMIN_TOKEN = "admin-outbox-token-0123456789";
    static final String SECRET = "outbox-it-secret";
    static final AtomicLong MSG_IDS = new AtomicLong(9_100_000_000L);
    static final Duration WAIT = Duration.ofSeconds(30);

    TestAccount account;
    RedisAPI redis;
    Vertx vertx;
    FakeBackOffice backOffice;
    RunningCareLine careline;
    final List<Vertx> workers = new ArrayList<>();

    @BeforeEach
    void start() {
        account = TestAccount.start(APP_ID, TOKEN);
        redis = account.redis();
        vertx = Vertx.vertx();
        backOffice = new FakeBackOffice(vertx, SECRET, true);
    }

    @AfterEach
    void stop() {
        if (careline != null) {
            careline.close();
        }
        workers.forEach(w -> Await.result(w.close()));
        backOffice.close();
        Await.result(vertx.close());
        account.close();
    }

    /** Delivery timings short enough for a test: retries within a fraction of a second. */
    static Map<String, String> fastOutbox(String url) {
        Map<String, String> env = new HashMap<>();
        env.put("CARELINE_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("CARELINE_BACKOFFICE_URL", url);
        env.put("CARELINE_BACKOFFICE_SECRET", SECRET);
        env.put("CARELINE_OUTBOX_REQUEST_TIMEOUT", "1s");
        env.put("CARELINE_OUTBOX_BACKOFF_BASE", "20ms");
        env.put("CARELINE_OUTBOX_BACKOFF_MAX", "200ms");
        env.put("CARELINE_OUTBOX_CLAIM_TIMEOUT", "2s");
        env.put("CARELINE_OUTBOX_POLL_INTERVAL", "20ms");
        return env;
    }

    RunningCareLine startCareLine(String url) {
        careline = account.startCareLine(fastOutbox(url));
        return careline;
    }

    /** A bare delivery worker in a Vert.x (and Redis connection) of its own, as another instance would be. */
    record Instance(Vertx vertx, Redis client) {}

    Instance startWorker(String url, Duration requestTimeout, Duration claimTimeout) {
        Vertx v = Vertx.vertx();
        workers.add(v);
        Redis client = Redis.createClient(v, account.env().get("CARELINE_REDIS_URL"));
        AppConfig.Outbox settings = new AppConfig.Outbox(requestTimeout, Duration.ofMillis(20), Duration.ofMillis(200),
                Duration.ofHours(24), claimTimeout, 16, Duration.ofMillis(20));
        Await.result(v.deployVerticle(new OutboxWorker(RedisAPI.api(client), new AppConfig.BackOffice(url, SECRET),
                settings, new SimpleMeterRegistry(), java.time.Clock.systemUTC())));
        return new Instance(v, client);
    }

    /** A counter's value as the internal port's /metrics shows it (Prometheus text), 0 if not there yet. */
    double metric(String name) {
        String text = new WeChatClient(careline.adminUrl(), TOKEN, null).raw("GET", "/metrics", null).body();
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    String metrics() {
        return new WeChatClient(careline.adminUrl(), TOKEN, null).raw("GET", "/metrics", null).body();
    }

    WeChatClient.Reply admin(String method, String path, String body) {
        return new WeChatClient(careline.adminUrl(), TOKEN, null)
                .rawWithHeader(method, path, "Authorization", "Bearer " + ADMIN_TOKEN, body);
    }

    String say(String openid, String text) {
        WeChatClient wechat = new WeChatClient(careline.publicUrl(), TOKEN, null);
        return wechat.replyText(wechat.post(WeChatClient.text(openid, text, MSG_IDS.incrementAndGet())));
    }

    /** A whole help request through the callback, as ConversationIT plays it; answers the case number. */
    String helpRequest(String openid) {
        assertThat(say(openid, "我想申请帮助")).contains("同意");
        say(openid, "同意");
        say(openid, "王女士");
        say(openid, "1");
        say(openid, "1");
        say(openid, "1");
        say(openid, "宝宝贫血，髋关节发育不良，奶粉一个月两千块，实在拿不出");
        say(openid, "不用了");
        say(openid, "凤凰街道");
        say(openid, "园林社区");
        say(openid, "3");
        say(openid, "1");
        assertThat(say(openid, "138 1234 5678")).contains("请核对");
        String done = say(openid, "对的");
        assertThat(done).contains("编号 CL");
        return done.replaceAll("(?s).*编号 (CL\\d+).*", "$1");
    }

    void fill(int people, int each, String prefix) {
        for (int p = 0; p < people; p++) {
            for (int s = 1; s <= each; s++) {
                Await.result(OutboxFiller.write(redis, prefix + p, s));
            }
        }
    }

    /** Per person (by handle), the sequence numbers in the order their first copy was stored. */
    void assertInOrderPerPerson() {
        Map<String, Integer> last = new HashMap<>();
        for (String id : backOffice.arrivals) {
            JsonObject e = backOffice.stored.get(id);
            String who = e.getJsonObject("data").getString("openidHash");
            int seq = OutboxFiller.seq(e);
            Integer before = last.put(who, seq);
            assertThat(before == null ? 0 : before).as("order of %s", who).isLessThan(seq);
        }
    }

    /** No outbox stream, retry record or index entry is left. */
    void assertOutboxGone() {
        Await.until(WAIT, "the outbox index to empty", () -> Await.result(redis.zcard(RedisKeys.outboxIndex())).toLong() == 0);
        assertThat(keys("*outbox*")).isSubsetOf(RedisKeys.outboxDeadLetters(), RedisKeys.outboxDiscarded(),
                RedisKeys.outboxIndex());
    }

    List<String> keys(String pattern) {
        List<String> out = new ArrayList<>();
        String cursor = "0";
        do {
            Response r = Await.result(redis.scan(List.of(cursor, "MATCH", pattern, "COUNT", "1000")));
            cursor = r.get(0).toString();
            r.get(1).forEach(k -> out.add(k.toString()));
        } while (!"0".equals(cursor));
        return out;
    }

    /** Every key with its whole value, as text: what a SCAN of the server would find. */
    Map<String, String> everything() {
        Map<String, String> out = new HashMap<>();
        for (String key : keys("*")) {
            String type = Await.result(redis.type(key)).toString();
            Response v = switch (type) {
                case "string" -> Await.result(redis.get(key));
                case "hash" -> Await.result(redis.hgetall(key));
                case "list" -> Await.result(redis.lrange(key, "0", "-1"));
                case "set" -> Await.result(redis.smembers(key));
                case "zset" -> Await.result(redis.zrange(List.of(key, "0", "-1")));
                case "stream" -> Await.result(redis.xrange(List.of(key, "-", "+")));
                default -> null;
            };
            out.put(key, String.valueOf(v));
        }
        return out;
    }

    @Test
    @DisplayName("A help request reaches the back office signed, in the published schema, and nothing of it stays in the outbox")
    void deliversSignedEvents() {
        backOffice = new FakeBackOffice(vertx, SECRET, true);
        Await.result(backOffice.listen(0));
        startCareLine(backOffice.url());
        String openid = "o-outbox-" + UUID.randomUUID();
        String caseId = helpRequest(openid);

        Await.until(WAIT, "the case at the back office", () -> backOffice.stored.values().stream()
                .anyMatch(e -> e.getString("type").equals("case.created")));
        JsonObject e = backOffice.stored.values().stream().filter(x -> x.getString("type").equals("case.created"))
                .findFirst().orElseThrow();
        assertThat(e.getJsonObject("data").getString("caseId")).isEqualTo(caseId);
        assertThat(e.getJsonObject("data").getJsonObject("reporter").getString("phone")).isEqualTo("13812345678");
        assertThat(e.getInteger("schemaVersion")).isEqualTo(1);
        assertThat(e.encode()).doesNotContain(openid);
        assertThat(backOffice.refusedAsInvalid).isEmpty();
        assertOutboxGone();
        assertThat(keys("*" + RedisKeys.person(openid) + "*")).noneMatch(k -> k.contains("outbox"));
        assertThat(metric("careline_outbox_delivered_total")).isGreaterThanOrEqualTo(1);
        assertThat(metrics()).contains("careline_outbox_depth")
                .contains("careline_outbox_oldest_age_seconds").contains("careline_outbox_dead_letters")
                .contains("careline_outbox_delivery_latency_seconds");
    }

    @Test
    @DisplayName("With the back office down (refused, then 503s), every event arrives once it is up, in order per person")
    void backOfficeDownThenUp() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        startCareLine("http://127.0.0.1:" + port + "/events");
        fill(10, 3, "o-down-");
        Await.until(WAIT, "retries while nobody listens", () -> metric("careline_outbox_retried_total") >= 10);
        JsonObject waiting = new JsonObject(admin("GET", "/api/admin/outbox", null).body());
        assertThat(waiting.getLong("depth")).isEqualTo(30);
        assertThat(waiting.getLong("people")).isEqualTo(10);
        assertThat(waiting.getBoolean("delivering")).isTrue();

        // Up, but overloaded: every other request gets a 503 for a while.
        AtomicInteger n = new AtomicInteger();
        backOffice.behave(e -> n.incrementAndGet() < 40 && n.get() % 2 == 0 ? 503 : 200);
        Await.result(backOffice.listen(port));
        Await.until(WAIT, "all 30 events stored", () -> backOffice.stored.size() == 30);
        assertThat(backOffice.arrivals).doesNotHaveDuplicates();
        assertInOrderPerPerson();
        assertOutboxGone();
        assertThat(new JsonObject(admin("GET", "/api/admin/outbox", null).body()).getLong("depth")).isZero();
    }

    @Test
    @DisplayName("A 400 goes to the dead letters without holding up the rest; listed masked, replayed one or all, discarded with a reason")
    void deadLetters() {
        Await.result(backOffice.listen(0));
        startCareLine(backOffice.url());
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
        backOffice.behave(e -> refuse.get() && OutboxFiller.seq(e) == 2 ? 400 : 200);
        fill(3, 3, "o-dead-");
        Await.until(WAIT, "the six good events", () -> backOffice.stored.size() == 6);
        Await.until(WAIT, "three dead letters", () -> new JsonObject(admin("GET", "/api/admin/outbox", null).body())
                .getLong("deadLetters") == 3);

        var listed = admin("GET", "/api/admin/outbox/dead-letters", null);
        assertThat(listed.status()).isEqualTo(200);
        JsonArray items = new JsonObject(listed.body()).getJsonArray("items");
        assertThat(items).hasSize(3);
        JsonObject first = items.getJsonObject(0);
        assertThat(first.getString("type")).isEqualTo("escalation.message");
        assertThat(first.getString("reason")).contains("400");
        assertThat(first.getInteger("attempts")).isEqualTo(1);
        // Which event, not whose and not what it said.
        assertThat(listed.body()).doesNotContain("o-dead-").doesNotContain(Redaction.openid("o-dead-0"))
                .doesNotContain("\"data\"");
        assertThat(admin("GET", "/api/admin/outbox/dead-letters", null).status()).isEqualTo(200);
        assertThat(new WeChatClient(careline.adminUrl(), TOKEN, null).raw("GET", "/api/admin/outbox/dead-letters", null)
                .status()).isEqualTo(401);

        refuse.set(false);
        var one = admin("POST", "/api/admin/outbox/dead-letters/" + first.getString("id") + "/replay", "");
        assertThat(one.status()).as(one.body()).isEqualTo(200);
        Await.until(WAIT, "the replayed event", () -> backOffice.stored.containsKey(first.getString("eventId")));
        assertThat(admin("POST", "/api/admin/outbox/dead-letters/" + first.getString("id") + "/replay", "").status())
                .isEqualTo(404);

        String second = items.getJsonObject(1).getString("id");
        assertThat(admin("DELETE", "/api/admin/outbox/dead-letters/" + second, "{}").status()).isEqualTo(400);
        var discarded = admin("DELETE", "/api/admin/outbox/dead-letters/" + second, "{\"reason\":\"sent by hand\"}");
        assertThat(discarded.status()).as(discarded.body()).isEqualTo(200);
        Response record = Await.result(redis.xrange(List.of(RedisKeys.outboxDiscarded(), "-", "+")));
        assertThat(record.toString()).contains("sent by hand").contains(items.getJsonObject(1).getString("eventId"));

        var all = admin("POST", "/api/admin/outbox/dead-letters/replay", "");
        assertThat(new JsonObject(all.body()).getInteger("replayed")).isEqualTo(1);
        Await.until(WAIT, "the last replayed event", () -> backOffice.stored.size() == 8);
        assertThat(backOffice.stored).doesNotContainKey(items.getJsonObject(1).getString("eventId"));
        assertThat(new JsonObject(admin("GET", "/api/admin/outbox", null).body()).getLong("deadLetters")).isZero();
        assertThat(metric("careline_outbox_dead_lettered_total")).isEqualTo(3);
        assertOutboxGone();
    }

    @Test
    @DisplayName("An instance that dies between sending and acknowledging: another takes the event over and sends it again")
    void crashedInstanceReclaimed() {
        Await.result(backOffice.listen(0));
        Map<String, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger requests = new AtomicInteger();
        // The very first request is never answered: the instance dies waiting for it.
        backOffice.behave(e -> {
            seen.merge(e.getString("id"), 1, Integer::sum);
            return requests.incrementAndGet() == 1 ? null : 200;
        });
        String id = Await.result(OutboxFiller.write(redis, "o-crash", 1));
        Await.result(OutboxFiller.write(redis, "o-crash", 2));

        Instance a = startWorker(backOffice.url(), Duration.ofSeconds(20), Duration.ofMillis(800));
        Await.until(WAIT, "the first instance to send", () -> backOffice.hanging.size() == 1);
        // As good as a SIGKILL for Redis and the back office: its connections drop, it writes nothing more.
        // Its Vert.x is left closing in the background: a graceful close would wait for the hanging request.
        a.client().close();
        workers.remove(a.vertx());
        a.vertx().close();
        Response pending = Await.result(redis.xpending(List.of(RedisKeys.outbox("o-crash"), OutboxStore.GROUP)));
        assertThat(pending.get(0).toLong()).isEqualTo(1);
        // No retry was scheduled: only the claim timeout (XAUTOCLAIM) can free the event.
        assertThat(Await.result(redis.exists(List.of(RedisKeys.outboxRetryOf(RedisKeys.person("o-crash"))))).toInteger())
                .isZero();

        startWorker(backOffice.url(), Duration.ofSeconds(20), Duration.ofMillis(800));
        Await.until(WAIT, "both events stored", () -> backOffice.stored.size() == 2);
        assertThat(seen.get(id)).isEqualTo(2);
        assertThat(backOffice.copies(id)).isEqualTo(1);
        assertInOrderPerPerson();
        assertOutboxGone();
    }

    @Test
    @DisplayName("Two instances drain one outbox: every event once, each person's in order")
    void twoInstances() {
        Await.result(backOffice.listen(0));
        fill(150, 4, "o-two-");
        startWorker(backOffice.url(), Duration.ofSeconds(5), Duration.ofSeconds(10));
        startWorker(backOffice.url(), Duration.ofSeconds(5), Duration.ofSeconds(10));
        Await.until(WAIT, "600 events stored", () -> backOffice.stored.size() == 600);
        assertThat(backOffice.arrivals).hasSize(600).doesNotHaveDuplicates();
        assertInOrderPerPerson();
        assertOutboxGone();
    }

    @Test
    @DisplayName("Erasure removes every trace of the person; only person.erased waits, and after delivery nothing is left")
    void erasureLeavesNoTrace() {
        Await.result(backOffice.listen(0));
        backOffice.behave(e -> 503);
        startCareLine(backOffice.url());
        String openid = "o-erase-" + UUID.randomUUID();
        String caseId = helpRequest(openid);
        assertThat(say(openid, "转人工")).isNotBlank();
        assertThat(Await.result(redis.zscore(RedisKeys.escalationInbox(), openid))).isNotNull();
        String person = RedisKeys.person(openid);
        String handle = Redaction.openid(openid);
        assertThat(keys("*" + person + "*")).isNotEmpty();

        var r = admin("DELETE", "/api/admin/people/" + openid, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        // Before delivery: the openid is nowhere; the pseudonym only in the outbox (and its index entry), the
        // handle only in the events still to be delivered.
        Map<String, String> all = everything();
        all.forEach((k, v) -> {
            assertThat(k + " " + v).as(k).doesNotContain(openid);
            if (k.contains(person) || v.contains(person) || v.contains(handle)) {
                assertThat(k).isIn(RedisKeys.outbox(openid), RedisKeys.outboxRetryOf(person), RedisKeys.outboxIndex());
            }
        });

        backOffice.behave(FakeBackOffice.ACCEPT);
        Await.until(WAIT, "person.erased at the back office", () -> backOffice.stored.values().stream()
                .anyMatch(e -> e.getString("type").equals("person.erased")));
        JsonObject erased = backOffice.stored.values().stream().filter(e -> e.getString("type").equals("person.erased"))
                .findFirst().orElseThrow();
        assertThat(erased.getJsonObject("data").getJsonArray("caseIds")).containsExactly(caseId);
        assertThat(erased.getJsonObject("data").getString("openidHash")).isEqualTo(handle);
        // Delivered after what was waiting before it.
        assertThat(backOffice.arrivals.get(backOffice.arrivals.size() - 1)).isEqualTo(erased.getString("id"));
        assertOutboxGone();
        everything().forEach((k, v) -> assertThat(k + " " + v).as(k).doesNotContain(openid).doesNotContain(person)
                .doesNotContain(handle));
    }
}
