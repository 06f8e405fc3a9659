package org.careline.cases;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackOfficeSignatureTest {

    /** The README's worked example, computed independently with {@code openssl dgst -sha256 -hmac}. */
    private static final String BODY = "{\"id\":\"evt-1\",\"type\":\"case.created\",\"occurredAt\":\"2025-12-02T08:00:00Z\",\"data\":{}}";
    private static final long TIMESTAMP = 1764662400L;
    private static final String EXPECTED = "sha256=f467bbf73c61ca230c51e598d46320096de140df81475b1ddcf371fefb728bdf";

    private final BackOfficeSignature signature = new BackOfficeSignature("example-secret");
    private final byte[] body = BODY.getBytes(StandardCharsets.UTF_8);

    @Test
    @DisplayName("the signature matches the README's worked example (openssl)")
    void worked_example() {
        assertEquals(EXPECTED, signature.sign(TIMESTAMP, body));
    }

    @Test
    @DisplayName("a signature verifies within five minutes of its timestamp, and not after")
    void skew() {
        Instant t = Instant.ofEpochSecond(TIMESTAMP);
        assertTrue(signature.verify("1764662400", EXPECTED, body, t.plusSeconds(299)));
        assertTrue(signature.verify("1764662400", EXPECTED, body, t.minusSeconds(299)));
        assertFalse(signature.verify("1764662400", EXPECTED, body, t.plusSeconds(301)));
    }

    @Test
    @DisplayName("another body, another timestamp, another secret or a malformed header do not verify")
    void refuses() {
        Instant t = Instant.ofEpochSecond(TIMESTAMP);
        assertFalse(signature.verify("1764662400", EXPECTED, "{}".getBytes(StandardCharsets.UTF_8), t));
        assertFalse(signature.verify("1764662401", EXPECTED, body, t));
        assertFalse(new BackOfficeSignature("other").verify("1764662400", EXPECTED, body, t));
        assertFalse(signature.verify("soon", EXPECTED, body, t));
        assertFalse(signature.verify("1764662400", "sha256=zz", body, t));
        assertFalse(signature.verify("1764662400", EXPECTED.substring(7), body, t));
        assertFalse(signature.verify(null, EXPECTED, body, t));
    }
}
