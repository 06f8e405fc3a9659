package org.careline.wechat;

import java.util.Objects;

/**
 * One message or event pushed by WeChat to the callback, parsed at the edge. The core never sees XML.
 * Fields that do not apply to a kind are {@code null}.
 */
public record InboundMessage(
        String toUser,
        String fromUser,
        long createTime,
        Kind kind,
        String msgId,
        String content,
        String picUrl,
        String mediaId,
        String format,
        String recognition,
        String thumbMediaId,
        Double latitude,
        Double longitude,
        Double precision,
        Integer scale,
        String label,
        String title,
        String description,
        String url,
        String eventKey,
        String ticket,
        String status) {

    /** Every message type and event type WeChat pushes to an official account, flattened into one set. */
    public enum Kind {
        TEXT, IMAGE, VOICE, VIDEO, SHORT_VIDEO, LOCATION, LINK,
        SUBSCRIBE, UNSUBSCRIBE, SCAN, CLICK, VIEW, LOCATION_REPORT, TEMPLATE_SEND_JOB_FINISH,
        /** A type this service does not handle; acknowledged and ignored. */
        UNKNOWN;

        public boolean isEvent() {
            return ordinal() >= SUBSCRIBE.ordinal() && this != UNKNOWN;
        }
    }

    public InboundMessage {
        Objects.requireNonNull(fromUser, "fromUser");
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * The key WeChat's retries of this message share (DESIGN §2 step 2), unique among one person's messages:
     * {@code MsgId} for messages; {@code CreateTime + Event + EventKey} for events, since events carry no
     * MsgId. It is not unique across people (two people's messages may carry the same MsgId), so whoever
     * stores it scopes it by {@link #fromUser()}. It never holds the openid, so it may be logged.
     */
    public String dedupKey() {
        if (!kind.isEvent() && msgId != null && !msgId.isEmpty()) {
            return "m:" + msgId;
        }
        return "e:" + createTime + ":" + kind + ":" + (eventKey == null ? "" : eventKey);
    }

    /** A subscribe event from a parametric QR code carries {@code qrscene_<scene>}; this is the scene. */
    public String qrScene() {
        if (eventKey == null || eventKey.isEmpty()) {
            return null;
        }
        if (kind == Kind.SUBSCRIBE) {
            return eventKey.startsWith("qrscene_") ? eventKey.substring("qrscene_".length()) : null;
        }
        return kind == Kind.SCAN ? eventKey : null;
    }
}
