package org.careline.flow;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.careline.flowfiles.FlowLoader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The labelled safety set ({@code src/test/resources/safety/labelled-safety.tsv}, written by someone who never
 * saw the word lists): every message is tried as a first message, at a choice question and at a text
 * question of a help request, and must raise an alarm (urgent, or the gentle safety check that also tells
 * staff) wherever it is said. Half the set ({@code held}) is never looked at while the word lists are
 * edited: its figure is the honest one. Misses are listed for the tuning half only.
 */
class SafetyRecognitionTest {

    record Row(String id, String half, String label, String kind, String lang, String speaker, String text) {}

    /** How one message was taken at one point of a conversation. */
    enum Outcome { URGENT, CHECK, NONE }

    static final double HELD_OUT_RECALL_FLOOR = 0.83;
    static final double HELD_OUT_FALSE_ALARM_CEILING = 0.025;

    static FlowEngine engine;
    static List<Row> rows;

    @BeforeAll
    static void load() throws IOException {
        engine = new FlowEngine(FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml")));
        rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/safety/labelled-safety.tsv"), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            rows.add(new Row(f[0], f[1], f[2], f[3], f[4], f[5], f[6]));
        }
    }

    static StepContext ctx() {
        return new StepContext(Instant.parse("2026-11-03T02:00:00Z"), ZoneId.of("Asia/Shanghai"), () -> "CL261103001",
                StepContext.Profile.family(), List.of(), Duration.ofMinutes(30), OfficeHours.parse("工作日 8:30–17:30"));
    }

    /** A help request waiting at its consent question (a choice). */
    static ConversationState atChoice() {
        ConversationState s = engine.step(null, new Input.Text("我想申请帮助"), ctx()).state();
        assertThat(s.node()).isEqualTo("consent");
        return s;
    }

    /** A help request waiting for the person's name (a text question). */
    static ConversationState atText() {
        ConversationState s = engine.step(atChoice(), new Input.Text("同意"), ctx()).state();
        assertThat(engine.step(s, new Input.Text("王丽"), ctx()).state().node()).isNotEqualTo(s.node());
        return s;
    }

    static Outcome outcome(ConversationState before, String text) {
        Step step = engine.step(before, new Input.Text(text), ctx());
        ConversationState.Escalation e = step.state().escalation();
        if (e == null || !"urgent".equals(step.state().flow())) {
            return Outcome.NONE;
        }
        return e.urgent() ? Outcome.URGENT : Outcome.CHECK;
    }

    /** The outcomes at the three points: first message, choice question, text question. */
    static List<Outcome> everywhere(String text) {
        return List.of(outcome(null, text), outcome(atChoice(), text), outcome(atText(), text));
    }

    @Test
    @DisplayName("Danger and suicide words are heard at every question of every flow, before the answer is read")
    void everyQuestionOfEveryFlow() {
        Flows flows = FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml"));
        int questions = 0;
        for (String id : flows.ids()) {
            if (id.equals("urgent")) {
                continue;
            }
            for (FlowNode n : flows.flow(id).nodes().values()) {
                if (n.ask() == null || n.isEnd()) {
                    continue;
                }
                questions++;
                ConversationState at = new ConversationState(id, n.id(), ConversationState.Status.BOT, java.util.Map.of(),
                        List.of(), List.of(), 0, flows.version(), ctx().now(), ctx().now());
                Step harm = engine.step(at, new Input.Text("隔壁又在打孩子了 孩子一直在哭喊"), ctx());
                assertThat(harm.state().flow()).as(id + "/" + n.id() + " hears danger").isEqualTo("urgent");
                assertThat(harm.state().node()).as(id + "/" + n.id()).isEqualTo("police");
                assertThat(harm.state().escalation().urgent()).isTrue();
                Step self = engine.step(at, new Input.Text("我真的好想就这样死掉算了"), ctx());
                assertThat(self.state().node()).as(id + "/" + n.id() + " hears suicide").isEqualTo("safe");
                assertThat(self.effects()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(Effect.Reply.class,
                        r -> assertThat(r.text()).contains("12356").doesNotContain("报警了吗")));
            }
        }
        assertThat(questions).as("questions tried").isGreaterThan(20);
    }

