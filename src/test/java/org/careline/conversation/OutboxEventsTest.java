package org.careline.conversation;

import io.vertx.core.json.JsonObject;
import org.careline.cases.BackOfficeClient;
import org.careline.cases.CaseEvent;
import org.careline.cases.EventSchemaValidator;
import org.careline.cases.EventSchemas;
import org.careline.flowfiles.FlowLoader;
import org.careline.flowfiles.TranscriptResult;
import org.careline.flowfiles.TranscriptRunner;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every outbox event the shipped flows cause, in every transcript of {@code conversation-flows/tests/}, as the
 * back office would receive it, checked against its published schema.
 */
class OutboxEventsTest {

    static final String OPENID = "o-outbox-events";

    /** Envelopes by type, from playing every transcript through StepChanges. */
    static Map<String, List<String>> envelopesOfTranscripts() {
        Map<String, List<String>> byType = new TreeMap<>();
        AtomicInteger ids = new AtomicInteger();
        TranscriptRunner runner = new TranscriptRunner(FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml")), (before, step, now) -> {
            StepChanges c = StepChanges.of(OPENID, before, step, "…", now, Duration.ofDays(30),
                    ZoneId.of("Asia/Shanghai"), () -> "evt-" + ids.incrementAndGet());
            for (List<String> op : c.changes().ops()) {
                if (op.get(0).equals("XADD")) {
                    Map<String, String> fields = new LinkedHashMap<>();
                    for (int i = 3; i + 1 < op.size(); i += 2) {
                        fields.put(op.get(i), op.get(i + 1));
                    }
                    byType.computeIfAbsent(fields.get("type"), t -> new ArrayList<>())
                            .add(BackOfficeClient.envelope(fields).toString());
                }
            }
        });
        List<TranscriptResult> results = runner.runAll(Path.of("conversation-flows", "tests"));
        assertThat(results).isNotEmpty();
        return byType;
    }

    @Test
    @DisplayName("every event the transcripts cause validates against the schema of its type and version")
    void transcriptsEventsValidate() {
        Map<String, List<String>> byType = envelopesOfTranscripts();
        if (Boolean.getBoolean("events.dump")) {
            byType.forEach((t, l) -> System.out.println(t + " (" + l.size() + ")\n" + new JsonObject(l.get(l.size() - 1)).encodePrettily()));
        }
        // The flows reach each of these; a flow change that stops emitting one should be noticed.
        assertThat(byType).containsKeys(CaseEvent.CASE_CREATED, CaseEvent.CHANGE_REPORTED, CaseEvent.ESCALATION_OPENED,
                CaseEvent.ESCALATION_MESSAGE, CaseEvent.ESCALATION_UPDATED, CaseEvent.ESCALATION_RESOLVED);
        assertThat(EventSchemas.TYPES).containsAll(byType.keySet());
        EventSchemaValidator validator = new EventSchemaValidator();
        List<String> problems = new ArrayList<>();
        byType.values().forEach(list -> list.forEach(body -> problems.addAll(validator.problems(body))));
        assertThat(problems).isEmpty();
    }
}
