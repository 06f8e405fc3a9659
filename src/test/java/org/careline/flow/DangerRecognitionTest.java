package org.careline.flow;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.careline.flowfiles.FlowLoader;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Suspected harm to a child is a mandatory report: it must reach the urgent flow whether it is the first
 * message or comes in the middle of a help request. Phrasings a reviewer typed into the sandbox.
 */
class DangerRecognitionTest {

    static FlowEngine engine;

    @BeforeAll
    static void load() {
        engine = new FlowEngine(FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml")));
    }

    static StepContext ctx() {
        return new StepContext(Instant.parse("2026-11-29T02:00:00Z"), ZoneId.of("Asia/Shanghai"), () -> "CL261129001",
                StepContext.Profile.family(), List.of(), Duration.ofMinutes(30), OfficeHours.parse("工作日 8:30–17:30"));
    }

    @ParameterizedTest(name = "first message: {0}")
    @ValueSource(strings = {
            "孩子被他爸用皮带抽了，背上全是伤",
            "娃在集市上走丢了 找了一上午都没找到",
            "有人在村口扔了个刚生下来的娃娃",
            "隔壁小孩天天被他后妈关在门外不给饭吃",
            "我女儿说她不想活了，一直在哭",
    })
    @DisplayName("Danger as a first message goes straight to the urgent flow with 110 shown")
    void firstMessage(String text) {
        Step step = engine.step(null, new Input.Text(text), ctx());
        assertThat(step.state().flow()).isEqualTo("urgent");
        assertThat(step.effects()).anySatisfy(e -> assertThat(e).isInstanceOf(Effect.Escalate.class));
        assertThat(step.effects()).anySatisfy(e -> assertThat(((Effect.Reply) e).text()).contains("110"));
    }

    @ParameterizedTest(name = "mid-flow: {0}")
    @ValueSource(strings = {
            "孩子被他爸用皮带抽了，背上全是伤",
            "娃在集市上走丢了 找了一上午都没找到",
            "我女儿说她不想活了，一直在哭",
    })
    @DisplayName("Danger in the middle of a help request skips the flow")
    void midFlow(String text) {
        ConversationState s = engine.step(null, new Input.Text("我想申请帮助"), ctx()).state();
        s = engine.step(s, new Input.Text("同意"), ctx()).state();
        assertThat(s.flow()).isEqualTo("help-request");
        Step step = engine.step(s, new Input.Text(text), ctx());
        assertThat(step.state().flow()).isEqualTo("urgent");
    }

    @ParameterizedTest(name = "typed in a hurry: {0}")
    @ValueSource(strings = {"我不想或了", "不想火了", "我真的不相活了", "我不象活了", "想自沙", "想跳搂", "活着没意私"})
    @DisplayName("Pinyin slips in words of self-harm are read as meant: the person is asked whether they are safe")
    void typos(String text) {
        Step step = engine.step(null, new Input.Text(text), ctx());
        assertThat(step.state().flow()).as(text).isEqualTo("urgent");
        assertThat(step.effects()).anySatisfy(e -> assertThat(e).isInstanceOf(Effect.Escalate.class));
    }
}
