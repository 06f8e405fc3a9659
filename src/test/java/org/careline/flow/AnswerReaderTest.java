package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnswerReaderTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 11, 3);

    @ParameterizedTest(name = "\"{0}\" is {1}")
    @CsvSource({
            "2026-11-03, 2026-11-03", "2026/1/5, 2026-01-05", "2026年10月1日, 2026-10-01", "11月3日, 2026-11-03",
            "11月3号, 2026-11-03", "10.28, 2026-10-28", "十一月二号, 2026-11-02", "今天, 2026-11-03",
            "昨天, 2026-11-02", "前天, 2026-11-01", "大前天, 2026-10-31", "12月24日, 2025-12-24",
            "是昨天下午, 2026-11-02", "上周五, 2026-10-30", "周一, 2026-11-02", "星期五, 2026-10-30",
            "上个礼拜三, 2026-10-28", "3天前, 2026-10-31", "两天之前, 2026-11-01", "一周前, 2026-10-27",
            "一个星期以前, 2026-10-27", "大概5天前吧, 2026-10-29"
    })
    @DisplayName("dates as people write them")
    void dates(String text, String iso) {
        assertThat(AnswerReader.date(text, TODAY)).contains(LocalDate.parse(iso));
    }

    @ParameterizedTest(name = "\"{0}\" is about {1} ({2})")
    @CsvSource({
            "上个月, 2026-10-01, 10月", "大概上个月吧, 2026-10-01, 10月", "上个月底, 2026-10-31, 10月底",
            "上上个月, 2026-09-01, 9月", "这个月初, 2026-11-01, 11月初", "10月中旬, 2026-10-15, 10月中旬",
            "9月底, 2026-09-30, 9月底", "12月初, 2025-12-01, 2025年12月初", "去年12月, 2025-12-01, 去年12月",
            "去年, 2025-01-01, 去年", "前几天, 2026-10-31, 前几天（约10月31日）"
    })
    @DisplayName("where no exact day is needed, a rough time is read as a day near it, labelled as said")
    void roughDates(String text, String iso, String label) {
        assertThat(AnswerReader.approximateDate(text, TODAY))
                .contains(new AnswerReader.Approximate(LocalDate.parse(iso), label));
    }

    @ParameterizedTest
    @ValueSource(strings = {"不记得了", "好久了", "13月初", "孩子6个月"})
    @DisplayName("what is no rough time either is refused")
    void notRoughDates(String text) {
        assertThat(AnswerReader.approximateDate(text, TODAY)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"不记得了", "13月40日", "2026-02-30", "上个月", "500天前"})
    @DisplayName("what is not a date is refused")
    void notDates(String text) {
        assertThat(AnswerReader.date(text, TODAY)).isEmpty();
    }

    @ParameterizedTest(name = "{0} valid: {1}")
    @CsvSource({"11010519491231002X, true", "110105194912310021, false", "11010519491231002, false",
            "320102198001011234, false", "32010219800101123X, false"})
    @DisplayName("ID numbers: 18 characters with the GB 11643 check character")
    void idNumbers(String id, boolean valid) {
        assertThat(ChineseIdNumber.isValid(id)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "\"{0}\" is {1}")
    @CsvSource({"3, 3", "三个, 3", "两, 2", "大概12个, 12", "十五, 15"})
    @DisplayName("numbers in digits or Chinese")
    void numbers(String text, int n) {
        assertThat(AnswerReader.number(text)).isEqualTo(Optional.of(n));
    }

    @ParameterizedTest(name = "\"{0}\" is said as \"{1}\"")
    @CsvSource({"嗯嗯, 嗯", "嗯嗯嗯, 嗯", "是的, 是", "对的, 对", "好呀, 好", "嗯呢, 嗯", "好嘞, 好", "对对对, 对",
            "不了, 不了", "好了, 好了", "可以的, 可以", "的, 的"})
    @DisplayName("an everyday yes or no said twice or with a particle is the bare word; 了 changes the word and stays")
    void bareAnswers(String said, String bare) {
        assertThat(AnswerReader.bare(said)).isEqualTo(bare);
    }

    @ParameterizedTest(name = "\"{0}\" holds {1}: {2}")
    @CsvSource({"是的, 是, true", "嗯嗯, 嗯, true", "他们会知道是我吗, 是, false", "不是, 是, false", "不同意, 同意, true",
            "好了, 好, false"})
    @DisplayName("a one-character word is the whole answer only (also doubled or with a particle); longer words count anywhere")
    void oneCharacterWords(String answer, String word, boolean found) {
        assertThat(AnswerReader.found(answer, word)).isEqualTo(found);
    }
}
