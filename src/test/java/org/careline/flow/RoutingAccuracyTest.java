package org.careline.flow;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.careline.flowfiles.FlowLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures how well a first free-text message reaches the right journey, on the labelled set in
 * {@code src/test/resources/routing/}. Routed through the whole engine, as a person would experience it:
 * danger words, requests for a person and meaning-based routing all count.
 */
class RoutingAccuracyTest {

    static final int HELD_OUT_RIGHT_AT_LEAST = 81;
    static final int FALSE_ALARMS_AT_MOST = 3;

    record Labelled(String message, String flow, String need, String note) {}

    static List<Labelled> labelled() throws IOException {
        List<Labelled> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/routing/labelled-messages.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] c = line.split("\t", -1);
            rows.add(new Labelled(c[0], c[1], c.length > 2 ? c[2] : "", c.length > 3 ? c[3] : ""));
        }
        return rows;
    }

    /** Where a person lands after sending {@code message} as their first words to the bot. */
    static ConversationState route(FlowEngine engine, String message) {
        StepContext ctx = new StepContext(Instant.parse("2026-11-29T02:00:00Z"), ZoneId.of("Asia/Shanghai"),
                () -> "CL261129001", StepContext.Profile.family(), List.of(), Duration.ofMinutes(30),
                OfficeHours.parse("工作日 8:30–17:30"));
        return engine.step(null, new Input.Text(message), ctx).state();
    }

    static String landed(ConversationState s) {
        if (s == null || s.flow() == null || "menu".equals(s.flow()) || "welcome".equals(s.flow())) {
            return "none";
        }
        return s.flow();
    }

    @Test
    @DisplayName("At least 90% of the labelled first messages reach the right journey, the held-out half and false alarms no worse than measured")
    void accuracy() throws IOException {
        FlowEngine engine = new FlowEngine(FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml")));
        List<Labelled> rows = labelled();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(150);
        int right = 0;
        int needRight = 0;
        int needAsked = 0;
        Map<String, int[]> perFlow = new TreeMap<>();
        List<String> misses = new ArrayList<>();
        // Rows alternate between a tuning half (even rows) and a held-out half (odd rows): word lists may be
        // improved by looking at tuning misses only, and the held-out figure shows how well that generalises.
        int[] heldOut = new int[2];
        // A false danger alarm (an ordinary message sent to urgent) starts a police-report procedure: counted
        // on both halves, listed only for the tuning half.
        int[] falseAlarms = new int[2];
        List<String> alarms = new ArrayList<>();
        int index = 0;
        for (Labelled row : rows) {
            boolean held = index++ % 2 == 1;
            ConversationState s = route(engine, row.message());
            String got = landed(s);
            int[] tally = perFlow.computeIfAbsent(row.flow(), k -> new int[2]);
            tally[1]++;
            if (held) {
                heldOut[1]++;
            }
            if (got.equals(row.flow())) {
                right++;
                tally[0]++;
                if (held) {
                    heldOut[0]++;
                }
            } else if (!held) {
                misses.add(row.flow() + " <- " + got + " : " + row.message());
            }
            // Any alarm counts, the gentle check too: it also tells staff.
            boolean alarm = got.equals("urgent") || (s != null && s.escalation() != null
                    && s.escalation().level() != ConversationState.Escalation.Level.STAFF);
            if (alarm && !row.flow().equals("urgent")) {
                falseAlarms[held ? 1 : 0]++;
                if (!held) {
                    alarms.add(row.flow() + " : " + row.message());
                }
            }
            if (!row.need().isEmpty() && got.equals("help-request")) {
                needAsked++;
                String need = s.fields() == null ? null : s.fields().get("need");
                if (row.need().equals(need)) {
                    needRight++;
                }
            }
        }
        double accuracy = 100.0 * right / rows.size();
        StringBuilder report = new StringBuilder(String.format("routing accuracy: %d/%d = %.1f%%%n", right,
                rows.size(), accuracy));
        report.append(String.format("  held-out half: %d/%d = %.1f%%%n", heldOut[0], heldOut[1],
                100.0 * heldOut[0] / heldOut[1]));
        perFlow.forEach((flow, t) -> report.append(String.format("  %-14s %3d/%3d%n", flow, t[0], t[1])));
        report.append(String.format("need preset right: %d/%d%n", needRight, needAsked));
        report.append(String.format("false danger alarms: tuning half %d, held-out half %d%n", falseAlarms[0],
                falseAlarms[1]));
        alarms.forEach(a -> report.append("  false alarm: ").append(a).append('\n'));
        report.append("misses in the tuning half (held-out misses are not listed):\n");
        misses.forEach(m -> report.append("  miss: ").append(m).append('\n'));
        System.out.println(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/routing-accuracy.txt"), report);
        assertThat(accuracy).as(report.toString()).isGreaterThanOrEqualTo(90.0);
        // Floors at the figures measured on 2026-12-02 (81/96 held out, 3 false alarms, all held out): they
        // guard against regressions; raise them when the figures improve.
        assertThat(heldOut[0]).as("held-out rows right\n" + report).isGreaterThanOrEqualTo(HELD_OUT_RIGHT_AT_LEAST);
        assertThat(falseAlarms[0] + falseAlarms[1]).as("false danger alarms\n" + report)
                .isLessThanOrEqualTo(FALSE_ALARMS_AT_MOST);
    }
}
