package org.careline.wechat;

import java.util.Objects;

/** Passive replies: the XML the callback answers with, inside WeChat's 5-second deadline. */
public final class ReplyXml {

    private ReplyXml() {
    }

    /**
     * A passive text reply. {@code toUser} is the user's openid (the inbound FromUserName), {@code fromUser}
     * the account's original id (the inbound ToUserName).
     */
    public static String text(String toUser, String fromUser, long createTimeSeconds, String content) {
        Objects.requireNonNull(toUser, "toUser");
        Objects.requireNonNull(fromUser, "fromUser");
        Objects.requireNonNull(content, "content");
        return "<xml>"
                + "<ToUserName>" + cdata(toUser) + "</ToUserName>"
                + "<FromUserName>" + cdata(fromUser) + "</FromUserName>"
                + "<CreateTime>" + createTimeSeconds + "</CreateTime>"
                + "<MsgType><![CDATA[text]]></MsgType>"
                + "<Content>" + cdata(content) + "</Content>"
                + "</xml>";
    }

    /**
     * A CDATA section holding exactly {@code value}. A "]]>" inside would end the section early, so the
     * section is closed between "]]" and ">" and reopened. Characters XML forbids even in CDATA (most
     * control characters, lone surrogates) are dropped: WeChat would reject the whole reply otherwise.
     */
    static String cdata(String value) {
        return "<![CDATA[" + xmlSafe(value).replace("]]>", "]]]]><![CDATA[>") + "]]>";
    }

    private static String xmlSafe(String value) {
        StringBuilder out = null;
        int i = 0;
        while (i < value.length()) {
            int cp = value.codePointAt(i);
            int width = Character.charCount(cp);
            boolean allowed = cp == 0x9 || cp == 0xA || cp == 0xD
                    || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD)
                    || (cp >= 0x10000 && cp <= 0x10FFFF);
            if (!allowed && out == null) {
                out = new StringBuilder(value.length()).append(value, 0, i);
            } else if (allowed && out != null) {
                out.appendCodePoint(cp);
            }
            i += width;
        }
        return out == null ? value : out.toString();
    }
}
