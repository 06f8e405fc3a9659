package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.careline.flow.ConversationState.Status;
import org.careline.flow.Effect.Reply;
import org.careline.flowfiles.FlowLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The engine on a small world of test flows (src/test/resources/engine-flows): one rule per test. */
class FlowEngineTest {

    static final Flows FLOWS = FlowLoader.load(Path.of("src/test/resources/engine-flows"),
            Path.of("src/test/resources/engine-regions.yaml"));

    private final FlowEngine engine = new FlowEngine(FLOWS);
    private Instant now = Instant.parse("2026-11-03T01:00:00Z");
    private StepContext.Profile profile = StepContext.Profile.family();
    private ConversationState state;
    private Step last;
    private int cases;

    @BeforeEach
    void reset() {
        state = null;
    }

    private StepContext ctx() {
        return new StepContext(now, ZoneId.of("Asia/Shanghai"), () -> "C-" + (++cases), profile, List.of(),
                Duration.ofMinutes(30), OfficeHours.parse("工作日 8:30–17:30"));
    }

    private String send(Input input) {
        now = now.plusSeconds(60);
        last = engine.step(state, input, ctx());
        state = last.state();
        return replies();
    }

    private String say(String text) {
        return send(new Input.Text(text));
    }

    private String replies() {
        return last.effects().stream().filter(e -> e instanceof Reply).map(e -> ((Reply) e).text())
                .reduce("", (a, b) -> a + b);
    }

    private List<Effect> effects() {
        return last.effects().stream().filter(e -> !(e instanceof Reply)).toList();
    }

    private void at(String flow, String node) {
        assertThat(state.flow() + "/" + state.node()).isEqualTo(flow + "/" + node);
    }

    private void startTypes() {
        send(new Input.MenuClick("K_TYPES"));
        at("types", "code");
    }

    /** Walks the types flow up to the named node with valid answers. */
    private void walkTo(String node) {
        startTypes();
        List<String> answers = new ArrayList<>(List.of("AB12", "2", "是", "13812345678", "11010519491231002X",
                "今天", "3", "凤凰", "1", "", "", ""));
        List<String> nodes = List.of("code", "color", "agree", "phone", "id", "date", "number", "town", "community",
                "photo", "voice", "where");
        for (int i = 0; !nodes.get(i).equals(node); i++) {
            String n = nodes.get(i);
            switch (n) {
                case "photo" -> send(new Input.Media(Input.MediaKind.IMAGE, "img-1"));
                case "voice" -> send(new Input.Media(Input.MediaKind.VOICE, "voice-1"));
                default -> say(answers.get(i));
            }
        }
        at("types", node);
    }

    @Nested
    @DisplayName("questions")
    class Questions {

        @Test
        @DisplayName("free text checked against a pattern, kept half-width; a wrong one gets the re-ask text")
        void textWithPattern() {
            startTypes();
            assertThat(say("ab")).contains("代码不对");
            assertThat(state.attempts()).isEqualTo(1);
            say("ＡＢ１２");
            assertThat(state.fields()).containsEntry("code", "AB12");
            at("types", "color");
        }

        @Test
        @DisplayName("after the retry limit the fallback offers a person, with the reason recorded")
        void retryLimitOffersPerson() {
            startTypes();
            say("x");
            assertThat(say("y")).contains("要人工吗");
            at("staff", "offer");
            assertThat(state.fields()).containsEntry("handoff_reason", "听不懂");
        }

        @Test
        @DisplayName("a numbered choice shows numbered options and takes a number, a Chinese numeral, a label or a word")
        void choice() {
            walkTo("code");
            assertThat(say("AB12")).contains("1 红色").contains("2 蓝色");
            assertThat(say("第二个")).contains("同意吗");
            assertThat(state.fields()).containsEntry("color", "blue").containsEntry("color_label", "蓝色");
            say("返回");
            say("天蓝色的");
            assertThat(state.fields()).containsEntry("color", "blue");
            say("返回");
            say("红色");
            assertThat(state.fields()).containsEntry("color", "red");
            say("返回");
            assertThat(say("9")).contains("再试一次").contains("1 红色");
        }

        @Test
        @DisplayName("yes/no takes 1/2 and everyday words, with the hint shown")
        void yesNo() {
            walkTo("agree");
            assertThat(say("也许")).contains("1 是 2 否");
            say("好");
            assertThat(state.fields()).containsEntry("agree", "yes");
        }

