package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextNormalizerTest {

    @ParameterizedTest(name = "\"{0}\" is choice {1}")
    @CsvSource({
            "1, 1", "３, 3", "' 2 ', 2", "二, 2", "两, 2", "第三个, 3", "选二, 2", "我选4, 4", "第十个, 10",
            "十二, 12", "5号, 5", "2。, 2", "'1️⃣', 1", "就第一个吧, 1", "选择 ６, 6"
    })
    @DisplayName("everyday ways of picking a numbered option")
    void choiceNumbers(String text, int number) {
        assertThat(TextNormalizer.choiceNumber(text)).isEqualTo(OptionalInt.of(number));
    }

    @ParameterizedTest(name = "\"{0}\" is not a choice")
    @CsvSource({"看病", "一二三", "我想申请帮助", "''", "第", "十十"})
    @DisplayName("sentences are not mistaken for choice numbers")
    void notChoices(String text) {
        assertThat(TextNormalizer.choiceNumber(text)).isEmpty();
    }

    @Test
    @DisplayName("full-width letters and digits become half-width, emoji go, spaces are trimmed")
    void normalize() {
        assertThat(TextNormalizer.normalize("  ＡＢＣ１２３ 😀 好的🙏  ")).isEqualTo("abc123 好的");
        assertThat(TextNormalizer.normalize(null)).isEmpty();
    }

    @Test
    @DisplayName("compact drops punctuation and spaces for matching words inside a message")
    void compact() {
        assertThat(TextNormalizer.compact("孩子，发烧了！！ 没钱…")).isEqualTo("孩子发烧了没钱");
        assertThat(TextNormalizer.compact("「取消」")).isEqualTo("取消");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"一, 1", "十, 10", "十一, 11", "二十, 20", "九十九, 99", "零, 0", "两, 2"})
    @DisplayName("Chinese numerals up to 99")
    void chineseNumbers(String text, int n) {
        assertThat(TextNormalizer.chineseNumber(text)).isEqualTo(OptionalInt.of(n));
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName("Thousands of repeated characters are no choice and never overflow the stack")
    void longRepeats() {
        org.assertj.core.api.Assertions.assertThat(TextNormalizer.choiceNumber("啊".repeat(5_000))).isEmpty();
        org.assertj.core.api.Assertions.assertThat(TextNormalizer.choiceNumber("要".repeat(5_000) + "1")).isEmpty();
        org.assertj.core.api.Assertions.assertThat(TextNormalizer.choiceNumber("第三个吧")).hasValue(3);
    }

    @Test
    @DisplayName("the quick path for plain text gives exactly what the full normalisation gives")
    void plainPathAgreesWithFullPath() throws Exception {
        java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of("  Hello  World  ", "我想 申请  帮助。",
                "孩子不见了、怎么办", "ABC def", " ", "", "a  b   c"));
        for (String file : java.util.List.of("/routing/labelled-messages.tsv", "/safety/labelled-safety.tsv")) {
            try (var in = getClass().getResourceAsStream(file)) {
                new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                        .map(l -> l.split("\t")[0]).forEach(texts::add);
            }
        }
        java.util.Random random = new java.util.Random(7);
        String alphabet = " aZ9!~^|`$、。的我孩子一龥";
        for (int i = 0; i < 2000; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(12); k > 0; k--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            texts.add(b.toString());
        }
        int plain = 0;
        for (String t : texts) {
            if (TextNormalizer.isPlain(t)) {
                plain++;
            }
            assertThat(TextNormalizer.normalize(t)).as(t).isEqualTo(TextNormalizer.normalizeFully(t));
        }
        assertThat(plain).as("texts that took the quick path").isGreaterThan(2000);
    }

    /** What {@code choiceNumber} and {@code compact} did with regexes before they were written out as loops. */
    private static final java.util.regex.Pattern OLD_PUNCTUATION = java.util.regex.Pattern.compile("[\\p{P}\\p{S}\\s]+");
    private static final java.util.regex.Pattern OLD_PREFIX =
            java.util.regex.Pattern.compile("^(我要|我选|选择|选|要|就|第|是|回复|按)+");
    private static final java.util.regex.Pattern OLD_SUFFIX = java.util.regex.Pattern.compile("[个项号条种吧啊呀的了哈嗯]+$");

    private static OptionalInt oldChoiceNumber(String text) {
        if (text.length() > 40) {
            return OptionalInt.empty();
        }
        String s = TextNormalizer.compact(text);
        s = OLD_PREFIX.matcher(s).replaceAll("");
        s = OLD_SUFFIX.matcher(s).replaceAll("");
        if (s.matches("\\d{1,3}")) {
            return OptionalInt.of(Integer.parseInt(s));
        }
        return TextNormalizer.chineseNumber(s);
    }

    @Test
    @DisplayName("choice numbers and compaction without regexes give what the regexes gave, on 20,000 random texts")
    void loopsAgreeWithTheRegexes() {
        java.util.Random random = new java.util.Random(11);
        // Choice words, digits (also full-width and Arabic-Indic), punctuation, symbols, emoji (a surrogate pair),
        // every kind of whitespace and a non-breaking space (not \\s in Java).
        String[] pieces = {"我要", "我选", "选择", "选", "要", "就", "第", "是", "回复", "按", "个", "项", "吧", "的", "嗯",
                "一", "二", "十", "两", "零", "0", "1", "9", "３", "\u0663", "，", "。", "!", "?", "…", "「", "」", "+", "$", "^",
                "😀", "1️⃣", " ", "\t", "\n", "\u000B", "\f", "\r", "\u00A0", "\u3000", "孩子", "a", "Z"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(8); k > 0; k--) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            String t = b.toString();
            assertThat(TextNormalizer.withoutPunctuationOrSpace(t)).as(t).isEqualTo(OLD_PUNCTUATION.matcher(t).replaceAll(""));
            assertThat(TextNormalizer.choiceNumber(t)).as(t).isEqualTo(oldChoiceNumber(t));
        }
    }
}
