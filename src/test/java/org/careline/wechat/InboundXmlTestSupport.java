package org.careline.wechat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one element of a generated body, so a test does not trust the parser it is checking. */
final class InboundXmlTestSupport {

    private InboundXmlTestSupport() {
    }

    static String element(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">(?:<!\\[CDATA\\[)?(.*?)(?:]]>)?</" + name + ">").matcher(xml);
        if (!m.find()) {
            throw new AssertionError("no <" + name + "> in the body");
        }
        return m.group(1);
    }
}
