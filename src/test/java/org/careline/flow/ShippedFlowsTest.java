package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.careline.flowfiles.FlowLoader;

class ShippedFlowsTest {

    static Flows shipped() {
        return FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml"));
    }

    @Test
    @DisplayName("the shipped flow files load without a single validation error")
    void shippedFlowsAreValid() {
        assertThatCode(ShippedFlowsTest::shipped).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("every flow id of the design contract has a file")
    void contractFlowIds() {
        assertThat(shipped().ids()).contains("welcome", "menu", "help-request", "report-change", "case-status",
                "talk-to-staff", "urgent", "director-bind", "visit-list", "visit-log");
    }

    @Test
    @DisplayName("the version is a hash of the files: same files, same version; one edited text, another")
    void versionIsStable(@org.junit.jupiter.api.io.TempDir Path copy) throws Exception {
        assertThat(shipped().version()).isEqualTo(shipped().version()).hasSize(12);
        Path flows = copy.resolve("conversation-flows");
        Path original = Path.of("conversation-flows");
        try (var files = Files.walk(original)) {
            for (Path f : files.toList()) {
                Path target = flows.resolve(original.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Path regions = Path.of("config/regions.yaml");
        assertThat(FlowLoader.load(flows, regions).version()).isEqualTo(shipped().version());
        Path welcome = flows.resolve("welcome.yaml");
        Files.writeString(welcome, Files.readString(welcome).replace("欢迎", "欢迎您"));
        assertThat(FlowLoader.load(flows, regions).version()).isNotEqualTo(shipped().version());
    }

    @Test
    @DisplayName("every CLICK key of the WeChat menu is handled by common.yaml")
    void wechatMenuKeysMatch() throws Exception {
        String menu = Files.readString(Path.of("config/wechat-menu.json"));
        var keys = new com.fasterxml.jackson.databind.ObjectMapper().readTree(menu).findValuesAsText("key");
        assertThat(keys).isNotEmpty();
        assertThat(shipped().common().clicks().keySet()).containsAll(keys);
    }

    @Test
    @DisplayName("the regions file lists the five towns and streets of the reference district")
    void regions() {
        assertThat(shipped().regions().towns()).hasSize(5)
                .allSatisfy(t -> assertThat(t.communities()).hasSizeGreaterThanOrEqualTo(3));
    }
}
