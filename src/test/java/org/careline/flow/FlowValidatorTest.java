package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.careline.flowfiles.FlowLoader;

/** One broken flow file per kind of mistake; each must be reported as file:line: message. */
class FlowValidatorTest {

    @TempDir
    Path dir;

    private static final String COMMON = """
            globals:
              - intent: menu
                flow: menu
                match: exact
                words: [菜单]
            follow: menu
            fallback:
              flow: menu
            texts:
              cancelled: 已取消
              nothing_to_cancel: 没有
              timeout: 超时
              restarted: 更新
              no_previous: 第一个
              retry: 再试
              yes_no_hint: 1 是 2 否
              reason_fallback: 听不懂
            """;

    private static final String MENU = """
            flow: menu
            title: 菜单
            nodes:
              - id: start
                say: 你好
                ask: text
                field: anything
                end: true
            """;

    @BeforeEach
    void baseFiles() throws IOException {
        write("common.yaml", COMMON);
        write("menu.yaml", MENU);
        write("regions.yaml", """
                district: 测试
                towns:
                  - name: 野徐镇
                    communities: [野徐社区]
                """);
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name.equals("regions.yaml") ? "../" + dir.getFileName() + "-regions.yaml" : name), content);
    }

    private List<String> errors(String brokenFlow) throws IOException {
        write("broken.yaml", brokenFlow);
        FlowValidationException e = catchThrowableOfType(FlowValidationException.class,
                () -> FlowLoader.load(dir, dir.resolveSibling(dir.getFileName() + "-regions.yaml")));
        assertThat(e).as("expected validation errors").isNotNull();
        return e.errors();
    }

    private String at(int line, String message) {
        return dir.resolve("broken.yaml") + ":" + line + ": " + message;
    }

    @Test
    @DisplayName("the base fixture itself is valid")
    void baseIsValid() throws IOException {
        write("broken.yaml", """
                flow: broken
                title: 好
                nodes:
                  - id: a
                    say: 好
                    end: true
                """);
        assertThat(FlowLoader.load(dir, dir.resolveSibling(dir.getFileName() + "-regions.yaml")).size()).isEqualTo(2);
    }

    @Test
    @DisplayName("a key written twice (YAML would silently keep only the last)")
    void duplicateKey() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    say: 好
                    say: 不好
                    end: true
                """)).contains(at(6, "'say' is written twice here; only the last one counts"));
    }

    @Test
    @DisplayName("an example file naming a flow that does not exist, and one message taught as two meanings")
    void badExamples() throws IOException {
        Files.createDirectories(dir.resolve("examples"));
        Files.writeString(dir.resolve("examples/a.yaml"), """
                intent: nowhere
                examples:
                  - 孩子没钱上学
                """);
        Files.writeString(dir.resolve("examples/b.yaml"), """
                intent: none
                examples:
                  - 孩子没钱上学！
                """);
        List<String> errors = errors("""
                flow: broken
                title: 好
                nodes:
                  - id: a
                    say: 好
                    end: true
                """);
        String a = dir.resolve("examples").resolve("a.yaml").toString();
        String b = dir.resolve("examples").resolve("b.yaml").toString();
        assertThat(errors).contains(a + ":3: unknown flow 'nowhere' (an examples file names a flow id or none)");
        assertThat(errors).anyMatch(e -> (e.startsWith(a + ":3:") || e.startsWith(b + ":3:"))
                && e.contains("give each message one meaning"));
    }

    @Test
    @DisplayName("an unknown node reference")
    void unknownNode() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    say: 好
                    next: nowhere
                """)).containsExactly(at(6, "unknown node 'nowhere' in flow 'broken'"));
    }

    @Test
    @DisplayName("an unknown flow reference")
    void unknownFlow() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    say: 好
                    flow: help-me
                """)).containsExactly(at(6, "unknown flow 'help-me'"));
    }

    @Test
    @DisplayName("an unreachable node")
    void unreachable() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    say: 好
                    end: true
                  - id: lost
                    say: 没人来
                    end: true
                """)).containsExactly(at(7, "unreachable node 'lost'"));
    }

    @Test
    @DisplayName("a dead end: the last node has no way on and is not an end")
    void deadEnd() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    say: 好
                """)).containsExactly(at(4, "dead end: node 'a' has no way on (add next:, branch:, flow: or end: true)"));
    }

    @Test
    @DisplayName("missing texts: a question without say, an empty say, a flow without title")
    void missingTexts() throws IOException {
        assertThat(errors("""
                flow: broken
                nodes:
                  - id: a
                    ask: text
                    field: x
                  - id: b
                    say: ""
                    end: true
                """)).containsExactly(
                at(1, "missing text: 'title:' (shown when the flow is cancelled)"),
                at(7, "missing text: 'say:' is empty"));
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    ask: text
                    field: x
                    end: true
                """)).containsExactly(at(4, "missing text: node 'a' asks without 'say:'"));
    }

    @Test
    @DisplayName("an invalid regex pattern")
    void invalidPattern() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    say: 代码
                    ask: text
                    field: code
                    pattern: "^[A-Z{2$"
                    end: true
                """)).singleElement().asString().startsWith(at(8, "invalid pattern: "));
    }

    @Test
    @DisplayName("a field used in a text before any path sets it")
    void fieldInTextBeforeSet() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    say: 您的电话是 {phone}
                  - id: b
                    say: 电话？
                    ask: phone
                    field: phone
                    end: true
                """)).containsExactly(at(5, "field 'phone' is used before any path sets it"));
    }

    @Test
    @DisplayName("a field used in a condition before any path sets it")
    void fieldInConditionBeforeSet() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    branch:
                      - if: need == medical
                        next: b
                      - else: b
                  - id: b
                    say: 好
                    end: true
                """)).containsExactly(at(6, "field 'need' is used before any path sets it"));
    }

    @Test
    @DisplayName("a community question about a town field no path has set")
    void communityOfUnknownTown() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    say: 哪个社区
                    ask: region
                    level: community of home_town
                    field: home_community
                    end: true
                """)).containsExactly(at(6, "field 'home_town' is used before any path sets it"));
    }

    @Test
    @DisplayName("a typo in a key, a bad condition, an unknown answer type, a duplicate node id")
    void shapeErrors() throws IOException {
        assertThat(errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    sya: 好
                    branch:
                      - if: need is maybe
                        next: a
                  - id: a
                    say: 好
                    ask: sms
                    end: true
                """)).contains(
                at(5, "unknown key 'sya' in node"),
                at(7, "bad condition: cannot read condition 'need is maybe' (use ==, !=, in, not in, is set)"),
                at(11, "unknown answer type 'sms' (expected text, choice, yes-no, phone, id-number, date, number, region, image, voice, location or child)"),
                at(9, "node id 'a' used twice"));
    }

    @Test
    @DisplayName("YAML that does not parse is reported at its line")
    void yamlSyntax() throws IOException {
        List<String> errors = errors("""
                flow: broken
                title: 坏
                nodes:
                  - id: a
                    say: [好
                """);
        assertThat(errors).singleElement().asString().startsWith(dir.resolve("broken.yaml") + ":").contains("not valid YAML");
    }

    @Test
    @DisplayName("a flow id that does not match its file name")
    void idMismatch() throws IOException {
        assertThat(errors("""
                flow: other
                title: 坏
                nodes:
                  - id: a
                    say: 好
                    end: true
                """)).containsExactly(at(1, "flow id 'other' does not match the file name 'broken.yaml'"));
    }

    @Test
    @DisplayName("a missing shared text in common.yaml")
    void missingCommonText() throws IOException {
        write("common.yaml", COMMON.replace("  timeout: 超时\n", ""));
        assertThat(errors("""
                flow: broken
                title: 好
                nodes:
                  - id: a
                    say: 好
                    end: true
                """)).containsExactly(dir.resolve("common.yaml") + ":9: missing text: texts.timeout");
    }

    private static final String FINE_FLOW = """
            flow: broken
            title: 好
            nodes:
              - id: a
                say: 好
                end: true
            """;

    private String danger(String combinationLines) {
        return COMMON.replace("globals:\n", "globals:\n  - intent: danger\n    flow: menu\n" + combinationLines);
    }

    @Test
    @DisplayName("a word combination naming a group that does not exist, so the rule could never hold")
    void unknownGroup() throws IOException {
        write("common.yaml", danger("""
                    groups:
                      child: [孩子]
                      harm: [打]
                    together: [child + hurt, child + harm]
                """));
        assertThat(errors(FINE_FLOW)).containsExactly(dir.resolve("common.yaml")
                + ":7: together 'child + hurt' names unknown group 'hurt' (groups: child, harm)");
    }

    @Test
    @DisplayName("a group no combination uses, a group without words, and a combination of one group")
    void unusedEmptyAndSingleGroups() throws IOException {
        write("common.yaml", danger("""
                    groups:
                      child: [孩子]
                      harm: []
                      missing: [走丢]
                    together: [child + harm, child]
                """));
        assertThat(errors(FINE_FLOW)).containsExactlyInAnyOrder(
                dir.resolve("common.yaml") + ":6: group 'harm' has no words",
                dir.resolve("common.yaml") + ":7: group 'missing' is not used in 'together:'",
                dir.resolve("common.yaml") + ":8: together 'child' needs at least two group names joined with +");
    }

    @Test
    @DisplayName("a misspelt key in a global intent, e.g. togeter:")
    void unknownGlobalKey() throws IOException {
        write("common.yaml", danger("""
                    words: [虐待]
                    togeter: [child + harm]
                """));
        assertThat(errors(FINE_FLOW)).anyMatch(e -> e.startsWith(dir.resolve("common.yaml") + ":5: unknown key 'togeter'"));
    }
}
