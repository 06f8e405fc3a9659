package org.careline.flow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A multinomial naive Bayes model over the character n-grams of the example messages in
 * {@code conversation-flows/examples/}. It complements the word lists: examples teach the many ways people
 * say the same thing (typos, dialect, stories without a keyword), and staff improve it by adding examples,
 * not code. Deterministic and pure: trained once when the flows load.
 */
public final class IntentClassifier {

    /** The intent of examples that lead nowhere ({@code intent: none} in an example file). */
    static final String NONE = "none";

    /** Laplace smoothing; small, because n-gram vocabularies are large and sparse. */
    private static final double ALPHA = 0.1;

    private final List<String> intents;
    private final Map<String, Map<String, Integer>> counts = new HashMap<>();
    private final Map<String, Integer> totals = new HashMap<>();
    private final int vocabulary;
    private final java.util.Set<String> known = new java.util.HashSet<>();

    /** One labelled example: the intent it stands for and its text. */
    public record Example(String intent, String text, String file, int line) {

        /** Examples in {@code examples/safety-*.yaml} teach the danger check only, never routing. */
        boolean safetyOnly() {
            String f = file == null ? "" : file.replace('\\', '/');
            return f.substring(f.lastIndexOf('/') + 1).startsWith("safety-");
        }
    }

    /** A classification: each intent's probability, summing to 1. */
    record Prediction(Map<String, Double> probabilities) {
        String best() {
            return probabilities.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        }

        double probability(String intent) {
            return probabilities.getOrDefault(intent, 0.0);
        }
    }

    IntentClassifier(List<Example> examples) {
        List<String> seen = new ArrayList<>();
        Map<String, Boolean> vocab = new HashMap<>();
        for (Example e : examples) {
            if (!seen.contains(e.intent())) {
                seen.add(e.intent());
            }
            Map<String, Integer> c = counts.computeIfAbsent(e.intent(), k -> new HashMap<>());
            // Read as messages are read: traditional and Cantonese examples teach the same words.
            for (String f : features(ChineseText.simplify(e.text()))) {
                c.merge(f, 1, Integer::sum);
                totals.merge(e.intent(), 1, Integer::sum);
                vocab.put(f, true);
                known.add(f);
            }
        }
        this.intents = List.copyOf(seen);
        this.vocabulary = Math.max(1, vocab.size());
    }

    boolean isEmpty() {
        return intents.isEmpty();
    }

    List<String> intents() {
        return intents;
    }

    /**
     * Equal priors on purpose: the examples' proportions say how much staff wrote, not how often people
     * ask. Log-likelihoods are averaged per feature so that a long story is not more certain than a short
     * request merely for being long.
     */
    Prediction predict(String text) {
        List<String> features = features(text);
        Map<String, Double> out = new LinkedHashMap<>();
        if (intents.isEmpty() || features.isEmpty()) {
            intents.forEach(i -> out.put(i, 1.0 / Math.max(1, intents.size())));
            return new Prediction(out);
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        double max = Double.NEGATIVE_INFINITY;
        for (String intent : intents) {
            Map<String, Integer> c = counts.get(intent);
            double total = totals.getOrDefault(intent, 0) + ALPHA * vocabulary;
            double log = 0;
            for (String f : features) {
                log += Math.log((c.getOrDefault(f, 0) + ALPHA) / total);
            }
            double score = log / Math.sqrt(features.size());
            scores.put(intent, score);
            max = Math.max(max, score);
        }
        double sum = 0;
        for (var e : scores.entrySet()) {
            double v = Math.exp(e.getValue() - max);
            out.put(e.getKey(), v);
            sum += v;
        }
        double norm = sum;
        out.replaceAll((k, v) -> v / norm);
        return new Prediction(out);
    }

    /**
     * How much of the message the examples have seen at all: the share of its bigrams and trigrams that
     * occur in some example. Nonsense ("啦啦啦") and topics no example covers score low, and a model
     * asked about them would only be guessing.
     */
    double familiarity(String text) {
        List<String> multi = features(text).stream().filter(f -> f.codePointCount(0, f.length()) > 1).toList();
        if (multi.isEmpty()) {
            return 0;
        }
        return (double) multi.stream().filter(known::contains).count() / multi.size();
    }

    /** Character unigrams, bigrams and trigrams of the normalised text (Chinese has no spaces between words). */
    static List<String> features(String text) {
        String s = TextNormalizer.compact(text);
        List<String> out = new ArrayList<>();
        int[] cps = s.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            out.add(new String(cps, i, 1));
            if (i + 1 < cps.length) {
                out.add(new String(cps, i, 2));
            }
            if (i + 2 < cps.length) {
                out.add(new String(cps, i, 3));
            }
        }
        return out;
    }
}
