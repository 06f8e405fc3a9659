package org.careline.flow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A word list compiled once into an Aho-Corasick automaton: one pass over a message finds every word of the
 * list, however many words and however long the message. The words are compacted
 * ({@link TextNormalizer#compact}) when the list is built, never per message.
 *
 * <p>Our own small automaton (a map of transitions per state) rather than a double-array trie: Chinese
 * characters span a wide code range, and a double array spent seconds resizing at start-up for lists of a
 * few hundred words; this one builds in microseconds and reads a 60 KB message in about a millisecond.
 */
final class Lexicon {

    /** Transitions of each state, by character. */
    private final List<Map<Character, Integer>> next = new ArrayList<>();
    /** Where each state falls back to when the next character does not continue it. */
    private int[] fail;
    /** The words ending at each state (its own and those of its fallbacks), as indexes into {@link #words}. */
    private int[][] out;
    private final List<String> words = new ArrayList<>();

    Lexicon(Collection<String> list) {
        this(list, true);
    }

    /** {@code compact}: compact the words first (false for English phrases, read with their spaces). */
    private Lexicon(Collection<String> list, boolean compact) {
        Set<String> unique = new TreeSet<>();
        for (String w : list) {
            String c = compact ? TextNormalizer.compact(w) : w;
            if (!c.isEmpty()) {
                unique.add(c);
            }
        }
        next.add(new HashMap<>());
        List<List<Integer>> ends = new ArrayList<>();
        ends.add(new ArrayList<>());
        for (String w : unique) {
            int state = 0;
            for (int i = 0; i < w.length(); i++) {
                Integer to = next.get(state).get(w.charAt(i));
                if (to == null) {
                    to = next.size();
                    next.add(new HashMap<>());
                    ends.add(new ArrayList<>());
                    next.get(state).put(w.charAt(i), to);
                }
                state = to;
            }
            ends.get(state).add(words.size());
            words.add(w);
        }
        fail = new int[next.size()];
        ArrayDeque<Integer> queue = new ArrayDeque<>(next.get(0).values());
        while (!queue.isEmpty()) {
            int s = queue.poll();
            for (Map.Entry<Character, Integer> e : next.get(s).entrySet()) {
                int child = e.getValue();
                int f = fail[s];
                while (f != 0 && !next.get(f).containsKey(e.getKey())) {
                    f = fail[f];
                }
                Integer via = next.get(f).get(e.getKey());
                fail[child] = via != null && via != child ? via : 0;
                ends.get(child).addAll(ends.get(fail[child]));
                queue.add(child);
            }
        }
        out = new int[ends.size()][];
        for (int i = 0; i < ends.size(); i++) {
            out[i] = ends.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    static Lexicon of(Collection<String> words) {
        return new Lexicon(words);
    }

    /** The words exactly as given (English phrases with their spaces, pinyin keys). */
    static Lexicon exact(Collection<String> words) {
        return new Lexicon(words, false);
    }

    /** Calls {@code hit} with the start, end (exclusive) and word of every occurrence. */
    void each(String text, Occurrence hit) {
        scan(text, (begin, end, word) -> {
            hit.at(begin, end, word);
            return true;
        });
    }

    /** One occurrence of a word. */
    interface Occurrence {
        void at(int begin, int end, String word);
    }

    boolean isEmpty() {
        return words.isEmpty();
    }

    /** A word found: where it begins and ends (exclusive) in the text, and which word it is. */
    private interface Hit {
        /** @return false to stop scanning */
        boolean at(int begin, int end, String word);
    }

    private void scan(String text, Hit hit) {
        if (words.isEmpty() || text.isEmpty()) {
            return;
        }
        int state = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            Integer to = next.get(state).get(c);
            while (to == null && state != 0) {
                state = fail[state];
                to = next.get(state).get(c);
            }
            state = to == null ? 0 : to;
            for (int w : out[state]) {
                String word = words.get(w);
                if (!hit.at(i + 1 - word.length(), i + 1, word)) {
                    return;
                }
            }
        }
    }

    /** Whether any word of the list occurs in {@code compacted}. */
    boolean foundIn(String compacted) {
        boolean[] found = {false};
        scan(compacted, (begin, end, word) -> {
            found[0] = true;
            return false;
        });
        return found[0];
    }

    /** The words of the list that occur in {@code compacted}. */
    Set<String> found(String compacted) {
        Set<String> out = new HashSet<>();
        scan(compacted, (begin, end, word) -> out.add(word) || true);
        return out;
    }

    /** Calls {@code at} with the start of every occurrence of a word of the list. */
    void hits(String text, java.util.function.IntConsumer at) {
        scan(text, (begin, end, word) -> {
            at.accept(begin);
            return true;
        });
    }

    /** The longest word found, or null. */
    String longest(String compacted) {
        String[] best = {null};
        scan(compacted, (begin, end, word) -> {
            if (best[0] == null || word.length() > best[0].length()) {
                best[0] = word;
            }
            return true;
        });
        return best[0];
    }

    /**
     * {@code compacted} with every occurrence of a word replaced by {@code blank} (overlapping ones too), so
     * that words of another list cannot be found inside it.
     */
    String blankOut(String compacted, char blank) {
        if (words.isEmpty() || compacted.isEmpty()) {
            return compacted;
        }
        char[][] out = {null};
        scan(compacted, (begin, end, word) -> {
            if (out[0] == null) {
                out[0] = compacted.toCharArray();
            }
            for (int i = begin; i < end; i++) {
                out[0][i] = blank;
            }
            return true;
        });
        return out[0] == null ? compacted : new String(out[0]);
    }
}