        @Test
        @DisplayName("an empty message repeats the question itself, not \"please try again\", and counts no try")
        void emptyMessageRepeatsQuestion() {
            walkTo("agree");
            String asked = replies();
            assertThat(say("  ")).isEqualTo(asked).doesNotContain("再试一次");
            assertThat(state.attempts()).isZero();
            at("types", "agree");
        }

        @Test
        @DisplayName("a mainland mobile number with spaces or +86 is kept as 11 digits; others are refused")
        void phone() {
            walkTo("phone");
            assertThat(say("12345")).contains("再试一次");
            assertThat(say("238-1234")).contains("再试一次");
            say("+86 138 1234 5678");
            assertThat(state.fields()).containsEntry("phone", "13812345678");
        }

        @Test
        @DisplayName("a landline with its area code is accepted too: some grandparents have no mobile phone")
        void landline() {
            walkTo("phone");
            say("0523-86123456");
            assertThat(state.fields()).containsEntry("phone", "052386123456");
        }

        @Test
        @DisplayName("an ID number must carry a valid GB 11643 check character")
        void idNumber() {
            walkTo("id");
            assertThat(say("110105194912310021")).contains("再试一次");
            say("11010519491231002x");
            assertThat(state.fields()).containsEntry("id_number", "11010519491231002X");
        }

        @Test
        @DisplayName("a date as 2026-11-03, 11月3日 or 前天 is kept as an ISO date")
        void date() {
            walkTo("date");
            assertThat(say("不记得")).contains("再试一次");
            say("前天");
            assertThat(state.fields()).containsEntry("day", "2026-11-01");
            say("返回");
            say("2026-10-05");
            assertThat(state.fields()).containsEntry("day", "2026-10-05");
            say("返回");
            say("12月24日");
            assertThat(state.fields()).containsEntry("day", "2025-12-24");
        }

        @Test
        @DisplayName("a number in digits or Chinese")
        void number() {
            walkTo("number");
            say("两个");
            assertThat(state.fields()).containsEntry("count", "2");
        }

        @Test
        @DisplayName("a region: towns from regions.yaml, then that town's communities, by number or name")
        void region() {
            walkTo("town");
            assertThat(say("火星")).contains("1 野徐镇").contains("2 凤凰街道");
            assertThat(say("凤凰")).contains("1 凤凰社区").contains("2 园林社区");
            say("2");
            assertThat(state.fields()).containsEntry("home_town", "凤凰街道").containsEntry("home_community", "园林社区");
        }

        @Test
        @DisplayName("a community the regions file does not list is taken as typed; a town must be one of the list")
        void unlistedCommunity() {
            walkTo("town");
            assertThat(say("火星镇")).contains("1 野徐镇");
            say("凤凰");
            assertThat(say("9")).contains("再试一次");
            say("幸福家园小区");
            assertThat(state.fields()).containsEntry("home_community", "幸福家园小区");
        }

        @Test
        @DisplayName("image, voice and location questions take only that kind of message")
        void mediaAndLocation() {
            walkTo("photo");
            assertThat(say("一张照片")).contains("再试一次");
            send(new Input.Media(Input.MediaKind.VOICE, "v"));
            at("types", "photo");
            send(new Input.Media(Input.MediaKind.IMAGE, "img-9"));
            send(new Input.Media(Input.MediaKind.VOICE, "voice-9"));
            send(new Input.Location(32.45, 119.92, "凤凰街道园林社区"));
            assertThat(state.fields()).containsEntry("photo", "img-9").containsEntry("voice", "voice-9")
                    .containsEntry("place", "凤凰街道园林社区").containsEntry("place_lat", "32.45");
        }
    }

    @Nested
    @DisplayName("moving through flows")
    class Moving {

        @Test
        @DisplayName("set, emit and say with {fields}; OpenCase draws the case id from the context")
        void endWithOpenCase() {
            walkTo("where");
            String reply = send(new Input.Location(1, 2, null));
            assertThat(reply).isEqualTo("完成 C-1 AB12 蓝色");
            at("types", "family");
            assertThat(effects()).singleElement().isInstanceOfSatisfying(Effect.OpenCase.class, c -> {
                assertThat(c.caseId()).isEqualTo("C-1");
                assertThat(c.kind()).isEqualTo("test-case");
                assertThat(c.fields()).containsEntry("done", "yes").containsEntry("case_id", "C-1");
            });
        }

