package org.careline.flowfiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner itself: a transcript that cannot fail is refused, not passed. */
class TranscriptRunnerTest {

    @TempDir
    Path dir;

    private TranscriptResult run(String yaml) throws IOException {
        Path file = dir.resolve("t.yaml");
        Files.writeString(file, yaml);
        return new TranscriptRunner(FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml"))).run(file);
    }

    @Test
    @DisplayName("A typo in a step's key fails the transcript with the file and line of the typo")
    void typoInStep() throws IOException {
        TranscriptResult r = run("""
                name: typo
                steps:
                  - say: 菜单
                    expcet: [申请帮助]
                """);
        assertThat(r.passed()).isFalse();
        assertThat(r.report()).contains("t.yaml:4: unknown key 'expcet' in a step");
    }

    @Test
    @DisplayName("Unknown keys are refused at every level: the file, persona, cases, location, end and effects")
    void typoAtEveryLevel() throws IOException {
        TranscriptResult r = run("""
                name: typos
                persna: {}
                persona:
                  rol: family
                  cases:
                    - case_id: C-1
                      stauts: open
                steps:
                  - location: {lat: 1, lgn: 2}
                    silent: true
                end:
                  flwo: menu
                  effects:
                    - type: OpenCase
                      caseid: C-0001
                    - type: OpenKase
                """);
        assertThat(r.passed()).isFalse();
        assertThat(r.failures()).anySatisfy(f -> assertThat(f).contains("t.yaml:2: unknown key 'persna'"))
                .anySatisfy(f -> assertThat(f).contains("t.yaml:4: unknown key 'rol' in persona"))
                .anySatisfy(f -> assertThat(f).contains("t.yaml:7: unknown key 'stauts' in a persona case"))
                .anySatisfy(f -> assertThat(f).contains("t.yaml:9: unknown key 'lgn' in location"))
                .anySatisfy(f -> assertThat(f).contains("t.yaml:12: unknown key 'flwo' in end"))
                .anySatisfy(f -> assertThat(f).contains("t.yaml:15: unknown key 'caseid' in OpenCase"))
                .anySatisfy(f -> assertThat(f).contains("t.yaml:16: unknown effect type 'OpenKase'"));
    }

    @Test
    @DisplayName("A step that asserts nothing about the reply is reported and counted, with the reply it got")
    void unassertedStep() throws IOException {
        TranscriptResult r = run("""
                name: unasserted
                steps:
                  - say: 菜单
                    expect: [申请帮助]
                  - say: 菜单
                  - say: 菜单
                    not: [出错了]
                """);
        assertThat(r.passed()).isFalse();
        assertThat(r.report()).contains("t.yaml:5: step 2 (say \"菜单\"): asserts nothing about the reply")
                .contains("申请帮助")
                .contains("1 of 3 steps assert nothing about the reply");
    }

    @Test
    @DisplayName("A step with expect, not or silent and a matching reply passes")
    void assertedSteps() throws IOException {
        TranscriptResult r = run("""
                name: fine
                steps:
                  - say: 菜单
                    expect: [申请帮助]
                    not: [出错了]
                """);
        assertThat(r.passed()).as(r.report()).isTrue();
    }

    @Test
    @DisplayName("resolve: staff close the chat as the console does; a step that only resolves asserts no reply")
    void resolveStep() throws IOException {
        TranscriptResult r = run("""
                name: resolved
                steps:
                  - say: 人工
                    expect: [工作人员]
                  - say: 还在吗
                    silent: true
                  - resolve: 已回复
                  - say: 菜单
                    expect: [申请帮助]
                  - resolve: 又一次
                    expect: [申请帮助]
                end:
                  status: bot
                  escalation: none
                """);
        assertThat(r.passed()).isFalse();
        assertThat(r.failures()).singleElement().satisfies(f -> assertThat(f)
                .contains("t.yaml:10: step 5 only resolves, so there is no reply to check"));
    }
}
