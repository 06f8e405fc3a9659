package org.careline.wechat;

/**
 * A WeChat API call failed in a way CareLine does not handle as a {@link WeChatApi.SendResult}: an
 * unknown errcode, WeChat still busy after the retries, or no answer at all. The message names the call
 * and the errcode and never carries the access token or the app secret.
 */
public final class WeChatApiException extends RuntimeException {

    /** Marks a failure that had no WeChat errcode (network error, unreadable answer). */
    public static final int NO_ERRCODE = Integer.MIN_VALUE;

    private final int errcode;

    WeChatApiException(String call, int errcode, String detail) {
        super(SecretRedaction.redact("WeChat " + call + " failed"
                + (errcode == NO_ERRCODE ? "" : ": errcode " + errcode)
                + (detail == null || detail.isBlank() ? "" : " (" + detail + ")")));
        this.errcode = errcode;
    }

    /** WeChat's errcode, or {@link #NO_ERRCODE} when the call got no WeChat answer. */
    public int errcode() {
        return errcode;
    }
}
