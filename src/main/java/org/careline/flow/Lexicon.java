package org.careline.flow;

import com.hankcs.hanlp.collection.AhoCorasick.AhoCorasickDoubleArrayTrie;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * A word list compiled once into an Aho-Corasick automaton (HanLP's double-array trie): one pass over a
 * message finds every word of the list, however many words and however long the message. The words are
 * compacted ({@link TextNormalizer#compact}) when the list is built, never per message.
 */
final class Lexicon {

    private final AhoCorasickDoubleArrayTrie<String> trie;
    private final boolean empty;

    Lexicon(Collection<String> words) {
        TreeMap<String, String> map = new TreeMap<>();
        for (String w : words) {
            String c = TextNormalizer.compact(w);
            if (!c.isEmpty()) {
                map.put(c, c);
            }
        }
        empty = map.isEmpty();
        trie = new AhoCorasickDoubleArrayTrie<>();
        if (!empty) {
            trie.build(map);
        }
    }

    static Lexicon of(Collection<String> words) {
        return new Lexicon(words);
    }

    boolean isEmpty() {
        return empty;
    }

    /** Whether any word of the list occurs in {@code compacted}. */
    boolean foundIn(String compacted) {
        if (empty || compacted.isEmpty()) {
            return false;
        }
        boolean[] hit = {false};
        trie.parseText(compacted, (begin, end, value) -> hit[0] = true);
        return hit[0];
    }

    /** The words of the list that occur in {@code compacted}. */
    Set<String> found(String compacted) {
        Set<String> out = new HashSet<>();
        if (!empty && !compacted.isEmpty()) {
            trie.parseText(compacted, (begin, end, value) -> out.add(value));
        }
        return out;
    }

    /** Calls {@code at} with the start of every occurrence of a word of the list. */
    void hits(String text, java.util.function.IntConsumer at) {
        if (!empty && !text.isEmpty()) {
            trie.parseText(text, (begin, end, value) -> at.accept(begin));
        }
    }

    /** The longest word found, or null. */
    String longest(String compacted) {
        String[] best = {null};
        if (!empty && !compacted.isEmpty()) {
            trie.parseText(compacted, (begin, end, value) -> {
                if (best[0] == null || value.length() > best[0].length()) {
                    best[0] = value;
                }
            });
        }
        return best[0];
    }

    /**
     * {@code compacted} with every occurrence of a word replaced by {@code blank} (longest first where they
     * overlap), so that words of another list cannot be found inside it.
     */
    String blankOut(String compacted, char blank) {
        if (empty || compacted.isEmpty()) {
            return compacted;
        }
        List<int[]> hits = new ArrayList<>();
        trie.parseText(compacted, (begin, end, value) -> hits.add(new int[] {begin, end}));
        if (hits.isEmpty()) {
            return compacted;
        }
        char[] out = compacted.toCharArray();
        for (int[] h : hits) {
            for (int i = h[0]; i < h[1]; i++) {
                out[i] = blank;
            }
        }
        return new String(out);
    }
}
