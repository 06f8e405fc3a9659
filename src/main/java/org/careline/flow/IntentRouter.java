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

    private final RoutingTable table;
    private final List<Common.GlobalIntent> globals;

    IntentRouter(RoutingTable table, List<Common.GlobalIntent> globals) {
        this.table = table;
        this.globals = globals;
    }

    /**
     * Where the message leads, as the engine would take it with no question open: first the global words
     * of common.yaml that lead to a flow (danger → urgent, 人工 → talk-to-staff, 菜单 → menu), then meaning.
     */
    public Route route(String text) {
        if (TextNormalizer.compact(text).isEmpty()) {
            return Route.none();
        }
        for (Common.GlobalIntent g : globals) {
            if (g.flow() != null && g.matches(text)) {
                return new Route(g.flow().target(), Map.of(), GLOBAL_SCORE);
            }
        }
        Route best = Route.none();
        for (RoutingTable.Target t : table.targets()) {
            List<String> clauses = t.combinations().clauses(text);
            String s = String.join("", clauses);
            int score = score(s, t.words()) + t.combinations().score(clauses);
            Map<String, String> presets = new LinkedHashMap<>();
            for (var field : t.presets().entrySet()) {
                String bestValue = null;
                int bestScore = 0;
                for (var value : field.getValue().entrySet()) {
                    int v = score(s, value.getValue());
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
            if (score >= table.threshold() && score > best.score()) {
                best = new Route(t.flow().target(), presets, score);
            }
        }
        return best;
    }

    /** Sum of the weights of the words present in the message. */
    private static int score(String text, Map<String, Integer> words) {
        int total = 0;
        for (var w : words.entrySet()) {
            String word = TextNormalizer.compact(w.getKey());
            if (!word.isEmpty() && text.contains(word)) {
                total += w.getValue();
            }
        }
        return total;
    }
}