    @Test
    @DisplayName("A voice note's recognised text is heard for danger; without danger it stays an attachment")
    void voiceRecognition() {
        Step spoken = engine.step(atChoice(), new Input.Media(Input.MediaKind.VOICE, "m1", "我不想活了"), ctx());
        assertThat(spoken.state().node()).isEqualTo("safe");
        assertThat(spoken.state().escalation().urgent()).isTrue();
        Step plain = engine.step(atChoice(), new Input.Media(Input.MediaKind.VOICE, "m2", "我同意"), ctx());
        assertThat(plain.state().escalation()).isNull();
        assertThat(plain.state().flow()).isEqualTo("help-request");
    }

    @Test
    @DisplayName("A phone number, a choice number or a short name typed where one is asked is only that answer")
    void answersAreNotAlarms() {
        ConversationState atName = atText();
        assertThat(outcome(atName, "王丽")).isEqualTo(Outcome.NONE);
        assertThat(outcome(atChoice(), "1")).isEqualTo(Outcome.NONE);
        assertThat(engine.step(atChoice(), new Input.Text("2"), ctx()).state().escalation()).isNull();
    }

    @Test
    @DisplayName("Danger is heard at every point, on the tuning and the held-out half, with few false alarms")
    void recallAndFalseAlarms() {
        StringBuilder report = new StringBuilder("safety recognition (first message, choice question, text question):\n");
        List<String> tuneMisses = new ArrayList<>();
        double[] recall = new double[2];
        double[] falseAlarms = new double[2];
        String[] halves = {"tune", "held"};
        for (int h = 0; h < 2; h++) {
            String half = halves[h];
            int urgent = 0;
            int heard = 0;
            int sure = 0;
            int crisis = 0;
            int selfHarm = 0;
            int concern = 0;
            int asked = 0;
            int safe = 0;
            int alarmed = 0;
            for (Row r : rows) {
                if (!r.half().equals(half)) {
                    continue;
                }
                List<Outcome> o = everywhere(r.text());
                switch (r.label()) {
                    case "urgent" -> {
                        urgent++;
                        if (!o.contains(Outcome.NONE)) {
                            heard++;
                        } else if (half.equals("tune")) {
                            tuneMisses.add("  missed " + r.id() + " " + r.kind() + "/" + r.lang() + " " + o + ": " + r.text());
                        }
                        if (o.get(0) == Outcome.URGENT) {
                            sure++;
                        }
                        if (r.kind().equals("self_harm")) {
                            selfHarm++;
                            Step first = engine.step(null, new Input.Text(r.text()), ctx());
                            if (first.effects().stream().anyMatch(e -> e instanceof Effect.Reply x && x.text().contains("12356"))) {
                                crisis++;
                            }
                        }
                    }
                    case "concern" -> {
                        concern++;
                        if (!o.contains(Outcome.NONE)) {
                            asked++;
                        }
                    }
                    default -> {
                        safe++;
                        if (o.stream().anyMatch(x -> x != Outcome.NONE)) {
                            alarmed++;
                            if (half.equals("tune")) {
                                tuneMisses.add("  false alarm " + r.id() + " " + r.kind() + "/" + r.lang() + " " + o + ": " + r.text());
                            }
                        }
                    }
                }
            }
            recall[h] = (double) heard / urgent;
            falseAlarms[h] = (double) alarmed / safe;
            report.append(String.format(Locale.ROOT, "  %s half: urgent heard at all three points %d/%d = %.1f%%"
                            + " (raised as urgent at once %d/%d); self-harm given 12356 %d/%d; concern asked or alarmed %d/%d;"
                            + " false alarms %d/%d = %.1f%%%n", half, heard, urgent, 100.0 * recall[h], sure, urgent,
                    crisis, selfHarm, asked, concern, alarmed, safe, 100.0 * falseAlarms[h]));
        }
        tuneMisses.forEach(m -> report.append(m).append('\n'));
        System.out.print(report);
        assertThat(recall[0]).as("urgent recall, tuning half").isEqualTo(1.0);
        assertThat(falseAlarms[0]).as("false alarms, tuning half").isLessThanOrEqualTo(0.02);
        // The held-out half is what word lists and the example model have not seen. Issue 6 asks for 97%
        // recall and at most 2% false alarms there; measured on 2026-12-02: 79.8% and 3.7% (README). These
        // floors only stop it getting worse; the gap is stated in the README and the issue, not hidden.
        assertThat(recall[1]).as("urgent recall, held-out half").isGreaterThanOrEqualTo(HELD_OUT_RECALL_FLOOR);
        assertThat(falseAlarms[1]).as("false alarms, held-out half").isLessThanOrEqualTo(HELD_OUT_FALSE_ALARM_CEILING);
    }
}
