package org.careline.flow;

import java.util.List;
import java.util.Map;

/**
 * What {@code common.yaml} says for all flows: the global intents (checked in file order before any
 * answer), the shared texts (cancel, timeout, escalation …), yes/no words, custom-menu keys and QR scenes.
 */
public record Common(String file, List<GlobalIntent> globals, Map<String, String> texts, List<String> yesWords,
              List<String> noWords, Map<String, FlowNode.Ref> clicks, Map<String, FlowNode.Ref> scenes,
              FlowNode.Ref fallbackFlow, FlowNode.Ref fallbackNode, FlowNode.Ref followFlow) {

    /**
     * A word list that works at any point. {@code flow} (and optional {@code node}) is where it leads;
     * {@code cancel} and {@code back} have none. {@code exact}: the whole message must be one of the words
     * (so "帮助" the command is not mistaken in "我想申请帮助"); otherwise any word inside the message counts,
     * and so does any of the {@code combinations} (a child word with a harm word in one clause).
     * {@code duringEscalation}: also heard while staff have the chat (danger words only).
     */
    public record GlobalIntent(String name, boolean exact, List<String> words, WordCombinations combinations,
                        FlowNode.Ref flow, FlowNode.Ref node, boolean duringEscalation, int line, Lexicon lexicon,
                        java.util.Set<String> exactWords) {

        public GlobalIntent(String name, boolean exact, List<String> words, WordCombinations combinations,
                     FlowNode.Ref flow, FlowNode.Ref node, boolean duringEscalation, int line) {
            this(name, exact, words, combinations, flow, node, duringEscalation, line, Lexicon.of(words),
                    words.stream().map(TextNormalizer::compact).filter(w -> !w.isEmpty())
                            .collect(java.util.stream.Collectors.toUnmodifiableSet()));
        }

        /** {@code text}: the message as written. */
        boolean matches(String text) {
            return matches(Heard.of(text));
        }

        boolean matches(Heard heard) {
            if (exact) {
                String compacted = heard.compact();
                if (compacted.isEmpty() || compacted.length() > EXACT_MAX) {
                    return false;
                }
                return (exactWords.contains(compacted)
                        || exactWords.contains(TextNormalizer.compact(heard.raw())));
            }
            WordCombinations.Masked masked = combinations.clauses(heard);
            // Words across clause breaks too: "我 想 死" typed with spaces is still 想死.
            return lexicon.foundIn(masked.joined()) || combinations.anyHolds(masked);
        }
    }

    /** No command said alone ("结束人工", "菜单") is longer than this: longer messages are not compared whole. */
    static final int EXACT_MAX = 40;

    /** Texts the engine itself needs; the validator insists they exist. */
    public static final List<String> REQUIRED_TEXTS = List.of(
            "cancelled", "nothing_to_cancel", "timeout", "restarted", "no_previous", "retry", "yes_no_hint",
            "reason_fallback");

    String text(String name) {
        return texts.getOrDefault(name, "");
    }
}
