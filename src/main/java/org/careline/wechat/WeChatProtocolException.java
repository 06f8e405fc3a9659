package org.careline.wechat;

/**
 * A callback request that breaks WeChat's protocol: bad XML, a forbidden DOCTYPE, a wrong signature, a
 * ciphertext that does not decrypt. The message is a short reason that is safe to log: it never carries
 * user content, keys or the raw body, and no parser exception is chained (their messages can quote input).
 */
public final class WeChatProtocolException extends RuntimeException {

    public WeChatProtocolException(String reason) {
        super(reason, null, false, false);
    }
}
