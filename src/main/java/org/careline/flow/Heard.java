package org.careline.flow;

/**
 * A text message prepared once per step for everything that reads it: simplified ({@link ChineseText}),
 * normalised ({@link TextNormalizer}) and cut into clauses (the text between two punctuation marks or
 * spaces), each compacted with everyday typos read as meant. Word lists, patterns and the router all read
 * this one copy, so a long message is normalised once, not once per word.
 *
 * @param raw        the message as written (kept for free-text answers)
 * @param simplified the message in simplified Mandarin characters, with glosses of pinyin/English
 * @param clauses    the compacted clauses, in order, separated by {@link #CLAUSE}
 * @param compact    the whole message compacted (no punctuation, spaces or decorations)
 */
record Heard(String raw, String simplified, String clauses, String compact) {

    /** Stands between two clauses: no word, pattern or combination is read across it. */
    static final char CLAUSE = '\u0001';

    static Heard of(String raw) {
        String simplified = ChineseText.simplify(raw == null ? "" : raw);
        String clauses = TextNormalizer.fixTypos(strip(breaks(TextNormalizer.normalize(simplified))));
        return new Heard(raw, simplified, clauses, withoutBreaks(clauses));
    }

    /** {@code s} without clause breaks (a plain loop: String.replace is slow with thousands of matches). */
    static String withoutBreaks(String s) {
        if (s.indexOf(CLAUSE) < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != CLAUSE) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Runs of punctuation, symbols and spaces become one clause break (a plain loop: no regex per break). */
    private static String breaks(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean inBreak = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isBreak(cp)) {
                if (!inBreak) {
                    out.append(CLAUSE);
                    inBreak = true;
                }
            } else {
                out.appendCodePoint(cp);
                inBreak = false;
            }
        }
        return out.toString();
    }

    /** What {@code [\p{P}\p{S}\s]} matches: punctuation, symbols, white space (and an existing break). */
    private static boolean isBreak(int cp) {
        return cp == CLAUSE || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || TextNormalizer.punctuationOrSymbol(cp);
    }

    private static String strip(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && s.charAt(b) == CLAUSE) {
            b++;
        }
        while (e > b && s.charAt(e - 1) == CLAUSE) {
            e--;
        }
        return s.substring(b, e);
    }

    boolean isEmpty() {
        return compact.isEmpty();
    }

    /** The first {@code n} characters of the compacted message: models read a long paste's beginning only. */
    String head(int n) {
        return compact.length() <= n ? compact : compact.substring(0, n);
    }
}
