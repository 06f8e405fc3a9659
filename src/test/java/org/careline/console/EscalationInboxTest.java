package org.careline.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.careline.conversation.Json;
import org.careline.flow.ConversationState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EscalationInboxTest {

    private static String line(String at, String from, String text) {
        return Json.object("at", at, "from", from, "text", text);
    }

    @Test
    @DisplayName("The alarm's trigger is the person's words of danger, not the 是的 that confirmed the handover")
    void triggerIsTheDangerNotTheYes() {
        // Newest first, as the transcript list is kept.
        List<String> lines = List.of(
                line("2026-12-02T13:00:20Z", "user", "我在家 一个人"),
                line("2026-12-02T13:00:10Z", "bot", "工作人员会尽快在这里回复您"),
                line("2026-12-02T13:00:09Z", "user", "是的"),
                line("2026-12-02T13:00:05Z", "bot", "你现在安全吗？"),
                line("2026-12-02T13:00:04Z", "user", "我不想活了"),
                line("2026-12-02T13:00:00Z", "user", "菜单"));
        ConversationState.Escalation esc = new ConversationState.Escalation(ConversationState.Escalation.Level.CRITICAL,
                "self_harm", Instant.parse("2026-12-02T13:00:09Z"), Instant.parse("2026-12-02T13:00:20Z"));
        assertThat(EscalationInbox.triggerText(lines, esc)).isEqualTo("我不想活了");
        for (String yes : List.of("是的", "嗯嗯", "对的", "好呀", "OK", "不要", " 是的 ")) {
            assertThat(EscalationInbox.bare(yes)).as(yes).isTrue();
        }
        assertThat(EscalationInbox.bare("不安全")).isFalse();
        assertThat(EscalationInbox.bare("我不想活了")).isFalse();
    }

    @Test
    @DisplayName("A long chat since the alarm: the trigger is the words kept when the alarm's path began")
    void triggerKeptBeyondTheLinesRead() {
        List<String> lines = List.of(line("2026-12-02T13:10:00Z", "user", "嗯"), line("2026-12-02T13:09:00Z", "user", "嗯"));
        ConversationState.Escalation esc = new ConversationState.Escalation(ConversationState.Escalation.Level.CRITICAL,
                "self_harm", Instant.parse("2026-12-02T13:00:00Z"), Instant.parse("2026-12-02T13:10:00Z"));
        ConversationState state = new ConversationState("urgent", "safe", ConversationState.Status.ESCALATED,
                java.util.Map.of("trigger_text", "我不想活了"), List.of(), List.of(), 0, "v", null, null, esc);
        assertThat(EscalationInbox.triggerText(lines, esc, state)).isEqualTo("我不想活了");
        ConversationState menu = new ConversationState("menu", null, ConversationState.Status.BOT,
                java.util.Map.of("trigger_text", "菜单"), List.of(), List.of(), 0, "v", null, null, esc);
        assertThat(EscalationInbox.triggerText(lines, esc, menu)).isNull();
    }

    @Test
    @DisplayName("An alarm's resolution note must say something")
    void resolutionNotes() {
        for (String junk : new String[] {".", "ok", "111", "xx", "啊啊", "没事", "  ", "。。。", "好", "没事了", "没事儿",
                "没事没事", "好了好了", "好的好的", "ok了", "已处理", "处理完毕", "已解决", "处理了", "搞定了", "已完成",
                "done", "Resolved.", "已处理完毕", "都处理好了", "已结案", "已核实", "已回访", "已联系", "已跟进"}) {
            assertThat(ConsoleApi.saysSomething(junk)).as(junk).isFalse();
        }
        for (String note : new String[] {"已报警", "孩子在奶奶家，安全", "called police, child safe", "已联系派出所处理",
                "孩子已安全", "已电话确认孩子安全", "社区主任已上门", "已联系家长，孩子在外婆家"}) {
            assertThat(ConsoleApi.saysSomething(note)).as(note).isTrue();
        }
    }
}
