package org.careline.directors;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fills a template message's fields from what they carry ({@code thing1:summary,…}), within WeChat's limits
 * since 2023 (no first/remark; {@code thing} ≤ 20 characters, {@code character_string} ≤ 32 without
 * Chinese, {@code phrase} ≤ 5 characters): a value over its limit is refused with 47003, so it is cut here.
 */
final class ReminderTemplates {

    private ReminderTemplates() {
    }

    static Map<String, String> fill(String spec, Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            String[] fieldWhat = pair.trim().split(":");
            String field = fieldWhat[0].trim();
            out.put(field, fit(field, values.getOrDefault(fieldWhat[1].trim(), "")));
        }
        return out;
    }

    static String fit(String field, String value) {
        String v = value == null ? "" : value.replace('\n', ' ').strip();
        String kind = field.replaceAll("\\d+$", "");
        return switch (kind) {
            case "thing" -> cut(v, 20);
            case "phrase" -> cut(v, 5);
            case "character_string" -> cut(v.replaceAll("[^\\x20-\\x7e]", ""), 32);
            default -> v;
        };
    }

    private static String cut(String s, int max) {
        return s.codePointCount(0, s.length()) <= max ? s
                : s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }
}
