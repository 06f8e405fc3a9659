package org.careline.wechat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextSplitterTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("short text stays whole", "你好", 30, List.of("你好")),
                Arguments.of("text exactly at the budget stays whole", "一二三四五六七八九十", 30,
                        List.of("一二三四五六七八九十")),
                Arguments.of("a paragraph break is preferred", "第一段第一句。第一段第二句。\n\n第二段。", 45,
                        List.of("第一段第一句。第一段第二句。", "第二段。")),
                Arguments.of("a line break beats a sentence end", "一行。\n第二行有两句。还有一句。", 31,
                        List.of("一行。\n第二行有两句。", "还有一句。")),
                Arguments.of("a sentence end is used when there is no line break",
                        "请准备身份证。户口簿也要带上！还需要收入证明？", 45,
                        List.of("请准备身份证。户口簿也要带上！", "还需要收入证明？")),
                Arguments.of("a closing quote stays with its sentence", "她说：“孩子病了。”然后哭了。", 30,
                        List.of("她说：“孩子病了。”", "然后哭了。")),
                Arguments.of("English breaks at a space", "the quick brown fox jumps", 12,
                        List.of("the quick", "brown fox", "jumps")),
                Arguments.of("text with no break point is cut at the budget", "一二三四五六七八九十", 12,
                        List.of("一二三四", "五六七八", "九十")),
                Arguments.of("line breaks at the cut are dropped", "第一行\n\n\n\n第二行", 12,
                        List.of("第一行", "第二行")),
                Arguments.of("empty text gives no parts", "", 30, List.of()),
                Arguments.of("null gives no parts", null, 30, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("splits at the most natural break that fits the byte budget")
    void splits(String description, String text, int maxBytes, List<String> expected) {
        assertThat(TextSplitter.split(text, maxBytes)).isEqualTo(expected);
    }

    @Test
    @DisplayName("an emoji is never cut in half, even when only part of it would fit")
    void surrogatePairs() {
        String text = "😀".repeat(10);
        List<String> parts = TextSplitter.split(text, 10);
        assertThat(parts).containsExactly("😀😀", "😀😀", "😀😀", "😀😀", "😀😀");
        assertThat(TextSplitter.split("a😀", 4)).containsExactly("a", "😀");
    }

    @Test
    @DisplayName("a long Chinese reply splits into parts under the default 1800 bytes with nothing lost")
    void defaultBudget() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            text.append("第").append(i).append("条：临时救助申请需要身份证、户口簿和收入证明。");
            if (i % 7 == 6) {
                text.append("\n\n");
            }
        }
        List<String> parts = TextSplitter.split(text.toString());

        assertThat(parts).hasSizeGreaterThan(3);
        assertThat(parts).allSatisfy(p -> assertThat(p.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(TextSplitter.DEFAULT_MAX_BYTES));
        assertThat(parts.subList(0, parts.size() - 1)).as("all but the last part are more than half full")
                .allSatisfy(p -> assertThat(p.getBytes(StandardCharsets.UTF_8).length)
                        .isGreaterThan(TextSplitter.DEFAULT_MAX_BYTES / 2));
        assertThat(String.join("", parts).replace("\n", ""))
                .isEqualTo(text.toString().replace("\n", ""));
        assertThat(parts).allSatisfy(p -> assertThat(p).endsWith("。"));
    }

    @Test
    @DisplayName("random text of mixed scripts always fits the budget, keeps every character and pair")
    void randomText() {
        String[] pieces = {"孩", "子", "。", "！", "\n", "\n\n", " ", "a", "😷", "é", "？", "”"};
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(400);
            for (int i = 0; i < length; i++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            int budget = 4 + random.nextInt(60);
            List<String> parts = TextSplitter.split(text.toString(), budget);

            for (String part : parts) {
                assertThat(part.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(budget);
                assertThat(part).isNotBlank();
                assertThat(Character.isLowSurrogate(part.charAt(0))).isFalse();
                assertThat(Character.isHighSurrogate(part.charAt(part.length() - 1))).isFalse();
            }
            assertThat(strip(String.join("", parts))).isEqualTo(strip(text.toString()));
        }
    }

    @Test
    @DisplayName("a budget too small for one character is refused")
    void tinyBudget() {
        assertThatThrownBy(() -> TextSplitter.split("x", 3)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String strip(String s) {
        return s.replaceAll("\\s", "");
    }
}
