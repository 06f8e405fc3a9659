package org.careline.flow;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class AgeAnswerTest {

    @ParameterizedTest(name = "{0} -> {1} months")
    @CsvSource(nullValues = "-", value = {
            "3, 36",
            "3岁, 36",
            "三岁, 36",
            "孩子３岁了, 36",
            "三岁半, 42",
            "十二岁, 144",
            "12周岁, 144",
            "6个月, 6",
            "才六个月, 6",
            "18个月, 18",
            "半岁, 6",
            "刚出生, 1",
            "17岁, 204",
            "18岁, -",
            "不知道, -",
            "上二年级了, -",
            "初一, -",
            "在上幼儿园, -",
            "8岁 上二年级, 96",
            "高中, -",
    })
    @DisplayName("A child's age is read as people say it, in years or months; 18 and over is not a child")
    void ages(String said, Integer months) {
        assertThat(AnswerReader.age(said).orElse(null)).isEqualTo(months);
    }
}
