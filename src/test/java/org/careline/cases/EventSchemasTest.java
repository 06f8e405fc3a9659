package org.careline.cases;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The published event schemas, and the delivery rules that do not need a network. */
class EventSchemasTest {

    final EventSchemaValidator validator = new EventSchemaValidator();

    static String envelope(String type, JsonObject data) {
        return new JsonObject().put("id", "evt-1").put("type", type).put("occurredAt", "2025-12-02T08:00:00Z")
                .put("schemaVersion", 1).put("data", data).encode();
    }

    @Test
    @DisplayName("every event type has a schema that loads, and the schemas refuse what breaks the contract")
    void schemasExistAndBite() {
        JsonObject erased = new JsonObject().put("openidHash", "u_0123456789").put("caseIds", java.util.List.of("CL1"))
                .put("requestedAt", "2025-12-02T08:00:00Z");
        assertThat(validator.problems(envelope(CaseEvent.PERSON_ERASED, erased))).isEmpty();
        assertThat(validator.problems(envelope(CaseEvent.PERSON_ERASED, erased.copy().put("openidHash", "oAbC-raw-openid"))))
                .isNotEmpty();
        assertThat(validator.problems(envelope(CaseEvent.CASE_CREATED, new JsonObject().put("kind", "help-request"))))
                .anyMatch(p -> p.contains("caseId"));
        for (String type : EventSchemas.TYPES) {
            // An empty data object is wrong for every type: each requires something.
            assertThat(validator.problems(envelope(type, new JsonObject()))).as(type).isNotEmpty();
        }
    }

    @Test
    @DisplayName("2xx delivers; 408, 409, 429 and 5xx retry; any other 4xx is permanent")
    void verdicts() {
        assertThat(DeliveryPolicy.verdict(200)).isEqualTo(DeliveryPolicy.Verdict.DELIVERED);
        assertThat(DeliveryPolicy.verdict(204)).isEqualTo(DeliveryPolicy.Verdict.DELIVERED);
        for (int s : new int[] {400, 401, 403, 404, 410, 422}) {
            assertThat(DeliveryPolicy.verdict(s)).as("%d", s).isEqualTo(DeliveryPolicy.Verdict.PERMANENT);
        }
        for (int s : new int[] {408, 409, 429, 500, 502, 503, 504, 301}) {
            assertThat(DeliveryPolicy.verdict(s)).as("%d", s).isEqualTo(DeliveryPolicy.Verdict.RETRY);
        }
    }

    @Test
    @DisplayName("retries wait a random time up to base * 2^(n-1), never more than the cap; the limit counts from the write")
    void backoff() {
        DeliveryPolicy p = new DeliveryPolicy(Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofHours(24));
        Random r = new Random(7);
        long maxFirst = 0;
        long maxTenth = 0;
        for (int i = 0; i < 2000; i++) {
            maxFirst = Math.max(maxFirst, p.backoff(1, r).toMillis());
            maxTenth = Math.max(maxTenth, p.backoff(10, r).toMillis());
            assertThat(p.backoff(100, r)).isLessThanOrEqualTo(Duration.ofHours(1));
        }
        assertThat(maxFirst).isBetween(900L, 1000L);
        assertThat(maxTenth).isBetween(460_000L, 512_000L);
        assertThat(p.expired(0, Duration.ofHours(24).toMillis() - 1)).isFalse();
        assertThat(p.expired(0, Duration.ofHours(24).toMillis())).isTrue();
    }
}
