package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.careline.flowfiles.FlowLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Someone at risk of suicide or self-harm (or a parent of such a child) is never answered without the
 * psychological-help line 12356: not when they say something new later, not at a question asked again, not
 * after 取消 or 人工. Every conversation of up to two more messages after each opening is played on the
 * shipped flows, and every reply given on the self-harm path is checked.
 */
class CrisisLineTest {

    static FlowEngine engine;
    static final String LINE = "12356";
    /** Stands for staff closing the alarm in the console. */
    static final String RESOLVE = "<staff resolve>";

    @BeforeAll
    static void load() {
        engine = new FlowEngine(FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml")));
    }

    static final List<List<String>> OPENINGS = List.of(
            List.of("我不想活了"),
            List.of("我吃了一把药"),
            List.of("我孩子说不想活了"),
            List.of("我女儿吃了一瓶药"),
            List.of("我不想活了", "安全"),
            List.of("我不想活了", "安全", RESOLVE, "又开始了"));

    /** What people say next: answers, new danger, fear, commands, things the bot cannot read. */
    static final List<String> NEXT = List.of("安全", "不安全", "不知道", "嗯", "还行吧", "取消", "人工", "我又想跳楼了",
            "刚才吃了一把药", "其实骗你的 我在河边", "不敢报警", "她跑出去了 找不到人", "在我身边", "他又打我了",
            "你们能帮我吗", "结束人工");

    @Test
    @DisplayName("every reply on the self-harm path carries the psychological-help line 12356")
    void everySelfHarmReplyCarriesTheLine() {
        List<String> missing = new ArrayList<>();
        for (List<String> opening : OPENINGS) {
            Played p = new Played(null, START, List.of());
            for (String text : opening) {
                p = p.then(text, missing);
            }
            explore(p, 2, missing);
        }
        // One example per reply text: the same text missing the line is one mistake in the flow files.
        java.util.Map<String, String> byReply = new java.util.TreeMap<>();
        missing.forEach(m -> byReply.putIfAbsent(m.substring(m.indexOf(" -> ")), m));
        assertThat(byReply.values()).as("replies on the self-harm path without " + LINE + ":\n"
                + String.join("\n", byReply.values())).isEmpty();
    }

    static final Instant START = Instant.parse("2026-11-03T02:00:00Z");

    private static void explore(Played p, int more, List<String> missing) {
        if (more == 0) {
            return;
        }
        for (String next : NEXT) {
            explore(p.then(next, missing), more - 1, missing);
        }
    }

    /** A conversation played so far: each step is played once, its replies checked as it is played. */
    private record Played(ConversationState state, Instant now, List<String> said) {

        Played then(String text, List<String> missing) {
            List<String> more = new ArrayList<>(said);
            more.add(text);
            if (RESOLVE.equals(text)) {
                return new Played(FlowEngine.resolved(state, now), now.plus(Duration.ofHours(20)), more);
            }
            Instant at = now.plusSeconds(60);
            Step step = engine.step(state, new Input.Text(text), ctx(at));
            if (onSelfHarmPath(state, step.state())) {
                for (Effect e : step.effects()) {
                    if (e instanceof Effect.Reply r && !r.text().contains(LINE)) {
                        missing.add(more + " -> " + r.text().replace('\n', ' '));
                    }
                }
            }
            return new Played(step.state(), at, more);
        }
    }

    private static final Set<String> SELF_HARM_KINDS = Set.of("self_harm", "self_harm_child");

    /**
     * A self-harm alarm is open and the reply comes from the urgent flow, or while staff have the chat (not a
     * form or the menu the person chose to go on to).
     */
    private static boolean onSelfHarmPath(ConversationState before, ConversationState after) {
        boolean alarm = after.escalation() != null && after.escalation().alarm()
                && SELF_HARM_KINDS.contains(after.fields().get("alarm_kind"));
        boolean urgentFlow = "urgent".equals(after.flow())
                || before != null && before.status() == ConversationState.Status.ESCALATED;
        return alarm && urgentFlow;
    }

    private static StepContext ctx(Instant now) {
        return new StepContext(now, ZoneId.of("Asia/Shanghai"), () -> "CL261103001", StepContext.Profile.family(),
                List.of(), Duration.ofMinutes(30), OfficeHours.parse("工作日 8:30–17:30"));
    }
}
