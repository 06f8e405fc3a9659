package org.careline.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A text message prepared once per step for everything that reads it: simplified ({@link ChineseText}),
 * normalised ({@link TextNormalizer}) and cut into clauses (the text between two punctuation marks or
 * spaces), each compacted with everyday typos read as meant. Word lists, patterns and the router all read
 * this one copy, so a long message is normalised once, not once per word.
 *
 * @param raw        the message as written (kept for free-text answers)
 * @param simplified the message in simplified Mandarin characters, with glosses of pinyin/English
 * @param clauses    compacted clauses, in order
 */
record Heard(String raw, String simplified, List<String> clauses) {

    private static final Pattern CLAUSE_BREAK = Pattern.compile("[\\p{P}\\p{S}\\s]+");

    static Heard of(String raw) {
        String simplified = ChineseText.simplify(raw == null ? "" : raw);
        List<String> clauses = new ArrayList<>();
        for (String clause : CLAUSE_BREAK.split(TextNormalizer.normalize(simplified))) {
            if (!clause.isEmpty()) {
                clauses.add(TextNormalizer.fixTypos(clause));
            }
        }
        return new Heard(raw, simplified, List.copyOf(clauses));
    }

    /** The whole message compacted (no punctuation, spaces or decorations). */
    String compact() {
        return String.join("", clauses);
    }

    boolean isEmpty() {
        return clauses.isEmpty();
    }
}
