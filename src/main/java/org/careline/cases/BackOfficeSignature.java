package org.careline.cases;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The HMAC both directions of the back-office contract use (DESIGN §3, §6): {@code X-CareLine-Signature:
 * sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>} with {@code X-CareLine-Timestamp} in Unix
 * seconds. Signing the timestamp with the body means a captured request cannot be replayed later with a
 * fresh timestamp; the receiver also refuses timestamps too far from its clock.
 */
public final class BackOfficeSignature {

    public static final String EVENT_ID = "X-CareLine-Event-Id";
    public static final String TIMESTAMP = "X-CareLine-Timestamp";
    public static final String SIGNATURE = "X-CareLine-Signature";
    /** How far a request's timestamp may be from our clock (either way) before it is refused. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);

    private static final String PREFIX = "sha256=";

    private final byte[] secret;

    public BackOfficeSignature(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the back-office secret is empty");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The header value for this timestamp and body: {@code sha256=} and 64 lowercase hex digits. */
    public String sign(long timestampSeconds, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(mac(timestampSeconds, body));
    }

    /**
     * Whether the headers prove the body came from the holder of the secret, within {@link #MAX_SKEW} of
     * {@code now}. Compared in constant time; any malformed header is simply not valid.
     */
    public boolean verify(String timestampHeader, String signatureHeader, byte[] body, Instant now) {
        if (timestampHeader == null || signatureHeader == null || !signatureHeader.startsWith(PREFIX)) {
            return false;
        }
        long timestamp;
        byte[] given;
        try {
            timestamp = Long.parseLong(timestampHeader.trim());
            given = HexFormat.of().parseHex(signatureHeader.substring(PREFIX.length()).trim().toLowerCase());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - timestamp) > MAX_SKEW.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(mac(timestamp, body), given);
    }

    private byte[] mac(long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            mac.update(body);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
