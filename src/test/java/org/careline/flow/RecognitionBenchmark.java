package org.careline.flow;

import org.junit.jupiter.api.Test;
import org.careline.flowfiles.FlowLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How long reading one message costs: a whole engine step on a first message (danger recognition in every
 * layer, then routing by meaning), for a 2,000-character story, a 60 KB paste and a 60 KB run of "a,". Not
 * part of the test run: {@code mvn -q test -Dtest=RecognitionBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Writes {@code target/benchmark-recognition.txt}.
 */
class RecognitionBenchmark {

    static final String STORY = "我是孩子的奶奶，今年七十多了，孩子他爸在外地打工好几年没回来，妈妈也跑了，"
            + "孙子今年八岁，上个月发高烧住院花了三千多，我一个人带着他，低保还没批下来，家里实在拿不出钱，"
            + "想问问能不能申请临时救助，需要什么材料，我不太会打字，麻烦你们了。";

    @Test
    void measure() throws IOException {
        Flows flows = FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml"));
        FlowEngine engine = new FlowEngine(flows);
        StepContext ctx = new StepContext(Instant.parse("2026-11-03T02:00:00Z"), ZoneId.of("Asia/Shanghai"), () -> "CL1",
                StepContext.Profile.family(), List.of(), Duration.ofMinutes(30), OfficeHours.parse("工作日 8:30–17:30"));
        StringBuilder report = new StringBuilder("recognition benchmark (one engine step on a first message):\n");
        report.append(run(engine, ctx, "2,000 characters (a story)", repeat(STORY, 2_000), 2_000));
        report.append(run(engine, ctx, "60 KB of Chinese text", repeat(STORY, 20_000), 200));
        report.append(run(engine, ctx, "60 KB of \"a,\"", "a,".repeat(30_000), 200));
        report.append(run(engine, ctx, "a short message", "我孩子被打了", 20_000));
        report.append("recognition only (read the message once, then every danger list, pattern and combination):\n");
        List<Common.GlobalIntent> danger = flows.common().globals().stream()
                .filter(g -> g.flow() != null && "urgent".equals(g.flow().target())).toList();
        report.append(recognise(danger, "2,000 characters (a story)", repeat(STORY, 2_000), 2_000));
        report.append(recognise(danger, "60 KB of Chinese text", repeat(STORY, 20_000), 200));
        report.append(recognise(danger, "60 KB of \"a,\"", "a,".repeat(30_000), 200));
        System.out.print(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/benchmark-recognition.txt"), report);
    }

    static String repeat(String s, int length) {
        StringBuilder b = new StringBuilder();
        while (b.length() < length) {
            b.append(s);
        }
        return b.substring(0, length);
    }

    static String recognise(List<Common.GlobalIntent> danger, String what, String text, int times) {
        long[] nanos = new long[times];
        int found = 0;
        for (int i = -Math.min(times, 200); i < times; i++) {
            long t = System.nanoTime();
            Heard heard = Heard.of(text);
            for (Common.GlobalIntent g : danger) {
                if (g.matches(heard)) {
                    found++;
                    break;
                }
            }
            if (i >= 0) {
                nanos[i] = System.nanoTime() - t;
            }
        }
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "  %-28s %6d chars: median %.2f ms, p99 %.2f ms, max %.2f ms (%d runs)%n",
                what, text.length(), nanos[times / 2] / 1e6, nanos[(int) (times * 0.99)] / 1e6, nanos[times - 1] / 1e6, times);
    }

    static String run(FlowEngine engine, StepContext ctx, String what, String text, int times) {
        for (int i = 0; i < Math.min(times, 200); i++) {
            engine.step(null, new Input.Text(text), ctx);
        }
        long[] nanos = new long[times];
        for (int i = 0; i < times; i++) {
            long t = System.nanoTime();
            engine.step(null, new Input.Text(text), ctx);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "  %-28s %6d chars: median %.2f ms, p99 %.2f ms, max %.2f ms (%d runs)%n",
                what, text.length(), nanos[times / 2] / 1e6, nanos[(int) (times * 0.99)] / 1e6, nanos[times - 1] / 1e6, times);
    }
}
