package org.careline.wechat;

import java.util.regex.Pattern;

/**
 * Masks WeChat credentials in text bound for a log line or an exception message. The access token
 * travels in every API URL's query and the app secret in token requests, so any URL, request body or
 * error text may carry one; everything CareLine logs about the WeChat API goes through {@link #redact}.
 */
public final class SecretRedaction {

    /** {@code access_token=…}, {@code component_access_token=…}, {@code secret=…}, {@code appsecret=…} in a query. */
    private static final Pattern QUERY_VALUE =
            Pattern.compile("(?i)([a-z_]*(?:access_token|secret)=)[^&\\s\"'#,;)]+");

    /** The same names as JSON members: {@code "access_token":"…"}, {@code "secret" : "…"}. */
    private static final Pattern JSON_VALUE =
            Pattern.compile("(?i)(\"[a-z_]*(?:access_token|secret)\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*(\")");

    private SecretRedaction() {
    }

    /** Returns {@code text} with every credential value replaced by {@code ***}; {@code null} stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = JSON_VALUE.matcher(text).replaceAll("$1***$2");
        return QUERY_VALUE.matcher(masked).replaceAll("$1***");
    }
}
