package org.careline.wechat;

import org.careline.wechat.InboundMessage.Kind;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the XML WeChat pushes to the callback into an {@link InboundMessage}, read by {@link FlatXml}: any
 * DOCTYPE is refused, so no entity (external or nested) is ever declared, resolved or expanded, and nothing
 * is read from a file or URL.
 */
public final class InboundXml {

    /** DESIGN §2: the callback refuses larger bodies; the parser refuses them too, whoever calls it. */
    public static final int MAX_CHARS = 64 * 1024;

    /**
     * WeChat's deepest body is a menu photo event ({@code xml/SendPicsInfo/PicList/item/PicMd5Sum}, 5 levels).
     * Deeper nesting is refused while reading (9,000 nested elements once overflowed the DOM's stack).
     */
    static final int MAX_DEPTH = 10;

    /** The two fields of a safe-mode body; {@code toUser} is the account's original id (gh_…). */
    public record Envelope(String toUser, String encrypt) {
    }

    private InboundXml() {
    }

    /** Parses one plain (or decrypted) message or event; throws {@link WeChatProtocolException} if it is not one. */
    public static InboundMessage parse(String xml) {
        Map<String, String> root = root(xml);
        String toUser = required(root, "ToUserName");
        String fromUser = required(root, "FromUserName");
        String msgType = required(root, "MsgType").toLowerCase(Locale.ROOT);
        long createTime = createTime(root);
        Kind kind = "event".equals(msgType) ? eventKind(token(root, "Event")) : messageKind(msgType);

        Fields f = new Fields();
        switch (kind) {
            case TEXT -> {
                f.content = rawText(root, "Content");
                f.msgId = token(root, "MsgId");
            }
            case IMAGE -> {
                f.picUrl = token(root, "PicUrl");
                f.mediaId = token(root, "MediaId");
                f.msgId = token(root, "MsgId");
            }
            case VOICE -> {
                f.mediaId = token(root, "MediaId");
                f.format = token(root, "Format");
                f.recognition = token(root, "Recognition");
                f.msgId = token(root, "MsgId");
            }
            case VIDEO, SHORT_VIDEO -> {
                f.mediaId = token(root, "MediaId");
                f.thumbMediaId = token(root, "ThumbMediaId");
                f.msgId = token(root, "MsgId");
            }
            case LOCATION -> {
                f.latitude = decimal(root, "Location_X");
                f.longitude = decimal(root, "Location_Y");
                f.scale = integer(root, "Scale");
                f.label = token(root, "Label");
                f.msgId = token(root, "MsgId");
            }
            case LINK -> {
                f.title = token(root, "Title");
                f.description = token(root, "Description");
                f.url = token(root, "Url");
                f.msgId = token(root, "MsgId");
            }
            case SUBSCRIBE, SCAN -> {
                f.eventKey = token(root, "EventKey");
                f.ticket = token(root, "Ticket");
            }
            case CLICK, VIEW -> f.eventKey = token(root, "EventKey");
            case LOCATION_REPORT -> {
                f.latitude = decimal(root, "Latitude");
                f.longitude = decimal(root, "Longitude");
                f.precision = decimal(root, "Precision");
            }
            // WeChat spells it MsgID (capital D) in this event only.
            case TEMPLATE_SEND_JOB_FINISH -> {
                f.msgId = token(root, "MsgID");
                f.status = token(root, "Status");
            }
            case UNKNOWN -> {
                f.msgId = token(root, "MsgId");
                f.eventKey = token(root, "EventKey");
            }
            case UNSUBSCRIBE -> {
                // Carries nothing beyond the common fields.
            }
        }
        return new InboundMessage(toUser, fromUser, createTime, kind, f.msgId, f.content, f.picUrl, f.mediaId,
                f.format, f.recognition, f.thumbMediaId, f.latitude, f.longitude, f.precision, f.scale, f.label,
                f.title, f.description, f.url, f.eventKey, f.ticket, f.status);
    }

