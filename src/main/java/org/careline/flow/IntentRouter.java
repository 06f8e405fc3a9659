package org.careline.flow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Understands a free-text message by meaning, from the weighted words in menu.yaml's {@code intents:}.
 * Each target flow scores the weights of its words found in the message, plus its word combinations found
 * in one clause ({@link WordCombinations}), plus, per preset field, the best preset value's weight; the best flow wins if it reaches the threshold (ties go to the one listed first:
 * help-request, because a missed request for help costs more than a misplaced one).
 */
public final class IntentRouter {

    /** A global word beats any score: danger words must always win. */
    private static final int GLOBAL_SCORE = 1000;
    /** Word evidence this strong is trusted over the example model (several sure signs at once). */
    static final int STRONG_WORDS = 6;
    /** The example model is followed when it is at least this sure of one intent. */
    static final double CONFIDENT = 0.5;
    /** ... and when the message is mostly made of word pairs the examples contain. */
    static final double FAMILIAR = 0.15;
    /** The examples alone raise a danger alarm only when very sure; danger words raise it anyway. */
    static final double URGENT_SURE = 0.9;
    /** The examples alone lead to the gentle safety check from this probability of danger ... */
    static final double SUSPECT = 0.5;
    /** ... in a message of at least this many Chinese characters ("我不知道" says too little). */
    static final int SUSPICION_CHARACTERS = 6;

    private final RoutingTable table;
    private final List<Common.GlobalIntent> globals;
    private final IntentClassifier classifier;

    private final IntentClassifier safety;

    IntentRouter(RoutingTable table, List<Common.GlobalIntent> globals, IntentClassifier classifier,
                 IntentClassifier safety) {
        this.table = table;
        this.globals = globals.stream().filter(g -> !FlowEngine.HEARD_IN_CONTEXT.contains(g.name())).toList();
        this.classifier = classifier;
        this.safety = safety;
        for (RoutingTable.Target t : table.targets()) {
            weighted.put(t.words(), new Weighted(t.words()));
            t.presets().values().forEach(values -> values.values().forEach(w -> weighted.put(w, new Weighted(w))));
        }
    }

    /**
     * Where the message leads, as the engine would take it with no question open: first the global words
     * of common.yaml that lead to a flow (danger → urgent, 人工 → talk-to-staff, 菜单 → menu); then strong
     * word evidence; then the example model when it is sure; then weaker word evidence; else nowhere.
     */
    public Route route(String text) {
        return route(Heard.of(text));
    }

    Route route(Heard heard) {
        if (heard.isEmpty()) {
            return Route.none();
        }
        // The example models read a long paste's beginning only: a story is told in its first lines, and
        // danger anywhere in it is found by the word lists, which read all of it in one pass.
        String text = heard.head(MODEL_CHARACTERS);
        for (Common.GlobalIntent g : globals) {
            if (g.flow() != null && g.matches(heard)) {
                return new Route(g.flow().target(), Map.of(), GLOBAL_SCORE);
            }
        }
        Route words = Route.none();
        for (RoutingTable.Target t : table.targets()) {
            Route r = score(t, heard);
            if (r.score() >= table.threshold() && r.score() > words.score()) {
                words = r;
            }
        }
        if (words.found() && words.score() >= STRONG_WORDS) {
            return words;
        }
        if (!classifier.isEmpty() && wordy(text) && classifier.familiarity(text) >= FAMILIAR) {
            IntentClassifier.Prediction p = classifier.predict(text);
            String best = p.best();
            if (URGENT.equals(best)) {
                // A danger alarm starts a mandatory-report path: read the message again without the
                // everyday phrases the danger words set aside (打游戏, 打针, 把自己关在屋里 …).
                p = classifier.predict(withoutEverydayPhrases(Heard.of(text)));
                best = p.best();
                if (URGENT.equals(best) && p.probability(best) < URGENT_SURE) {
                    // Not sure enough to raise an alarm on examples alone: the words decide.
                    return words;
                }
            }
            if (best != null && p.probability(best) >= CONFIDENT) {
                String chosen = best;
                int confidence = (int) Math.round(p.probability(best) * 10);
                if (IntentClassifier.NONE.equals(chosen)) {
                    return Route.none();
                }
                return table.targets().stream().filter(t -> t.flow().target().equals(chosen)).findFirst()
                        .map(t -> new Route(chosen, score(t, heard).presets(), confidence, true))
                        .orElse(new Route(chosen, Map.of(), confidence, true));
            }
        }
        return words;
    }

