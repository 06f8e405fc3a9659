package org.careline.flow;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LexiconTest {

    @Test
    @DisplayName("The automaton finds every word of its list in one pass, and blanks them out")
    void lexicon() {
        Lexicon l = Lexicon.of(List.of("打电话", "打针", "想死"));
        assertThat(l.foundIn("我想死")).isTrue();
        assertThat(l.found("给他打电话说打针的事")).containsExactlyInAnyOrder("打电话", "打针");
        assertThat(l.blankOut("打针好疼", '\u0000')).isEqualTo("\u0000\u0000好疼");
        assertThat(Lexicon.of(List.of()).foundIn("任何")).isFalse();
    }

    @Test
    @DisplayName("A gap pattern tolerates a few words in between, in order, within one clause, never across an exception")
    void gapPatterns() {
        WordCombinations w = new WordCombinations(Map.of(), List.of(), List.of("累死"), List.of("想…死", "不想…活"), null);
        assertThat(w.anyHolds(w.clauses("我真的好想就这样死掉"))).isTrue();
        assertThat(w.anyHolds(w.clauses("不想再这样活下去了"))).isTrue();
        assertThat(w.anyHolds(w.clauses("死也不想"))).isFalse();
        assertThat(w.anyHolds(w.clauses("我想说今天累死了"))).isFalse();
        assertThat(w.anyHolds(w.clauses("我想问一下，死亡证明怎么开"))).isFalse();
        assertThat(w.anyHolds(w.clauses("我想问一下我爸爸死了以后的补助"))).isFalse();
    }
}
