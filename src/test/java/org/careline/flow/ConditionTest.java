package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionTest {

    private static final Map<String, String> FIELDS = Map.of("need", "medical", "residence", "none", "role", "family");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            need == medical | true
            need != medical | false
            role != director | true
            residence in local, permit | false
            residence not in local, permit | true
            phone is set | false
            phone is not set | true
            need == medical and residence == none | true
            need == medical and role == director | false
            phone != 123 | true
            """)
    void conditions(String source, boolean expected) {
        assertThat(Condition.parse(source).test(FIELDS::get)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            need
            need ==
            Need == x
            need is maybe
            """)
    void unreadable(String source) {
        assertThatThrownBy(() -> Condition.parse(source)).isInstanceOf(IllegalArgumentException.class);
    }
}
