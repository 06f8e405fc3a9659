package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WordCombinationsTest {

    private final WordCombinations childHarm = new WordCombinations(
            Map.of("child", List.of("儿子"), "harm", List.of("打")),
            List.of(new WordCombinations.Combination(List.of("child", "harm"), 1, 0)),
            List.of("打电话", "打我…电话"));

    @Test
    @DisplayName("An exception with … is blanked wherever its parts are found in order: 打我儿子电话 is no beating")
    void gapExceptionIsBlanked() {
        assertThat(childHarm.anyHolds(childHarm.clauses("打我儿子电话就行"))).isFalse();
        assertThat(childHarm.anyHolds(childHarm.clauses("打我儿子的电话吧"))).isFalse();
    }

    @Test
    @DisplayName("Harm words beside a blanked phone instruction still count")
    void harmBesideTheExceptionCounts() {
        assertThat(childHarm.anyHolds(childHarm.clauses("他打我儿子 我给他打电话也不接"))).isTrue();
    }
}
