package org.careline.wechat;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads the XML WeChat sends — one {@code <xml>} root whose children hold text or CDATA — in one pass over
 * the characters, checking that it is well-formed XML 1.0, and keeps the text of each child of the root.
 *
 * <p>Written for the callback's hot path: the JDK's DOM parser built a whole document and reset its
 * configuration for every message, about a sixth of what the service allocated per message. What this reader
 * accepts and refuses follows the DOM parser it replaces (a test compares the two): elements, attributes,
 * character and the five predefined entity references, CDATA, comments, processing instructions, the XML
 * declaration and line-end normalisation. There is no DTD support at all: any DOCTYPE is refused, so no
 * entity is ever declared, resolved or expanded, and nothing is read from a file or URL. Nesting deeper than
 * {@link InboundXml#MAX_DEPTH} is refused while reading, and nothing here recurses.
 */
final class FlatXml {

    /** The root's name and the text of its children (the first child of each name), in document order. */
    record Document(String rootName, Map<String, String> children) {}

    private final String s;
    private final int maxDepth;
    private int pos;

    private FlatXml(String s, int maxDepth) {
        this.s = s;
        this.maxDepth = maxDepth;
    }

    /**
     * @throws WeChatProtocolException "DOCTYPE is not allowed", "XML nested deeper than N elements" or
     *                                 "malformed XML at line L, column C"
     */
    static Document read(String xml, int maxDepth) {
        return new FlatXml(xml, maxDepth).document();
    }

    private Document document() {
        if (s.startsWith("<?xml", pos) && pos + 5 < s.length() && isSpace(s.charAt(pos + 5))) {
            declaration();
        }
        misc();
        if (pos >= s.length() || s.charAt(pos) != '<') {
            throw malformed();
        }
        Map<String, String> children = new HashMap<>();
        String root = element(children);
        misc();
        if (pos != s.length()) {
            throw malformed();
        }
        return new Document(root, children);
    }

    /** Comments, processing instructions and white space between the top-level parts. */
    private void misc() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (isSpace(c)) {
                pos++;
            } else if (s.startsWith("<!--", pos)) {
                comment();
            } else if (s.startsWith("<?", pos)) {
                processingInstruction();
            } else if (s.startsWith("<!DOCTYPE", pos)) {
                throw new WeChatProtocolException("DOCTYPE is not allowed");
            } else {
                return;
            }
        }
    }

    /**
     * The root element, read with an explicit stack of open names. The text of each child of the root is
     * gathered with everything inside it, as the DOM's text content is.
     */
    private String element(Map<String, String> children) {
        String[] open = new String[maxDepth];
        int depth = 0;
        String root = null;
        String child = null;
        StringBuilder text = null;
        do {
            if (pos >= s.length()) {
                throw malformed();
            }
            char c = s.charAt(pos);
            if (c == '<') {
                if (s.startsWith("</", pos)) {
                    pos += 2;
                    String name = name();
                    skipSpaces();
                    expect('>');
                    if (depth == 0 || !name.equals(open[depth - 1])) {
                        throw malformed();
                    }
                    depth--;
                    if (depth == 1 && child != null) {
                        children.putIfAbsent(child, text.toString());
                        child = null;
                        text = null;
                    }
                } else if (s.startsWith("<!--", pos)) {
                    comment();
                } else if (s.startsWith("<![CDATA[", pos)) {
                    int end = s.indexOf("]]>", pos + 9);
                    if (end < 0) {
                        throw malformed();
                    }
                    if (depth < 1) {
                        throw malformed();
                    }
                    if (text != null) {
                        appendChars(text, pos + 9, end);
                    } else {
                        checkChars(pos + 9, end);
                    }
                    pos = end + 3;
                } else if (s.startsWith("<?", pos)) {
                    processingInstruction();
                } else if (s.startsWith("<!DOCTYPE", pos)) {
                    throw new WeChatProtocolException("DOCTYPE is not allowed");
                } else {
                    pos++;
                    String name = name();
                    boolean empty = attributes();
                    if (depth == maxDepth) {
                        throw new WeChatProtocolException("XML nested deeper than " + maxDepth + " elements");
                    }
                    if (depth == 0) {
                        root = name;
                    } else if (depth == 1) {
                        child = name;
                        text = new StringBuilder();
                    }
                    if (empty) {
                        if (depth == 1) {
                            children.putIfAbsent(child, "");
                            child = null;
                            text = null;
                        }
                    } else {
                        open[depth++] = name;
                    }
                    if (depth == 0) {
                        return root; // <xml/>
                    }
                }
            } else if (c == '&') {
                if (depth < 1) {
                    throw malformed();
                }
                int cp = reference();
                if (text != null) {
                    text.appendCodePoint(cp);
                }
            } else {
                int start = pos;
                while (pos < s.length() && s.charAt(pos) != '<' && s.charAt(pos) != '&') {
                    pos++;
                }
                // Searched within the run only: a search to the end of the body for every run between
                // thousands of entity references would make a 64 KiB body cost quadratic time.
                for (int i = start; i + 2 < pos; i++) {
                    if (s.charAt(i) == ']' && s.charAt(i + 1) == ']' && s.charAt(i + 2) == '>') {
                        pos = i;
                        throw malformed(); // not allowed in character data
                    }
                }
                if (text != null) {
                    appendChars(text, start, pos);
                } else {
                    checkChars(start, pos);
                    if (depth == 1) {
                        // Text directly in the root (between children): only white space is WeChat's.
                        // Any other text is still well-formed XML and, as with the DOM, simply not read.
                        continue;
                    }
                }
            }
        } while (depth > 0);
        return root;
    }

    /** Attributes up to the end of a start tag; true for an empty-element tag ({@code />}). */
    private boolean attributes() {
        java.util.Set<String> seen = null;
        while (true) {
            boolean spaced = skipSpaces();
            if (pos >= s.length()) {
                throw malformed();
            }
            char c = s.charAt(pos);
            if (c == '>') {
                pos++;
                return false;
            }
            if (c == '/') {
                pos++;
                expect('>');
                return true;
            }
            if (!spaced) {
                throw malformed();
            }
            String name = name();
            if (seen == null) {
                seen = new java.util.HashSet<>();
            }
            if (!seen.add(name)) {
                throw malformed(); // the same attribute twice
            }
            skipSpaces();
            expect('=');
            skipSpaces();
            if (pos >= s.length()) {
                throw malformed();
            }
            char quote = s.charAt(pos);
            if (quote != '"' && quote != '\'') {
                throw malformed();
            }
            pos++;
            while (true) {
                if (pos >= s.length()) {
                    throw malformed();
                }
                char v = s.charAt(pos);
                if (v == quote) {
                    pos++;
                    break;
                }
                if (v == '<') {
                    throw malformed();
                }
                if (v == '&') {
                    reference();
                } else {
                    int run = pos;
                    while (pos < s.length() && s.charAt(pos) != quote && s.charAt(pos) != '<' && s.charAt(pos) != '&') {
                        pos++;
                    }
                    checkChars(run, pos);
                }
            }
        }
    }

    /** {@code &lt;} and its four siblings, {@code &#NN;} and {@code &#xNN;}: the code point it stands for. */
    private int reference() {
        int semi = s.indexOf(';', pos);
        if (semi < 0 || semi - pos > 12) {
            throw malformed();
        }
        String ref = s.substring(pos + 1, semi);
        int cp;
        switch (ref) {
            case "lt" -> cp = '<';
            case "gt" -> cp = '>';
            case "amp" -> cp = '&';
            case "apos" -> cp = '\'';
            case "quot" -> cp = '"';
            default -> {
                if (!ref.startsWith("#") || ref.length() < 2) {
                    throw malformed(); // an entity nobody declared: there is no DTD
                }
                try {
                    cp = ref.charAt(1) == 'x' ? Integer.parseInt(ref.substring(2), 16) : Integer.parseInt(ref.substring(1));
                } catch (NumberFormatException e) {
                    throw malformed();
                }
                if (ref.charAt(1) == 'x' && (ref.length() < 3 || !ref.substring(2).chars().allMatch(FlatXml::isHexDigit))
                        || ref.charAt(1) != 'x' && !ref.substring(1).chars().allMatch(ch -> ch >= '0' && ch <= '9')
                        || !isXmlChar(cp)) {
                    throw malformed();
                }
            }
        }
        pos = semi + 1;
        return cp;
    }

    private static boolean isHexDigit(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private void comment() {
        int end = s.indexOf("--", pos + 4);
        if (end < 0 || !s.startsWith("-->", end)) {
            throw malformed(); // unclosed, or "--" inside a comment
        }
        checkChars(pos + 4, end);
        pos = end + 3;
    }

    private void processingInstruction() {
        pos += 2;
        String target = name();
        if (target.equalsIgnoreCase("xml")) {
            throw malformed(); // a second XML declaration, or one not at the very start
        }
        int end = s.indexOf("?>", pos);
        if (end < 0 || end > pos && !isSpace(s.charAt(pos))) {
            throw malformed();
        }
        checkChars(pos, end);
        pos = end + 2;
    }

    /** {@code <?xml version="1.0" encoding="…" standalone="…"?>}, each part checked as XML 1.0 says. */
    private void declaration() {
        pos += 5;
        String[] names = {"version", "encoding", "standalone"};
        int next = 0;
        while (true) {
            boolean spaced = skipSpaces();
            if (s.startsWith("?>", pos)) {
                if (next == 0) {
                    throw malformed(); // version is required
                }
                pos += 2;
                return;
            }
            if (!spaced) {
                throw malformed();
            }
            String name = name();
            while (next < names.length && !names[next].equals(name)) {
                if (next == 0) {
                    throw malformed();
                }
                next++;
            }
            if (next == names.length) {
                throw malformed();
            }
            skipSpaces();
            expect('=');
            skipSpaces();
            if (pos >= s.length() || s.charAt(pos) != '"' && s.charAt(pos) != '\'') {
                throw malformed();
            }
            char quote = s.charAt(pos);
            int end = s.indexOf(quote, pos + 1);
            if (end < 0) {
                throw malformed();
            }
            String value = s.substring(pos + 1, end);
            boolean ok = switch (next) {
                case 0 -> value.equals("1.0") || value.equals("1.1");
                // The body is already text: the JDK parser does not check the name of its encoding either.
                case 1 -> true;
                default -> value.equals("yes") || value.equals("no");
            };
            if (!ok) {
                throw malformed();
            }
            pos = end + 1;
            next++;
        }
    }

    private String name() {
        int start = pos;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            boolean ok = pos == start ? isNameStart(c) : isNameStart(c) || c == '-' || c == '.'
                    || c >= '0' && c <= '9' || c == '\u00B7' || Character.isLetterOrDigit(c)
                    || Character.getType(c) == Character.NON_SPACING_MARK;
            if (!ok) {
                break;
            }
            pos++;
        }
        if (pos == start) {
            throw malformed();
        }
        return s.substring(start, pos);
    }

    private static boolean isNameStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':'
                || c >= 0xC0 && c != 0xD7 && c != 0xF7 && Character.isLetter(c);
    }

    private boolean skipSpaces() {
        int start = pos;
        while (pos < s.length() && isSpace(s.charAt(pos))) {
            pos++;
        }
        return pos > start;
    }

    private void expect(char c) {
        if (pos >= s.length() || s.charAt(pos) != c) {
            throw malformed();
        }
        pos++;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** Appends s[from, to) with line ends normalised (CR LF and lone CR become LF), checking every character. */
    private void appendChars(StringBuilder out, int from, int to) {
        checkChars(from, to);
        boolean carriageReturn = false;
        for (int i = from; i < to && !carriageReturn; i++) {
            carriageReturn = s.charAt(i) == '\r';
        }
        if (!carriageReturn) {
            out.append(s, from, to);
            return;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                out.append('\n');
                if (i + 1 < to && s.charAt(i + 1) == '\n') {
                    i++;
                }
            } else {
                out.append(c);
            }
        }
    }

    /** Every character of s[from, to) is one XML allows (no control characters, no lone surrogates). */
    private void checkChars(int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0xD800 || c == '\n' || c == '\t' || c == '\r' || c >= 0xE000 && c <= 0xFFFD) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
                continue;
            }
            pos = i;
            throw malformed();
        }
    }

    private static boolean isXmlChar(int cp) {
        return cp == 0x9 || cp == 0xA || cp == 0xD || cp >= 0x20 && cp <= 0xD7FF || cp >= 0xE000 && cp <= 0xFFFD
                || cp >= 0x10000 && cp <= 0x10FFFF;
    }

    private WeChatProtocolException malformed() {
        if (s.contains("<!DOCTYPE") || s.contains("<!ENTITY")) {
            return new WeChatProtocolException("DOCTYPE is not allowed");
        }
        int at = Math.min(pos, s.length());
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (s.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new WeChatProtocolException("malformed XML at line " + line + ", column " + (at - lineStart + 1));
    }
}
