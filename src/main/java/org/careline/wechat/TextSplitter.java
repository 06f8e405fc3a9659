package org.careline.wechat;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a long reply into messages WeChat accepts. A text message over about 2,000 bytes fails with
 * 45002, so parts stay within a UTF-8 byte budget, breaking at a paragraph, then a line, then a sentence
 * end, then a space, and only then anywhere (never inside a surrogate pair).
 */
public final class TextSplitter {

    /** DESIGN §4: about 600 Chinese characters (3 bytes each), with a margin under WeChat's limit. */
    public static final int DEFAULT_MAX_BYTES = 1800;

    private static final String SENTENCE_ENDS = "。！？!?；;…";
    private static final String CLOSERS = "”’」』）)】\"'";

    private TextSplitter() {
    }

    public static List<String> split(String text) {
        return split(text, DEFAULT_MAX_BYTES);
    }

    /**
     * The parts of {@code text}, in order, each at most {@code maxBytesUtf8} bytes in UTF-8, with the line
     * breaks at the cut removed. Empty or blank text gives no parts.
     */
    public static List<String> split(String text, int maxBytesUtf8) {
        if (maxBytesUtf8 < 4) {
            throw new IllegalArgumentException("the byte budget must hold at least one character (4 bytes)");
        }
        List<String> parts = new ArrayList<>();
        if (text == null) {
            return parts;
        }
        int start = skipLineBreaks(text, 0);
        while (start < text.length()) {
            int limit = fit(text, start, maxBytesUtf8);
            int cut = limit == text.length() ? limit : breakBefore(text, start, limit);
            String part = text.substring(start, cut).stripTrailing();
            if (!part.isEmpty()) {
                parts.add(part);
            }
            start = skipLineBreaks(text, cut);
        }
        return parts;
    }

    /** The furthest index from {@code start} whose text fits the budget, on a code point boundary. */
    private static int fit(String text, int start, int maxBytes) {
        int bytes = 0;
        int i = start;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int size = utf8Bytes(cp);
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return i;
    }

    /**
     * Where to cut in (start, limit]. A break in the second half of the window keeps parts near full;
     * failing that, any natural break beats cutting mid-sentence.
     */
    private static int breakBefore(String text, int start, int limit) {
        int half = start + (limit - start) / 2;
        int[] candidates = {
                lastParagraphEnd(text, start, limit),
                lastAfter(text, start, limit, "\n"),
                lastSentenceEnd(text, start, limit),
                lastAfter(text, start, limit, " \u3000"),
        };
        for (int candidate : candidates) {
            if (candidate > half) {
                return candidate;
            }
        }
        for (int candidate : candidates) {
            if (candidate > start) {
                return candidate;
            }
        }
        return limit;
    }

    private static int lastParagraphEnd(String text, int start, int limit) {
        int at = text.lastIndexOf("\n\n", limit - 2);
        return at >= start ? at + 2 : -1;
    }

    /** The index just after the last of {@code chars} in [start, limit), or -1. */
    private static int lastAfter(String text, int start, int limit, String chars) {
        for (int i = limit - 1; i >= start; i--) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Like {@link #lastAfter} for sentence ends, keeping a closing quote or bracket with its sentence. */
    private static int lastSentenceEnd(String text, int start, int limit) {
        for (int i = limit - 1; i >= start; i--) {
            if (SENTENCE_ENDS.indexOf(text.charAt(i)) >= 0) {
                int end = i + 1;
                while (end < limit && CLOSERS.indexOf(text.charAt(end)) >= 0) {
                    end++;
                }
                return end;
            }
        }
        return -1;
    }

    private static int skipLineBreaks(String text, int from) {
        int i = from;
        while (i < text.length() && (text.charAt(i) == '\n' || text.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    // A lone surrogate is counted as the 3 bytes a replacement character would take.
    private static int utf8Bytes(int cp) {
        if (cp < 0x80) {
            return 1;
        }
        if (cp < 0x800) {
            return 2;
        }
        return cp < 0x10000 ? 3 : 4;
    }
}
