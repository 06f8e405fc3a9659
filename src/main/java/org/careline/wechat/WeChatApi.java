package org.careline.wechat;

import io.vertx.core.Future;

import java.util.Map;

/**
 * The calls CareLine makes to WeChat's server API. Every method is asynchronous and never blocks the
 * caller's event loop. A failure WeChat reports as a business condition (48-hour window closed, quota
 * used) completes the future successfully with a {@link SendResult} that says so; only unexpected
 * failures (network, unknown errcode after retries) fail the future.
 */
public interface WeChatApi {

    /** Customer-service (客服) text message; long text is split by the caller, not here. */
    Future<SendResult> sendText(String openid, String text);

    /**
     * Template message (模板消息). {@code clientMsgId} deduplicates sends for 10 minutes on WeChat's
     * side; {@code data} maps field name ({@code thing1}, {@code character_string2} …) to value.
     */
    Future<SendResult> sendTemplate(String openid, String templateId, String url,
                                    Map<String, String> data, String clientMsgId);

    /** Replaces the account's custom menu with the JSON menu definition (WeChat's menu/create body). */
    Future<SendResult> createMenu(String menuJson);

    /** Shows or clears "对方正在输入" in the user's chat (customer-service typing state). */
    Future<SendResult> typing(String openid, boolean typing);

    /**
     * Downloads a temporary media file of a received message (image, voice: {@code /cgi-bin/media/get}; WeChat
     * keeps it 3 days) into {@code dir}, completing with the file and the name WeChat gave it. Fails with a
     * {@link WeChatApiException} (errcode 40007: no such media id, or expired).
     */
    Future<DownloadedMedia> downloadMedia(String mediaId, java.nio.file.Path dir);

    /** A media file downloaded into a folder of the caller's choosing. */
    record DownloadedMedia(java.nio.file.Path file, String fileName) {}

    /** What became of one send. */
    enum SendResult {
        SENT,
        /** 45015: the user has not written in 48 hours; use a template message instead. */
        OUTSIDE_WINDOW,
        /** 45047 (or 45009 daily limit): the customer-service quota for this user is used up. */
        QUOTA_USED,
        /** 47003 and similar: WeChat refused the content (template field too long, etc.). */
        REJECTED,
        /** 43004 (no longer follows the account) or 43019 (blocked it): nothing can reach this person. */
        NOT_FOLLOWING
    }
}
