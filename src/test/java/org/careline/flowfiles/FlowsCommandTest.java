package org.careline.flowfiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowsCommandTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("flows check on the shipped files says how many flows are OK")
    void checkShipped() {
        assertThat(FlowsCommand.run(new String[] {"check"}, out)).isZero();
        assertThat(output()).isEqualTo("11 flows OK" + System.lineSeparator());
    }

    @Test
    @DisplayName("flows test runs every shipped transcript and exits 0")
    void testShipped() {
        assertThat(FlowsCommand.run(new String[] {"test"}, out)).as(output()).isZero();
        assertThat(output()).contains("PASS conversation-flows/tests/help-request-happy.yaml").contains(" passed, 0 failed");
    }

    @Test
    @DisplayName("flows check prints file:line: message and exits 1 on a broken flow")
    void checkBroken(@TempDir Path dir) throws IOException {
        copyShipped(dir);
        Files.writeString(dir.resolve("welcome.yaml"), Files.readString(dir.resolve("welcome.yaml")).replace("flow: menu", "flow: menuu"));
        assertThat(FlowsCommand.run(new String[] {"check", "--flows", dir.toString()}, out)).isEqualTo(1);
        assertThat(output()).contains(dir.resolve("welcome.yaml") + ":9: unknown flow 'menuu'").contains("1 error(s)");
    }

    @Test
    @DisplayName("flows test shows the failing step with the expected fragment and the actual reply, exit 1")
    void testFailing(@TempDir Path dir) throws IOException {
        Path transcript = dir.resolve("wrong.yaml");
        Files.writeString(transcript, """
                name: 故意写错的期待
                steps:
                  - say: 你好
                    expect: [不会出现的话]
                """);
        assertThat(FlowsCommand.run(new String[] {"test", transcript.toString()}, out)).isEqualTo(1);
        assertThat(output()).contains("FAIL " + transcript)
                .contains(transcript + ":3: step 1 (say \"你好\"): expected \"不会出现的话\" in the reply, got:")
                .contains("    | 请问需要什么帮助")
                .contains("0 passed, 1 failed");
    }

    @Test
    @DisplayName("an unknown sub-command prints usage and exits 2")
    void usage() {
        assertThat(FlowsCommand.run(new String[] {"lint"}, out)).isEqualTo(2);
        assertThat(output()).startsWith("usage: flows check|test");
    }

    @Test
    @DisplayName("the complete example of conversation-flows/README.md is a valid flow")
    void readmeExampleIsValid(@TempDir Path dir) throws IOException {
        copyShipped(dir);
        String readme = Files.readString(Path.of("conversation-flows", "README.md"));
        int start = readme.indexOf("```yaml\nflow: pet-help") + "```yaml\n".length();
        Files.writeString(dir.resolve("pet-help.yaml"), readme.substring(start, readme.indexOf("```", start)));
        assertThat(FlowsCommand.run(new String[] {"check", "--flows", dir.toString()}, out)).as(output()).isZero();
        assertThat(output()).contains("12 flows OK");
    }

    private static void copyShipped(Path dir) throws IOException {
        try (var files = Files.list(Path.of("conversation-flows"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
    }
}