        @Test
        @DisplayName("branches on the person's role and on fields")
        void branchOnRole() {
            profile = new StepContext.Profile("director", "园林社区", "凤凰街道");
            walkTo("where");
            assertThat(send(new Input.Location(1, 2, null))).isEqualTo("主任蓝");
            assertThat(effects()).singleElement().isInstanceOf(Effect.LogVisit.class);
        }

        @Test
        @DisplayName("a preset field skips its question (routed by meaning)")
        void presetSkipsQuestion() {
            say("菜单");
            say("我要测试类型，红色的");
            at("types", "code");
            assertThat(say("AB12")).contains("同意吗");
            assertThat(state.fields()).containsEntry("color", "red").containsEntry("color_label", "红色");
        }

        @Test
        @DisplayName("call jumps into another flow, keeps the fields, and returns when it ends")
        void callAndReturn() {
            send(new Input.Scan("qrscene_callme"));
            assertThat(replies()).contains("开始调用").contains("里面 1");
            at("callee", "inside");
            assertThat(state.stack()).containsExactly(new ConversationState.Frame("caller", "after"));
            assertThat(say("你好")).contains("被调用结束").contains("回来了 你好");
            at("caller", "after");
            assertThat(state.stack()).isEmpty();
            say("是");
            assertThat(effects()).singleElement().isInstanceOf(Effect.ReportChange.class);
        }

        @Test
        @DisplayName("handoff escalates and then the bot says nothing while staff have the chat")
        void handoffIsSilent() {
            say("转人工");
            assertThat(replies()).contains("已转人工");
            assertThat(state.status()).isEqualTo(Status.ESCALATED);
            assertThat(effects()).singleElement().isInstanceOfSatisfying(Effect.Escalate.class,
                    e -> assertThat(e.reason()).isEqualTo("要人工"));
            ConversationState before = state;
            say("有人吗");
            // Silent, but what was said reaches staff: it is added to the open escalation.
            assertThat(last.effects()).containsExactly(new Effect.EscalationMessage("有人吗"));
            assertThat(state.flow()).isEqualTo(before.flow());
            assertThat(state.node()).isEqualTo(before.node());
            assertThat(state.status()).isEqualTo(Status.ESCALATED);
            assertThat(state.escalation().openedAt()).isEqualTo(before.escalation().openedAt());
            send(new Input.MenuClick("K_TYPES"));
            assertThat(last.effects()).containsExactly(new Effect.EscalationMessage("[menu K_TYPES]"));
        }

        @Test
        @DisplayName("resolved() remembers a closed alarm (what it was about, when) but not a closed request for a person")
        void resolvedRemembersAnAlarm() {
            ConversationState.Escalation alarm = new ConversationState.Escalation(
                    ConversationState.Escalation.Level.URGENT, "孩子挨打", now, now);
            ConversationState open = new ConversationState("urgent", "self-noted", Status.ESCALATED,
                    Map.of("alarm_kind", "harm", "alarm_about", "writer", "child_address", "奶奶家"), List.of(),
                    List.of(), 0, "v1", now, now, alarm);
            ConversationState back = FlowEngine.resolved(open, now.plusSeconds(60));
            assertThat(back.escalation()).isNull();
            assertThat(back.fields()).isEmpty();
            assertThat(back.closedAlarm()).isEqualTo(new ConversationState.ClosedAlarm("harm", "writer", now.plusSeconds(60)));

            // A later request for a person, closed too: the alarm closed before is still what is remembered.
            ConversationState person = new ConversationState("talk-to-staff", "handoff", Status.ESCALATED, Map.of(),
                    List.of(), List.of(), 0, "v1", now, now, new ConversationState.Escalation(
                    ConversationState.Escalation.Level.STAFF, "要人工", now, now), back.closedAlarm());
            assertThat(FlowEngine.resolved(person, now.plusSeconds(120)).closedAlarm()).isEqualTo(back.closedAlarm());
        }

        @Test
        @DisplayName("resolved() hands the chat back to the bot; the next message starts fresh")
        void resolved() {
            say("人工");
            state = FlowEngine.resolved(state, now);
            assertThat(state.status()).isEqualTo(Status.BOT);
            assertThat(state.fields()).isEmpty();
            assertThat(say("你好")).contains("菜单");
        }
    }

    @Nested
    @DisplayName("global intents")
    class Globals {

