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
public record WordCombinations(Map<String, List<String>> groups, List<Combination> combinations, List<String> exceptions,
                        List<String> patterns, Compiled compiled) {

    /** "child + harm: 3" in a flow file: {@code groups = [child, harm]}. */
    public record Combination(List<String> groups, int weight, int line) {

        String name() {
            return String.join(" + ", groups);
        }
    }

    /** The lists as automata and the patterns split into parts, built once. */
    record Compiled(Lexicon exceptions, Map<String, Lexicon> groups, List<GapPattern> patterns,
                    List<GapPattern> exceptionPatterns) {}

    /**
     * "想…死": the parts in order, each starting at most {@link #GAP} characters after the previous one ends,
     * with no blanked exception or clause break between them. Matched by hand from each occurrence of the
     * first part (an {@code indexOf} scan), so a 60 KB message costs a few passes, not a regex backtrack each.
     */
    record GapPattern(List<String> parts) {

        boolean foundIn(String text) {
            String first = parts.get(0);
            for (int at = text.indexOf(first); at >= 0; at = text.indexOf(first, at + 1)) {
                if (rest(text, at + first.length(), 1)) {
                    return true;
                }
            }
            return false;
        }

        /** Every span where the parts are found in order, replaced by {@link #BLANK}s. */
        String blankOut(String text) {
            String first = parts.get(0);
            char[] out = null;
            for (int at = text.indexOf(first); at >= 0; at = text.indexOf(first, at + 1)) {
                int end = end(text, at + first.length(), 1);
                if (end >= 0) {
                    if (out == null) {
                        out = text.toCharArray();
                    }
                    java.util.Arrays.fill(out, at, end, BLANK);
                }
            }
            return out == null ? text : new String(out);
        }

        /** Where the match of the parts from {@code part} on ends, or -1. */
        private int end(String text, int from, int part) {
            if (part == parts.size()) {
                return from;
            }
            String p = parts.get(part);
            for (int gap = 0; gap <= GAP && from + gap <= text.length(); gap++) {
                if (gap > 0) {
                    char c = text.charAt(from + gap - 1);
                    if (c == BLANK || c == Heard.CLAUSE) {
                        return -1;
                    }
                }
                if (text.startsWith(p, from + gap)) {
                    int e = end(text, from + gap + p.length(), part + 1);
                    if (e >= 0) {
                        return e;
                    }
                }
            }
            return -1;
        }

        private boolean rest(String text, int from, int part) {
            if (part == parts.size()) {
                return true;
            }
            String p = parts.get(part);
            for (int gap = 0; gap <= GAP && from + gap <= text.length(); gap++) {
                if (gap > 0) {
                    char c = text.charAt(from + gap - 1);
                    if (c == BLANK || c == Heard.CLAUSE) {
                        return false;
                    }
                }
                if (text.startsWith(p, from + gap) && rest(text, from + gap + p.length(), part + 1)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Characters a pattern tolerates between two of its parts. */
    static final int GAP = 4;
    /** Stands where an exception was, so words cannot join across it. */
    static final char BLANK = '\u0000';

    public WordCombinations(Map<String, List<String>> groups, List<Combination> combinations, List<String> exceptions) {
        this(groups, combinations, exceptions, List.of(), null);
    }

    public WordCombinations {
        groups = Map.copyOf(groups);
        combinations = List.copyOf(combinations);
        exceptions = List.copyOf(exceptions);
        patterns = List.copyOf(patterns);
        if (compiled == null) {
            Map<String, Lexicon> lexicons = new LinkedHashMap<>();
            groups.forEach((name, words) -> lexicons.put(name, Lexicon.of(words)));
            // An exception with "…" ("打我…电话": 打我儿子电话) is blanked wherever its parts are found in order.
            compiled = new Compiled(Lexicon.of(exceptions.stream().filter(e -> !isGap(e)).toList()), Map.copyOf(lexicons),
                    patterns.stream().map(WordCombinations::gapPattern).toList(),
                    exceptions.stream().filter(WordCombinations::isGap).map(WordCombinations::gapPattern).toList());
        }
    }

    static WordCombinations none() {
        return new WordCombinations(Map.of(), List.of(), List.of());
    }

    public WordCombinations withPatterns(List<String> gapPatterns) {
        return new WordCombinations(groups, combinations, exceptions, gapPatterns, null);
    }

    private static boolean isGap(String spec) {
        return spec.contains("…") || spec.contains("...");
    }

    /** "想…死" → the parts 想 and 死, compacted. */
    static GapPattern gapPattern(String spec) {
        return new GapPattern(java.util.Arrays.stream(spec.split("…|\\.\\.\\.")).map(TextNormalizer::compact).toList());
    }

    /**
     * The message's clauses (separated by {@link Heard#CLAUSE}) with this intent's exceptions blanked out:
     * one pass of the exceptions' automaton over the whole message.
     */
    Masked clauses(String text) {
        return clauses(Heard.of(text));
    }

    Masked clauses(Heard heard) {
        String text = compiled.exceptions().blankOut(heard.clauses(), BLANK);
        for (GapPattern p : compiled.exceptionPatterns()) {
            text = p.blankOut(text);
        }
        return new Masked(text);
    }

    /** A message's clauses with exceptions blanked: what words, patterns and combinations are read in. */
    static final class Masked {
        private final String text;
        private String joined;

        Masked(String text) {
            this.text = text;
        }

        /** The clauses separated by {@link Heard#CLAUSE}, exceptions blanked. */
        String text() {
            return text;
        }

        /** The clauses joined without breaks: single words are read across them ("我 想 死"). */
        String joined() {
            if (joined == null) {
                joined = Heard.withoutBreaks(text);
            }
            return joined;
        }

        /** The clauses joined with a comma: for a model that reads text. */
        String readable() {
            return text.replace(Heard.CLAUSE, '，').replace(BLANK, ' ');
        }
    }

    /** Sum of the weights of the combinations found (each at most once). */
    int score(Masked m) {
        if (combinations.isEmpty()) {
            return 0;
        }
        int total = 0;
        List<java.util.Set<String>> present = groupsPerClause(m);
        for (Combination c : combinations) {
            if (present.stream().anyMatch(p -> p.containsAll(c.groups()))) {
                total += c.weight();
            }
        }
        return total;
    }

    /** Whether any combination or pattern is found. */
    boolean anyHolds(Masked m) {
        for (GapPattern p : compiled.patterns()) {
            if (p.foundIn(m.text())) {
                return true;
            }
        }
        if (combinations.isEmpty()) {
            return false;
        }
        List<java.util.Set<String>> present = groupsPerClause(m);
        return combinations.stream().anyMatch(c -> present.stream().anyMatch(p -> p.containsAll(c.groups())));
    }

    /**
     * For each clause that holds a word of some group, the names of those groups: one automaton pass per group
     * over the whole message, hits placed in their clause.
     */
    private List<java.util.Set<String>> groupsPerClause(Masked m) {
        String text = m.text();
        // Hits first (most messages have few or none); the clause of each is found by counting breaks.
        java.util.TreeMap<Integer, java.util.Set<String>> byStart = new java.util.TreeMap<>();
        compiled.groups().forEach((name, lexicon) -> lexicon.hits(text,
                begin -> byStart.computeIfAbsent(begin, k -> new java.util.HashSet<>()).add(name)));
        java.util.Map<Integer, java.util.Set<String>> byClause = new java.util.HashMap<>();
        int clause = 0;
        int scanned = 0;
        for (var hit : byStart.entrySet()) {
            for (; scanned < hit.getKey(); scanned++) {
                if (text.charAt(scanned) == Heard.CLAUSE) {
                    clause++;
                }
            }
            byClause.computeIfAbsent(clause, k -> new java.util.HashSet<>()).addAll(hit.getValue());
        }
        return new ArrayList<>(byClause.values());
    }
}