    /**
     * The example model alone suspects danger (at least {@link #CONFIDENT} for urgent, read without the
     * everyday phrases the danger words set aside): not enough for an alarm, enough to ask gently whether
     * everyone is safe.
     */
    boolean examplesSuggestDanger(Heard heard) {
        String text = heard.head(MODEL_CHARACTERS);
        long han = text.codePoints()
                .filter(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN).count();
        if (safety.isEmpty() || han < SUSPICION_CHARACTERS || safety.familiarity(text) < FAMILIAR) {
            return false;
        }
        IntentClassifier.Prediction p = safety.predict(withoutEverydayPhrases(Heard.of(text)));
        return URGENT.equals(p.best()) && p.probability(URGENT) >= SUSPECT;
    }

    /**
     * The example model reads words, not numbers or codes: a bare "1" or "２" is a menu choice (or
     * nothing), and a case number or a binding code alone says nothing about what the person wants.
     */
    static boolean wordy(String text) {
        // Chinese characters only: a binding code such as "AB1234" is letters, not words. And at least a
        // few: "在吗" or "好的" say too little for a model to read intent into (the word lists still see
        // "没钱" or "人工").
        return TextNormalizer.compact(text).codePoints()
                .filter(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN).count() >= MIN_CHARACTERS;
    }

    /** Fewer Chinese characters than this are left to the word lists. */
    static final int MIN_CHARACTERS = 4;

    private static final String URGENT = "urgent";

    /**
     * The message with the everyday phrases of every danger list set aside (打工, 打麻将, 孩子他爸 of
     * {@code danger}, 以前 of {@code emergency} …), for the example models: they read characters, and
     * "他爸妈在外面打工" must not look like "被赶到外面" to them. Each list's phrases are blanked in turn, so
     * the first list (the emergency words, whose phrases are few) does not hide the others'.
     */
    private String withoutEverydayPhrases(Heard heard) {
        Heard read = heard;
        for (Common.GlobalIntent g : globals) {
            if (g.flow() != null && URGENT.equals(g.flow().target()) && !g.combinations().exceptions().isEmpty()) {
                read = Heard.of(g.combinations().clauses(read).readable());
            }
        }
        return read == heard ? heard.compact() : read.raw();
    }

    /** The example models read at most this many characters of a message. */
    static final int MODEL_CHARACTERS = 2_000;

    /** The word score of one target flow for the message, with the preset fields its words fill in. */
    private Route score(RoutingTable.Target t, Heard heard) {
        WordCombinations.Masked masked = t.combinations().clauses(heard);
        String s = masked.joined();
        int score = weights(t.words()).score(s) + t.combinations().score(masked);
        Map<String, String> presets = new LinkedHashMap<>();
        for (var field : t.presets().entrySet()) {
            String bestValue = null;
            int bestScore = 0;
            for (var value : field.getValue().entrySet()) {
                int v = weights(value.getValue()).score(s);
                if (v > bestScore) {
                    bestScore = v;
                    bestValue = value.getKey();
                }
            }
            if (bestValue != null) {
                presets.put(field.getKey(), bestValue);
                score += bestScore;
            }
        }
        return new Route(t.flow().target(), presets, score);
    }

    /**
     * Each weighted word list of the routing table compiled once into an automaton, when the router is made
     * (looked up by identity: the lists are the table's own, so no map is hashed per message).
     */
    private final Map<Map<String, Integer>, Weighted> weighted = new java.util.IdentityHashMap<>();

    private Weighted weights(Map<String, Integer> words) {
        Weighted w = weighted.get(words);
        return w != null ? w : new Weighted(words);
    }

    /** Words with weights: the sum of the weights of the words present in a message. */
    private static final class Weighted {
        private final Lexicon lexicon;
        private final Map<String, Integer> byCompacted = new java.util.HashMap<>();

        Weighted(Map<String, Integer> words) {
            words.forEach((w, weight) -> byCompacted.merge(TextNormalizer.compact(w), weight, Math::max));
            byCompacted.remove("");
            lexicon = Lexicon.of(byCompacted.keySet());
        }

        int score(String compacted) {
            int total = 0;
            for (String w : lexicon.found(compacted)) {
                total += byCompacted.getOrDefault(w, 0);
            }
            return total;
        }
    }
}
