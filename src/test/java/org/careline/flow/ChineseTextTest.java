package org.careline.flow;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ChineseTextTest {

    @ParameterizedTest(name = "{0} reads as {1}")
    @CsvSource({
            "我想自殺, 我想自杀",
            "我想申請困境兒童補助, 我想申请困境儿童补助",
            "佢成日打我, 他整天打我",
            "我唔想再捱落去, 我不想再熬下去",
            "屋企冇人理我, 家没人管我",
            "手上啲鎅痕係我自己整嘅, 手上些割痕是我自己弄的",
            "活著沒意思, 活着没意思",
    })
    @DisplayName("Traditional characters and written Cantonese read as simplified Mandarin")
    void simplified(String raw, String read) {
        assertThat(ChineseText.simplify(raw)).isEqualTo(read);
    }

    @Test
    @DisplayName("Pinyin and English danger words are glossed with the Chinese words they stand for")
    void glosses() {
        assertThat(ChineseText.simplify("wo xiang si")).contains("想死");
        assertThat(ChineseText.simplify("bu xiang huo le")).contains("不想活");
        assertThat(ChineseText.simplify("I want to kill myself")).contains("自杀");
        assertThat(ChineseText.simplify("my son didn't come home")).contains("儿子没回家");
        assertThat(ChineseText.simplify("hit me up later")).doesNotContain("打我").doesNotContain("杀");
        assertThat(ChineseText.simplify("我想申请补助")).isEqualTo("我想申请补助");
    }

    @Test
    @DisplayName("English is told from Chinese and from codes")
    void english() {
        assertThat(ChineseText.isEnglish("hello can you help me")).isTrue();
        assertThat(ChineseText.isEnglish("I want to kill myself")).isTrue();
        assertThat(ChineseText.isEnglish("我想申请 help")).isFalse();
        assertThat(ChineseText.isEnglish("AB1234")).isFalse();
        assertThat(ChineseText.isEnglish("13812345678")).isFalse();
    }
}