        @Test
        @DisplayName("danger words jump to the urgent flow at once, escalate urgently with the text, then ask about police")
        void danger() {
            walkTo("agree");
            String reply = say("他又打孩子了");
            assertThat(reply).startsWith("打110").contains("报警了吗");
            assertThat(effects()).singleElement().isInstanceOfSatisfying(Effect.Escalate.class, e -> {
                assertThat(e.urgent()).isTrue();
                assertThat(e.fields()).containsEntry("trigger_text", "他又打孩子了");
            });
            say("是");
            assertThat(state.fields()).containsEntry("police_reported", "yes").containsKey("police_reported_at");
            // The answer is added to the open alarm, and the police answer noted on it.
            assertThat(effects()).hasSize(2).anySatisfy(e -> assertThat(e).isInstanceOf(Effect.EscalationNote.class))
                    .anySatisfy(e -> assertThat(e).isEqualTo(new Effect.EscalationMessage("是")));
            assertThat(state.status()).isEqualTo(Status.ESCALATED);
        }

        @Test
        @DisplayName("danger words are heard even while staff have the chat")
        void dangerWhileEscalated() {
            say("人工");
            assertThat(say("他在打孩子")).contains("打110");
            assertThat(state.status()).isEqualTo(Status.BOT);
            at("urgent", "police");
        }

        @Test
        @DisplayName("the menu word goes to the menu and forgets what was filled in")
        void menu() {
            walkTo("agree");
            assertThat(say("菜单")).contains("1 类型");
            at("menu", "start");
            assertThat(state.fields()).isEmpty();
        }

        @Test
        @DisplayName("cancel says which flow was dropped and shows the menu")
        void cancel() {
            walkTo("agree");
            assertThat(say("取消")).contains("已取消『类型』").contains("1 类型");
            assertThat(state.fields()).isEmpty();
            assertThat(say("取消")).contains("没有要取消的");
        }

        @Test
        @DisplayName("back asks the previous question again; at the first question it says so")
        void back() {
            walkTo("agree");
            assertThat(say("返回")).contains("颜色");
            at("types", "color");
            assertThat(say("返回")).contains("输入代码");
            assertThat(say("返回")).contains("第一个问题").contains("输入代码");
        }

        @Test
        @DisplayName("an idle conversation restarts with a notice and the menu, or the new intent")
        void idle() {
            walkTo("agree");
            now = now.plus(Duration.ofMinutes(31));
            assertThat(say("是")).contains("超时了").contains("1 类型");
            at("menu", "start");
            walkTo("agree");
            now = now.plus(Duration.ofMinutes(31));
            assertThat(say("我想调用一下")).contains("超时了").contains("开始调用");
        }

        @Test
        @DisplayName("a state from other flow files whose node is gone restarts politely at the menu")
        void versionChange() {
            state = new ConversationState("types", "removed-node", Status.BOT, Map.of(), List.of(), List.of(), 0,
                    "old-version", now, now);
            assertThat(say("1")).contains("更新了").contains("1 类型");
            at("menu", "start");
            assertThat(state.flowsVersion()).isEqualTo(FLOWS.version());
        }

        @Test
        @DisplayName("a state from other flow files whose node still exists carries on")
        void versionChangeNodeStillThere() {
            walkTo("agree");
            state = new ConversationState(state.flow(), state.node(), state.status(), state.fields(), state.stack(),
                    state.history(), 0, "old-version", now, now);
            say("是");
            at("types", "phone");
        }

        @Test
        @DisplayName("a menu click switches flow at any point; an unknown key shows the menu")
        void menuClicks() {
            walkTo("agree");
            send(new Input.MenuClick("NOT_A_KEY"));
            at("menu", "start");
            send(new Input.MenuClick("K_TYPES"));
            at("types", "code");
        }

        @Test
        @DisplayName("a scan with an unknown scene mid-question repeats the question")
        void unknownScan() {
            walkTo("agree");
            assertThat(send(new Input.Scan("qrscene_nothing"))).contains("同意吗");
            at("types", "agree");
        }

        @Test
        @DisplayName("one Reply per step comes first, then the other effects in order")
        void effectsOrder() {
            say("人工");
            assertThat(last.effects()).hasSize(2);
            assertThat(last.effects().get(0)).isInstanceOf(Reply.class);
            assertThat(last.effects().get(1)).isInstanceOf(Effect.Escalate.class);
        }

        @Test
        @DisplayName("no state: a follow starts the follow flow, text is routed by meaning, else the menu")
        void noState() {
            send(new Input.Follow(null));
            at("menu", "start");
            state = null;
            say("调用");
            at("callee", "inside");
            state = null;
            assertThat(say("随便说说")).contains("菜单");
            state = null;
            send(new Input.Media(Input.MediaKind.IMAGE, "x"));
            at("menu", "start");
        }
    }
}
