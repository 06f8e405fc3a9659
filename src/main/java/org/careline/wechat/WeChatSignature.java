package org.careline.wechat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * WeChat's callback signatures: SHA-1 over the lexicographically sorted parameters, concatenated.
 * The plain {@code signature} covers (token, timestamp, nonce); in safe mode {@code msg_signature} covers
 * (token, timestamp, nonce, Encrypt).
 */
public final class WeChatSignature {

    /** DESIGN §2: a timestamp more than 5 minutes off either way is a replay or a broken clock. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);

    private WeChatSignature() {
    }

    /** Whether {@code signature} is WeChat's signature of (token, timestamp, nonce); false on any null or blank. */
    public static boolean verify(String token, String timestamp, String nonce, String signature) {
        if (anyBlank(token, timestamp, nonce, signature)) {
            return false;
        }
        return matches(sign(token, timestamp, nonce), signature);
    }

    /** Whether {@code msgSignature} is the safe-mode signature of (token, timestamp, nonce, encrypt). */
    public static boolean verifyMsgSignature(String token, String timestamp, String nonce, String encrypt,
                                             String msgSignature) {
        if (anyBlank(token, timestamp, nonce, encrypt, msgSignature)) {
            return false;
        }
        return matches(sign(token, timestamp, nonce, encrypt), msgSignature);
    }

    /** SHA-1, lowercase hex, of the parts sorted lexicographically and concatenated. */
    public static String sign(String... parts) {
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("nothing to sign");
        }
        String[] sorted = parts.clone();
        for (String part : sorted) {
            if (part == null) {
                throw new IllegalArgumentException("a signed part is null");
            }
        }
        Arrays.sort(sorted);
        return HexFormat.of().formatHex(sha1().digest(String.join("", sorted).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Whether the callback's timestamp (seconds since the epoch, digits only) is within {@code maxSkew}
     * of {@code now}, either way.
     */
    public static boolean freshTimestamp(String timestamp, Instant now, Duration maxSkew) {
        if (timestamp == null || timestamp.isEmpty() || timestamp.length() > 12 || now == null
                || maxSkew == null || maxSkew.isNegative()) {
            return false;
        }
        for (int i = 0; i < timestamp.length(); i++) {
            char c = timestamp.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        long skew = Math.abs(Long.parseLong(timestamp) - now.getEpochSecond());
        return skew <= maxSkew.getSeconds();
    }

    /** {@link #freshTimestamp(String, Instant, Duration)} with the 5 minutes of {@link #MAX_SKEW}. */
    public static boolean freshTimestamp(String timestamp, Instant now) {
        return freshTimestamp(timestamp, now, MAX_SKEW);
    }

    // Constant time, so the time taken does not tell an attacker how many leading characters were right.
    private static boolean matches(String expectedHex, String givenHex) {
        return MessageDigest.isEqual(
                expectedHex.getBytes(StandardCharsets.US_ASCII),
                givenHex.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean anyBlank(String... values) {
        for (String value : values) {
            if (value == null || value.isBlank()) {
                return true;
            }
        }
        return false;
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }
}
