package org.careline.privacy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RedactionTest {

    @Test
    @DisplayName("An openid becomes a stable handle that does not contain it")
    void openidHandle() {
        String h = Redaction.openid("oAbc123456789");
        assertThat(h).startsWith("u_").hasSize(12).isEqualTo(Redaction.openid("oAbc123456789"));
        assertThat(h).doesNotContain("oAbc");
        assertThat(Redaction.openid("oAbc123456780")).isNotEqualTo(h);
    }

    @ParameterizedTest(name = "{0}={1} shows as {2}")
    @CsvSource({
            "phone, 13812345678, 138****5678",
            "guardian_phone, 13812345678, 138****5678",
            "child_id_number, 32120120190101123X, 321201**********3X",
            "address, 凤凰街道幸福小区3栋201, 凤凰街道****",
            "guardian_name, 王小梅, 王**",
            "home_community, 永正村, 永****",
            "home_community_label, 幸福家园小区, 幸福家****",
            "need, medical, medical",
    })
    void fields(String name, String value, String shown) {
        assertThat(Redaction.field(name, value)).isEqualTo(shown);
    }

    @Test
    @DisplayName("Free text shows only its length")
    void freeText() {
        Map<String, String> in = new LinkedHashMap<>();
        in.put("description", "孩子贫血，髋关节发育不良");
        assertThat(Redaction.fields(in)).containsEntry("description", "（已隐藏，12字）");
    }
}
