package org.careline.media;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Signed, expiring links to kept media on the internal port: {@code /api/media/<file>?expires=<unix s>&sig=<hex
 * HMAC-SHA256(secret, "media:" + file + ":" + expires)>}, the secret being the back office's. A link can be
 * handed on inside the back office without handing on the secret, and stops working when it expires.
 */
public final class MediaLinks {

    public static final String PATH = "/api/media/";
    private static final Pattern FILE_ID = Pattern.compile("[0-9a-f]{32}");

    private final byte[] secret;
    private final Duration validity;
    private final Clock clock;

    public MediaLinks(String secret, Duration validity, Clock clock) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.validity = validity;
        this.clock = clock;
    }

    /** CareLine's id of a WeChat media id: fixed, so a case event can name the file before it is fetched. */
    public static String fileId(String mediaId) {
        return org.careline.cases.CasePayload.mediaFile(mediaId);
    }

    static boolean validFileId(String id) {
        return id != null && FILE_ID.matcher(id).matches();
    }

    /** The link, valid for the configured time from now. */
    public String url(String fileId) {
        long expires = clock.instant().plus(validity).getEpochSecond();
        return PATH + fileId + "?expires=" + expires + "&sig=" + sign(fileId, expires);
    }

    /** What a case event's attachment carries besides WeChat's media id. */
    public Map<String, String> attachment(String mediaId) {
        String file = fileId(mediaId);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("file", file);
        out.put("url", url(file));
        return out;
    }

    /** Whether the link's signature holds and it has not expired (constant-time compare). */
    public boolean valid(String fileId, String expiresParam, String sigParam, Instant now) {
        if (!validFileId(fileId) || expiresParam == null || sigParam == null) {
            return false;
        }
        long expires;
        byte[] given;
        try {
            expires = Long.parseLong(expiresParam);
            given = HexFormat.of().parseHex(sigParam);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (now.getEpochSecond() > expires) {
            return false;
        }
        return MessageDigest.isEqual(HexFormat.of().parseHex(sign(fileId, expires)), given);
    }

    private String sign(String fileId, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(("media:" + fileId + ":" + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
