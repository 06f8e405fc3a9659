package org.careline.flow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Meaning that single words cannot carry: "a child word together with a harm word", read in one clause of
 * the message (the text between two punctuation marks or spaces), after blanking out phrases that only look
 * like the words ({@code not:}, e.g. 打电话, 打疫苗, 孩子他爸); and patterns that tolerate words in between
 * ("想…死" holds in 我真的好想就这样死掉).
 *
 * <p>Why clauses: in "孩子他爸跑了，我一个人带孩子" the child and 跑了 belong to different clauses, so no
 * danger alarm; in "我孙子两天没回家了 电话也打不通" they share one. Why blanking rather than vetoing: "打工的爸爸
 * 回来又把孩子打了" must still be heard once 打工 is set aside.
 *
 * <p>Every list is compiled once into an automaton ({@link Lexicon}) and every pattern into a regex when the
 * flows load: reading a message costs one pass per list, not one per word.
 *
 * @param groups       group name → words (any one of them stands for the group)
 * @param combinations each needs one word of every named group in the same clause; its weight counts once
 * @param exceptions   phrases blanked out of the message before any word of this intent is looked for
 * @param patterns     "A…B" (or "A…B…C"): the parts in this order in one clause, at most {@link #GAP}
 *                     characters apart
 */
record WordCombinations(Map<String, List<String>> groups, List<Combination> combinations, List<String> exceptions,
                        List<String> patterns, Compiled compiled) {

    /** "child + harm: 3" in a flow file: {@code groups = [child, harm]}. */
    record Combination(List<String> groups, int weight, int line) {

        String name() {
            return String.join(" + ", groups);
        }
    }

    /** The lists as automata and the patterns as regexes, built once. */
    record Compiled(Lexicon exceptions, Map<String, Lexicon> groups, List<Pattern> patterns) {}

    /** Characters a pattern tolerates between two of its parts. */
    static final int GAP = 4;
    /** Stands where an exception was, so words cannot join across it. */
    static final char BLANK = '\u0000';

    WordCombinations(Map<String, List<String>> groups, List<Combination> combinations, List<String> exceptions) {
        this(groups, combinations, exceptions, List.of(), null);
    }

    WordCombinations {
        groups = Map.copyOf(groups);
        combinations = List.copyOf(combinations);
        exceptions = List.copyOf(exceptions);
        patterns = List.copyOf(patterns);
        if (compiled == null) {
            Map<String, Lexicon> lexicons = new LinkedHashMap<>();
            groups.forEach((name, words) -> lexicons.put(name, Lexicon.of(words)));
            compiled = new Compiled(Lexicon.of(exceptions), Map.copyOf(lexicons),
                    patterns.stream().map(WordCombinations::gapPattern).toList());
        }
    }

    static WordCombinations none() {
        return new WordCombinations(Map.of(), List.of(), List.of());
    }

    WordCombinations withPatterns(List<String> gapPatterns) {
        return new WordCombinations(groups, combinations, exceptions, gapPatterns, null);
    }

    /** "想…死" → 想, then at most {@link #GAP} characters (never a blanked exception), then 死. */
    static Pattern gapPattern(String spec) {
        String[] parts = spec.split("…|\\.\\.\\.");
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String part = TextNormalizer.compact(parts[i]);
            if (i > 0) {
                re.append("[^\\x00]{0,").append(GAP).append("}?");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    /** The message cut into clauses, each compacted, with the exceptions blanked out. */
    List<String> clauses(String text) {
        return clauses(Heard.of(text));
    }

    List<String> clauses(Heard heard) {
        List<String> out = new ArrayList<>(heard.clauses().size());
        for (String clause : heard.clauses()) {
            String c = compiled.exceptions().blankOut(clause, BLANK);
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    /** Sum of the weights of the combinations found (each at most once). */
    int score(List<String> clauses) {
        if (combinations.isEmpty()) {
            return 0;
        }
        int total = 0;
        List<java.util.Set<String>> present = groupsPerClause(clauses);
        for (Combination c : combinations) {
            if (present.stream().anyMatch(p -> p.containsAll(c.groups()))) {
                total += c.weight();
            }
        }
        return total;
    }

    /** Whether any combination or pattern is found. */
    boolean anyHolds(List<String> clauses) {
        for (String clause : clauses) {
            for (Pattern p : compiled.patterns()) {
                if (p.matcher(clause).find()) {
                    return true;
                }
            }
        }
        if (combinations.isEmpty()) {
            return false;
        }
        List<java.util.Set<String>> present = groupsPerClause(clauses);
        return combinations.stream().anyMatch(c -> present.stream().anyMatch(p -> p.containsAll(c.groups())));
    }

    /** For each clause, the names of the groups one of whose words it holds. */
    private List<java.util.Set<String>> groupsPerClause(List<String> clauses) {
        List<java.util.Set<String>> out = new ArrayList<>(clauses.size());
        for (String clause : clauses) {
            java.util.Set<String> names = new java.util.HashSet<>();
            compiled.groups().forEach((name, lexicon) -> {
                if (lexicon.foundIn(clause)) {
                    names.add(name);
                }
            });
            if (!names.isEmpty()) {
                out.add(names);
            }
        }
        return out;
    }
}
