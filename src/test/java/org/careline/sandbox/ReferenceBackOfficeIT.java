package org.careline.sandbox;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.careline.Services;
import org.careline.cases.BackOfficeSignature;
import org.careline.cases.CaseRecord;
import org.careline.cases.CaseStatus;
import org.careline.conversation.Json;
import org.careline.redis.RedisKeys;
import org.careline.testing.Await;
import org.careline.testing.BackOfficeClient;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Sandbox mode (no app id): the built-in reference back office, its events page API and its status button. */
class ReferenceBackOfficeIT {

    static TestRedis redis;
    static RunningCareLine careline;
    static RedisAPI api;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        redis = TestRedis.start();
        careline = RunningCareLine.start(Map.of("CARELINE_REDIS_URL", redis.url(),
                "CARELINE_MEDIA_DIR", "target/tmp/media-reference-it"));
        api = RedisAPI.api(Redis.createClient(careline.vertx(), redis.url()));
    }

    @AfterAll
    static void stop() {
        if (careline != null) {
            careline.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static HttpResponse<String> http(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(careline.adminUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("With nothing configured the back office is the built-in receiver, and the demo roster is loaded")
    void defaults() throws Exception {
        var backOffice = careline.main().services().backOffice();
        assertThat(backOffice.url()).isEqualTo(careline.adminUrl() + ReferenceBackOffice.EVENTS_PATH);
        assertThat(backOffice.secret()).isEqualTo(Services.SANDBOX_BACKOFFICE_SECRET);
        JsonObject roster = new JsonObject(http("GET", "/sandbox/backoffice/api/roster", null, Map.of()).body());
        assertThat(roster.getInteger("communities")).isEqualTo(2);
        assertThat(roster.getInteger("children")).isEqualTo(4);
        var children = Await.result(careline.main().services().roster.childrenOf("C-SX"));
        assertThat(children).hasSize(3);
        var page = http("GET", "/sandbox/backoffice/", null, Map.of());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("backoffice.js").doesNotContain("<script>");
        assertThat(http("GET", "/simulator/", null, Map.of()).body()).contains("/sandbox/backoffice/");
    }

    @Test
    @DisplayName("A signed event is received and listed once; a bad signature is refused; the button's status reaches the simulated phone")
    void eventThenButton() throws Exception {
        String openid = Simulator.PERSONAS.get(0).openid();
        // The parent writes from the simulator: the 48-hour window is open.
        var sent = http("POST", "/sandbox/api/send", new JsonObject().put("openid", openid).put("type", "text")
                .put("content", "你好").encode(), Map.of("Content-Type", "application/json"));
        assertThat(sent.statusCode()).isEqualTo(200);
        String caseId = "CL" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        Await.result(api.set(List.of(RedisKeys.caseRecord(openid, caseId), Json.write(new CaseRecord(caseId,
                "help-request", CaseStatus.RECEIVED, null, openid, Map.of(), now, now)))));
        Await.result(api.zadd(List.of(RedisKeys.userCases(openid), Long.toString(now.toEpochMilli()), caseId)));
        Await.result(api.set(List.of(RedisKeys.caseOwner(caseId), openid)));

        // What the outbox worker sends.
        String event = new JsonObject().put("id", "evt-" + caseId).put("type", "case.created")
                .put("occurredAt", now.toString())
                .put("data", new JsonObject().put("caseId", caseId).put("status", "RECEIVED").put("summary", "母亲求助；奶粉"))
                .encode();
        BackOfficeClient careLineSide = new BackOfficeClient(careline.adminUrl(), Services.SANDBOX_BACKOFFICE_SECRET);
        long ts = now.getEpochSecond();
        assertThat(careLineSide.send("POST", ReferenceBackOffice.EVENTS_PATH, "application/json", event, "evt-" + caseId, ts)
                .status()).isEqualTo(200);
        assertThat(careLineSide.send("POST", ReferenceBackOffice.EVENTS_PATH, "application/json", event, "evt-" + caseId, ts)
                .body()).contains("\"duplicate\":true");
        var forged = careLineSide.raw("POST", ReferenceBackOffice.EVENTS_PATH, "application/json",
                event.getBytes(StandardCharsets.UTF_8), "evt-x", Long.toString(ts),
                new BackOfficeSignature("wrong").sign(ts, event.getBytes(StandardCharsets.UTF_8)));
        assertThat(forged.status()).isEqualTo(401);
        var listed = new JsonObject(http("GET", "/sandbox/backoffice/api/events", null, Map.of()).body())
                .getJsonArray("events").stream().map(o -> (JsonObject) o)
                .filter(e -> caseId.equals(e.getString("caseId"))).toList();
        assertThat(listed).singleElement().satisfies(e -> assertThat(e.getString("summary")).isEqualTo("母亲求助；奶粉"));

        // Without the page's header (a form on another site) the button does nothing.
        String update = new JsonObject().put("status", "assigned").put("message", "寺巷社区李主任负责您的求助").encode();
        assertThat(http("POST", "/sandbox/backoffice/api/cases/" + caseId + "/status", update,
                Map.of("Content-Type", "application/json")).statusCode()).isEqualTo(403);
        var pressed = http("POST", "/sandbox/backoffice/api/cases/" + caseId + "/status", update,
                Map.of("Content-Type", "application/json", "X-Sandbox", "1"));
        JsonObject out = new JsonObject(pressed.body());
        assertThat(out.getInteger("httpStatus")).as(pressed.body()).isEqualTo(200);
        assertThat(out.getJsonObject("answer").getJsonObject("notice").getString("outcome")).isEqualTo("sent");

        var phone = new JsonObject(http("GET", "/sandbox/api/pushed?openid=" + openid, null, Map.of()).body())
                .getJsonArray("messages").stream().map(o -> (JsonObject) o)
                .filter(m -> m.getString("text") != null && m.getString("text").contains(caseId)).toList();
        assertThat(phone).singleElement().satisfies(m -> assertThat(m.getString("text"))
                .contains("已安排专人负责").contains("寺巷社区李主任负责您的求助"));
    }

    @Test
    @DisplayName("Outside the window with no template configured (the sandbox's default) the notice is recorded as undelivered")
    void noTemplate() throws Exception {
        String openid = "o-sandbox-quiet-" + UUID.randomUUID();
        String caseId = "CL" + UUID.randomUUID().toString().substring(0, 8);
        Instant then = Instant.now().minusSeconds(3 * 86_400);
        Await.result(api.set(List.of(RedisKeys.caseRecord(openid, caseId), Json.write(new CaseRecord(caseId,
                "help-request", CaseStatus.RECEIVED, null, openid, Map.of(), then, then)))));
        Await.result(api.set(List.of(RedisKeys.caseOwner(caseId), openid)));
        var pressed = new JsonObject(http("POST", "/sandbox/backoffice/api/cases/" + caseId + "/status",
                "{\"status\":\"closed\"}", Map.of("Content-Type", "application/json", "X-Sandbox", "1")).body());
        assertThat(pressed.getJsonObject("answer").getJsonObject("notice").getString("outcome")).isEqualTo("no-template");
        var undelivered = Await.result(careline.main().services().undeliveredNotices.newest(10));
        assertThat(undelivered.stream().map(o -> (JsonObject) o).filter(o -> caseId.equals(o.getString("caseId"))))
                .singleElement().satisfies(o -> assertThat(o.getString("reason")).isEqualTo("no-template"));
    }
}
