package org.careline.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.careline.Services;
import org.careline.conversation.Json;
import org.careline.media.MediaRoutes;
import org.careline.redis.RedisKeys;
import org.careline.testing.Await;
import org.careline.testing.BackOfficeClient;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document (src/main/resources/openapi/backoffice.yaml) against the code that serves it. */
class BackOfficeOpenApiIT {

    static final String SECRET = "openapi-it-secret";
    static TestAccount account;
    static RunningCareLine careline;
    static BackOfficeClient backOffice;
    static JsonNode doc;
    static final AtomicLong SECONDS = new AtomicLong(Instant.now().getEpochSecond() - 100);

    @BeforeAll
    static void start() throws Exception {
        account = TestAccount.start("wxopenapiit001", "openapi-it-token");
        careline = account.startCareLine(Map.of("CARELINE_BACKOFFICE_SECRET", SECRET,
                "CARELINE_MEDIA_DIR", "target/tmp/media-openapi-it"));
        backOffice = new BackOfficeClient(careline.adminUrl(), SECRET);
        try (InputStream in = BackOfficeOpenApiIT.class.getResourceAsStream("/openapi/backoffice.yaml")) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
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

    /** "POST /api/backoffice/cases/{caseId}/status" for each operation of the document. */
    static Set<String> documented() {
        Set<String> out = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                .forEachRemaining(method -> out.add(method.toUpperCase(Locale.ROOT) + " " + p.getKey())));
        return out;
    }

    @Test
    @DisplayName("Every back-office route the internal port serves is in the document, and every documented one is served")
    void routesMatchTheDocument() {
        Services s = careline.main().services();
        Router router = Router.router(careline.vertx());
        s.backOfficeInbound.mount(router);
        new MediaRoutes(s.media, s.mediaLinks, Clock.systemUTC()).mount(router);
        Set<String> served = new TreeSet<>();
        for (Route r : router.getRoutes()) {
            String path = r.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
            r.methods().forEach(m -> served.add(m.name() + " " + path));
        }
        assertThat(served).isEqualTo(documented());
        assertThat(doc.get("openapi").asText()).startsWith("3.1");
        assertThat(doc.at("/webhooks/caseEvent/post/parameters").size()).isEqualTo(3);
    }

    @Test
    @DisplayName("The document is served on the internal port, and its example bodies are accepted by the handlers")
    void examplesAccepted() {
        var served = backOffice.get("/api/backoffice/openapi.yaml", null, null);
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.body()).contains("/api/backoffice/roster");

        String openid = "o-openapi-" + System.nanoTime();
        String caseId = doc.at("/paths/~1api~1backoffice~1cases~1{caseId}~1status/post/parameters/0/example").asText();
        Instant now = Instant.now();
        Await.result(account.redis().set(List.of(RedisKeys.caseRecord(openid, caseId), Json.write(new CaseRecord(caseId,
                "help-request", CaseStatus.RECEIVED, null, openid, Map.of(), now, now)))));
        Await.result(account.redis().set(List.of(RedisKeys.caseOwner(caseId), openid)));
        JsonNode status = doc.at("/paths/~1api~1backoffice~1cases~1{caseId}~1status/post/requestBody/content/application~1json/examples");
        status.forEach(example -> assertThat(send("POST", "/api/backoffice/cases/" + caseId + "/status",
                "application/json", example.get("value").toString()).status()).isEqualTo(200));

        JsonNode roster = doc.at("/paths/~1api~1backoffice~1roster/put/requestBody/content");
        String jsonVersion = null;
        for (JsonNode example : roster.at("/application~1json/examples")) {
            var answer = send("PUT", "/api/backoffice/roster", "application/json", example.get("value").toString());
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            jsonVersion = new JsonObject(answer.body()).getString("version");
        }
        for (JsonNode example : roster.at("/text~1csv/examples")) {
            var answer = send("PUT", "/api/backoffice/roster", "text/csv", example.get("value").asText());
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            // The CSV example is the JSON example written as CSV.
            assertThat(new JsonObject(answer.body()).getString("version")).isEqualTo(jsonVersion);
        }
    }

    static BackOfficeClient.Answer send(String method, String path, String type, String body) {
        return backOffice.send(method, path, type, body, BackOfficeClient.newEventId(), SECONDS.incrementAndGet());
    }
}
