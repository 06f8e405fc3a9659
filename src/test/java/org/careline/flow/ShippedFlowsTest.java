package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
    @DisplayName("the version is a hash of the files: same files, same version")
    void versionIsStable() {
        assertThat(shipped().version()).isEqualTo(shipped().version()).hasSize(12);
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
