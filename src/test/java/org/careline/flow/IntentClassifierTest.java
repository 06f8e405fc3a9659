package org.careline.flow;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IntentClassifierTest {

    static IntentClassifier model() {
        return new IntentClassifier(List.of(
                new IntentClassifier.Example("help-request", "孩子住院了没钱交医药费", "t", 1),
                new IntentClassifier.Example("help-request", "家里困难交不起学费", "t", 2),
                new IntentClassifier.Example("help-request", "奶粉钱都拿不出来了", "t", 3),
                new IntentClassifier.Example("help-request", "孩子看病的钱实在没有了", "t", 3),
                new IntentClassifier.Example("case-status", "我申请的补助批下来了吗", "t", 4),
                new IntentClassifier.Example("case-status", "上次登记的有进度了吗", "t", 5),
                new IntentClassifier.Example("none", "你好", "t", 6),
                new IntentClassifier.Example("none", "谢谢", "t", 7),
                new IntentClassifier.Example("none", "今天天气真不错啊", "t", 8),
                new IntentClassifier.Example("none", "在吗在吗有人吗", "t", 9),
                new IntentClassifier.Example("none", "你们几点下班呢", "t", 10)));
    }

    @Test
    @DisplayName("A message unlike any word list is still placed by the examples it resembles")
    void resemblance() {
        IntentClassifier.Prediction p = model().predict("孩子的医药费交不起了");
        assertThat(p.best()).isEqualTo("help-request");
        assertThat(model().predict("之前申请的批了没有").best()).isEqualTo("case-status");
    }

    @Test
    @DisplayName("Probabilities sum to one and an empty message is undecided")
    void probabilities() {
        IntentClassifier.Prediction p = model().predict("孩子的医药费");
        assertThat(p.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-9));
        IntentClassifier.Prediction empty = model().predict("！！！");
        assertThat(empty.probability("help-request")).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    @DisplayName("Features are character uni-, bi- and trigrams of the normalised text")
    void features() {
        assertThat(IntentClassifier.features("没 钱！")).containsExactly("没", "没钱", "钱");
        assertThat(IntentClassifier.features("交不起")).containsExactly("交", "交不", "交不起", "不", "不起", "起");
    }

    @Test
    @DisplayName("A message made of word pairs no example contains is unfamiliar: the model would only guess")
    void familiarity() {
        assertThat(model().familiarity("啦啦啦")).isZero();
        assertThat(model().familiarity("医药费交不起")).isGreaterThan(0.5);
    }

    @Test
    @DisplayName("Without examples there is no model")
    void empty() {
        assertThat(new IntentClassifier(List.of()).isEmpty()).isTrue();
    }
}
