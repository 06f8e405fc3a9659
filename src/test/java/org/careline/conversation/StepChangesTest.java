package org.careline.conversation;

import org.careline.flow.ConversationState;
import org.careline.flow.Effect;
import org.careline.flow.Step;
import org.careline.redis.RedisKeys;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The effects of a step become the commands of one atomic save, worked out without Redis. */
class StepChangesTest {

    static final String OPENID = "o-step-changes";
    static final Instant NOW = Instant.parse("2026-11-03T02:00:00Z");

    static StepChanges plan(ConversationState before, List<Effect> effects) {
        ConversationState after = new ConversationState("urgent", "police", ConversationState.Status.BOT, Map.of(),
                List.of(), List.of(), 0, "v1", NOW, NOW);
        AtomicInteger ids = new AtomicInteger();
        return StepChanges.of(OPENID, before, new Step(after, effects), "孩子被打伤了", NOW, Duration.ofDays(30),
                ZoneId.of("Asia/Shanghai"), () -> "event-" + ids.incrementAndGet());
    }

    /** The commands of the save, as "COMMAND key" strings. */
    static List<String> commands(StepChanges c) {
        return c.changes().ops().stream().map(op -> op.get(0) + " " + op.get(1)).toList();
    }

    @Test
    @DisplayName("An alarm opened with a case: state, case, events and transcript in one save, all under the person's hash tag")
    void alarmAndCase() {
        StepChanges c = plan(null, List.of(
                new Effect.Reply("【紧急】请马上拨打 110"),
                new Effect.OpenCase("CL261103001", "help-request", Map.of("need", "medical")),
                new Effect.Escalate("疑似儿童受到伤害", true, "urgent", true, Map.of())));
        assertThat(commands(c)).containsExactly(
                "SET " + RedisKeys.conversation(OPENID),
                "SET " + RedisKeys.caseRecord(OPENID, "CL261103001"),
                "ZADD " + RedisKeys.userCases(OPENID),
                "XADD " + RedisKeys.outbox(OPENID),
                "XADD " + RedisKeys.outbox(OPENID),
                "LPUSH " + RedisKeys.transcript(OPENID),
                "LTRIM " + RedisKeys.transcript(OPENID),
                "PEXPIRE " + RedisKeys.transcript(OPENID));
        assertThat(c.changes().keys()).allMatch(k -> k.contains("{p:" + RedisKeys.person(OPENID) + "}"));
        assertThat(c.replies()).containsExactly("【紧急】请马上拨打 110");
        assertThat(c.caseIds()).containsExactly("CL261103001");
        assertThat(c.openedAlarms()).containsExactly(true);
        assertThat(c.escalated()).isTrue();
        assertThat(c.events()).isEqualTo(2);
        String events = String.join("\n", c.changes().ops().stream().filter(op -> op.get(0).equals("XADD"))
                .map(op -> String.join(" ", op)).toList());
        assertThat(events).contains("case.created").contains("escalation.opened").contains("event-1")
                .doesNotContain(OPENID + "\"");
    }

    @Test
    @DisplayName("An alarm raised again is an escalation.updated, never a second escalation.opened; messages are added to it")
    void raisedAlarm() {
        ConversationState before = new ConversationState("urgent", "safe", ConversationState.Status.BOT, Map.of(),
                List.of(), List.of(), 0, "v1", NOW, NOW);
        StepChanges c = plan(before, List.of(
                new Effect.EscalationMessage("我在天台上"),
                new Effect.Escalate("自伤风险", true, "critical", false, Map.of())));
        List<String> types = c.changes().ops().stream().filter(op -> op.get(0).equals("XADD"))
                .map(op -> op.get(op.indexOf("type") + 1)).toList();
        assertThat(types).containsExactly("escalation.message", "escalation.updated");
        assertThat(c.openedAlarms()).isEmpty();
        assertThat(c.escalated()).isTrue();
    }

    @Test
    @DisplayName("A step that only answers writes the state and the transcript, and no event")
    void plainAnswer() {
        StepChanges c = plan(null, List.of(new Effect.Reply("请问需要什么帮助？")));
        assertThat(commands(c)).hasSize(4);
        assertThat(c.events()).isZero();
        assertThat(c.escalated()).isFalse();
        assertThat(c.closed()).isFalse();
    }

    @Test
    @DisplayName("A photo's transcript line names the kept copy (for the console), a text line names none")
    void photoLinkedFromTheTranscript() {
        ConversationState after = new ConversationState("help-request", "photos", ConversationState.Status.BOT,
                Map.of(), List.of(), List.of(), 0, "v1", NOW, NOW);
        StepChanges c = StepChanges.of(OPENID, null, new Step(after, List.of(new Effect.Reply("收到照片"))), "[图片]",
                new Incoming.Attachment("image", "0123456789abcdef0123456789abcdef"), NOW, Duration.ofDays(30),
                ZoneId.of("Asia/Shanghai"), () -> "event-1", null);
        List<String> push = c.changes().ops().stream().filter(op -> op.get(0).equals("LPUSH")).findFirst().orElseThrow();
        assertThat(push.get(2)).contains("\"media\":\"0123456789abcdef0123456789abcdef\"").contains("\"mediaKind\":\"image\"");
        assertThat(push.get(3)).doesNotContain("media");
        assertThat(plan(null, List.of(new Effect.Reply("好的"))).changes().ops().stream()
                .filter(op -> op.get(0).equals("LPUSH")).findFirst().orElseThrow().get(2)).doesNotContain("media");
    }
}
