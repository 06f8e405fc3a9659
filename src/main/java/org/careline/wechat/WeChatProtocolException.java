package org.careline.wechat;

/**
 * A callback request that breaks WeChat's protocol: bad XML, a forbidden DOCTYPE, a wrong signature, a
 * ciphertext that does not decrypt. The message is a short reason that is safe to log: it never carries
 * user content, keys or the raw body, and no parser exception is chained (their messages can quote input).
 */
public final class WeChatProtocolException extends RuntimeException {

    private final boolean unauthentic;

    public WeChatProtocolException(String reason) {
        this(reason, false);
    }

    private WeChatProtocolException(String reason, boolean unauthentic) {
        super(reason, null, false, false);
        this.unauthentic = unauthentic;
    }

    /** The request is well-formed but not provably from WeChat (a signature that does not match). */
    public static WeChatProtocolException unauthentic(String reason) {
        return new WeChatProtocolException(reason, true);
    }

    /** True for a failed signature (HTTP 401), false for a malformed request (HTTP 400). */
    public boolean unauthentic() {
        return unauthentic;
    }
}