    /**
     * Reads a safe-mode body ({@code <xml><ToUserName/><Encrypt/></xml>}); in compatible mode the plain fields
     * sit beside {@code Encrypt} and are ignored here.
     */
    public static Envelope envelope(String xml) {
        Map<String, String> root = root(xml);
        String encrypt = token(root, "Encrypt");
        if (encrypt == null) {
            throw new WeChatProtocolException("safe-mode body has no Encrypt element");
        }
        return new Envelope(token(root, "ToUserName"), encrypt);
    }

    private static Map<String, String> root(String xml) {
        if (xml == null || xml.isBlank()) {
            throw new WeChatProtocolException("empty body");
        }
        if (xml.length() > MAX_CHARS) {
            throw new WeChatProtocolException("body larger than " + MAX_CHARS + " characters");
        }
        FlatXml.Document doc = FlatXml.read(xml, MAX_DEPTH);
        if (!"xml".equals(doc.rootName())) {
            throw new WeChatProtocolException("root element is not <xml>");
        }
        return doc.children();
    }

    private static String required(Map<String, String> root, String name) {
        String value = token(root, name);
        if (value == null) {
            throw new WeChatProtocolException("missing " + name);
        }
        return value;
    }

    private static long createTime(Map<String, String> root) {
        String value = token(root, "CreateTime");
        if (value == null) {
            return 0L;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new WeChatProtocolException("CreateTime is not a number");
        }
    }

    private static Kind messageKind(String msgType) {
        return switch (msgType) {
            case "text" -> Kind.TEXT;
            case "image" -> Kind.IMAGE;
            case "voice" -> Kind.VOICE;
            case "video" -> Kind.VIDEO;
            case "shortvideo" -> Kind.SHORT_VIDEO;
            case "location" -> Kind.LOCATION;
            case "link" -> Kind.LINK;
            default -> Kind.UNKNOWN;
        };
    }

    // WeChat writes subscribe/unsubscribe in lower case and the others in upper case; accept either.
    private static Kind eventKind(String event) {
        if (event == null) {
            return Kind.UNKNOWN;
        }
        return switch (event.toUpperCase(Locale.ROOT)) {
            case "SUBSCRIBE" -> Kind.SUBSCRIBE;
            case "UNSUBSCRIBE" -> Kind.UNSUBSCRIBE;
            case "SCAN" -> Kind.SCAN;
            case "LOCATION" -> Kind.LOCATION_REPORT;
            case "CLICK" -> Kind.CLICK;
            case "VIEW" -> Kind.VIEW;
            case "TEMPLATESENDJOBFINISH" -> Kind.TEMPLATE_SEND_JOB_FINISH;
            default -> Kind.UNKNOWN;
        };
    }

    /** The text of the first child element with that name, untouched; null if absent. */
    private static String rawText(Map<String, String> root, String name) {
        return root.get(name);
    }

    /** Trimmed text; null if absent or empty (WeChat sends empty elements such as a bare EventKey). */
    private static String token(Map<String, String> root, String name) {
        String raw = rawText(root, name);
        if (raw == null) {
            return null;
        }
        String trimmed = raw.strip();
        return trimmed.isEmpty() ? null : trimmed;
    }

    // An odd optional number leaves the field empty rather than failing the whole message:
    // a rejected callback makes WeChat tell the user the account is out of service.
    private static Double decimal(Map<String, String> root, String name) {
        String value = token(root, name);
        if (value == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(value);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer integer(Map<String, String> root, String name) {
        String value = token(root, name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static final class Fields {
        String msgId;
        String content;
        String picUrl;
        String mediaId;
        String format;
        String recognition;
        String thumbMediaId;
        Double latitude;
        Double longitude;
        Double precision;
        Integer scale;
        String label;
        String title;
        String description;
        String url;
        String eventKey;
        String ticket;
        String status;
    }
}
