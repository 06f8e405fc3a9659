package org.careline.privacy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Masks what identifies a child or a family before it reaches a log line, a list or an admin view
 * (PIPL and the children's-information rules: ID numbers, phones, addresses and health are sensitive).
 */
public final class Redaction {

    private Redaction() {
    }

    /** A stable, non-reversible handle for an openid in logs: lets lines be correlated, not people found. */
    public static String openid(String openid) {
        if (openid == null) {
            return "-";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(openid.getBytes(StandardCharsets.UTF_8));
            return "u_" + HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 13812345678 → 138****5678. */
    public static String phone(String phone) {
        if (phone == null || phone.length() < 7) {
            return "****";
        }
        return phone.substring(0, 3) + "****" + phone.substring(phone.length() - 4);
    }

    /** An 18-digit ID number keeps its region prefix and check digit only: 321201**********1X. */
    public static String idNumber(String id) {
        if (id == null || id.length() < 8) {
            return "******";
        }
        return id.substring(0, 6) + "*".repeat(id.length() - 8) + id.substring(id.length() - 2);
    }

    /** Keeps the first few characters of an address (town level), hides the rest. */
    public static String address(String address) {
        if (address == null || address.isEmpty()) {
            return "";
        }
        int keep = Math.min(4, address.length() / 2);
        return address.substring(0, keep) + "****";
    }

    /** A name keeps its first character (the surname): 王**. */
    public static String name(String name) {
        if (name == null || name.isEmpty()) {
            return "";
        }
        return name.charAt(0) + "*".repeat(Math.max(1, name.length() - 1));
    }

    /** Free text can hold anything (a diagnosis, an address); a view shows only its length. */
    public static String freeText(String text) {
        return text == null ? "" : "（已隐藏，" + text.codePointCount(0, text.length()) + "字）";
    }

    /** Masks a map of collected fields by what each field's name says it holds. */
    public static Map<String, String> fields(Map<String, String> fields) {
        Map<String, String> out = new LinkedHashMap<>();
        if (fields == null) {
            return out;
        }
        fields.forEach((k, v) -> out.put(k, field(k, v)));
        return out;
    }

    static String field(String name, String value) {
        if (value == null) {
            return null;
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("phone") || n.contains("mobile") || n.contains("tel")) {
            return phone(value);
        }
        if (n.contains("code") || n.contains("password") || n.contains("secret")) {
            // A binding code is a credential: whoever reads it (until it is used) could bind as that person.
            return "******";
        }
        if (n.contains("id_number") || n.contains("idcard") || n.contains("id_card")) {
            return idNumber(value);
        }
        if (n.contains("address") || n.contains("addr") || n.contains("community")) {
            // A community (村/社区) with a child's age and need can point at one family.
            return address(value);
        }
        if (n.endsWith("name")) {
            return name(value);
        }
        if (n.contains("description") || n.contains("detail") || n.contains("note") || n.contains("text")
                || n.contains("summary") || n.contains("message") || n.contains("story")) {
            return freeText(value);
        }
        return value;
    }
}
