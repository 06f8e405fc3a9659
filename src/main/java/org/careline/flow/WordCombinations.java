package org.careline.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Meaning that single words cannot carry: "a child word together with a harm word", read in one clause of
 * the message (the text between two punctuation marks or spaces), after blanking out phrases that only look
 * like the words ({@code not:}, e.g. 打电话, 打疫苗, 孩子他爸).
 *
 * <p>Why clauses: in "孩子他爸跑了，我一个人带孩子" the child and 跑了 belong to different clauses, so no
 * danger alarm; in "我孙子两天没回家了 电话也打不通" they share one. Why blanking rather than vetoing: "打工的爸爸
 * 回来又把孩子打了" must still be heard once 打工 is set aside.
 *
 * @param groups       group name → words (any one of them stands for the group)
 * @param combinations each needs one word of every named group in the same clause; its weight counts once
 * @param exceptions   phrases blanked out of the message before any word of this intent is looked for
 */
record WordCombinations(Map<String, List<String>> groups, List<Combination> combinations, List<String> exceptions) {

    /** "child + harm: 3" in a flow file: {@code groups = [child, harm]}. */
    record Combination(List<String> groups, int weight, int line) {

        String name() {
            return String.join(" + ", groups);
        }
    }

    private static final Pattern CLAUSE_BREAK = Pattern.compile("[\\p{P}\\p{S}\\s]+");
    /** Stands where an exception was, so words cannot join across it. */
    private static final String BLANK = "\u0000";

    WordCombinations {
        groups = Map.copyOf(groups);
        combinations = List.copyOf(combinations);
        exceptions = exceptions.stream().map(TextNormalizer::compact).filter(w -> !w.isEmpty())
                // Longest first, so that 打了个电话 is blanked whole before 打电话 is tried.
                .sorted((a, b) -> Integer.compare(b.length(), a.length())).toList();
    }

    static WordCombinations none() {
        return new WordCombinations(Map.of(), List.of(), List.of());
    }

    /** The message cut into clauses, each compacted, with the exceptions blanked out. */
    List<String> clauses(String text) {
        List<String> out = new ArrayList<>();
        for (String clause : CLAUSE_BREAK.split(TextNormalizer.normalize(text))) {
            String c = TextNormalizer.fixTypos(clause);
            for (String e : exceptions) {
                c = c.replace(e, BLANK);
            }
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    /** The whole message compacted, exceptions blanked out: where single words are looked for. */
    String masked(String text) {
        return String.join("", clauses(text));
    }

    /** Sum of the weights of the combinations found (each at most once). */
    int score(List<String> clauses) {
        int total = 0;
        for (Combination c : combinations) {
            if (clauses.stream().anyMatch(clause -> holds(c, clause))) {
                total += c.weight();
            }
        }
        return total;
    }

    /** Whether any combination is found. */
    boolean anyHolds(List<String> clauses) {
        return combinations.stream().anyMatch(c -> clauses.stream().anyMatch(clause -> holds(c, clause)));
    }

    private boolean holds(Combination c, String clause) {
        for (String g : c.groups()) {
            if (!containsAny(clause, groups.getOrDefault(g, List.of()))) {
                return false;
            }
        }
        return true;
    }

    static boolean containsAny(String text, List<String> words) {
        for (String w : words) {
            String word = TextNormalizer.compact(w);
            if (!word.isEmpty() && text.contains(word)) {
                return true;
            }
        }
        return false;
    }
}
