package org.careline.wechat;

import org.careline.wechat.InboundMessage.Kind;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.EntityResolver;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.util.Locale;

/**
 * Parses the XML WeChat pushes to the callback into an {@link InboundMessage}. The parser refuses any
 * DOCTYPE, so no entity (external or nested) is ever declared, resolved or expanded, and nothing is read
 * from a file or URL.
 */
public final class InboundXml {

    /** DESIGN §2: the callback refuses larger bodies; the parser refuses them too, whoever calls it. */
    public static final int MAX_CHARS = 64 * 1024;

    /**
     * WeChat's deepest body is a menu photo event ({@code xml/SendPicsInfo/PicList/item/PicMd5Sum}, 5 levels).
     * Deeper nesting is refused while parsing: the DOM's text reading recurses per level, and 9,000 nested
     * elements used to overflow the stack.
     */
    static final int MAX_DEPTH = 10;

    private static final DocumentBuilderFactory FACTORY = secureFactory();

    /**
     * A builder per thread, reset between documents: making one reads the parser's whole configuration
     * again, which cost more than parsing a message (a third of the XML time under load).
     */
    private static final ThreadLocal<DocumentBuilder> BUILDERS = new ThreadLocal<>();

    private static final ErrorHandler SILENT = new ErrorHandler() {
        // The JDK's default handler prints every parse error, with input fragments, to stderr.
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    /** The two fields of a safe-mode body; {@code toUser} is the account's original id (gh_…). */
    public record Envelope(String toUser, String encrypt) {
    }

    private InboundXml() {
    }

    /** Parses one plain (or decrypted) message or event; throws {@link WeChatProtocolException} if it is not one. */
    public static InboundMessage parse(String xml) {
        Element root = root(xml);
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
        Element root = root(xml);
        String encrypt = token(root, "Encrypt");
        if (encrypt == null) {
            throw new WeChatProtocolException("safe-mode body has no Encrypt element");
        }
        return new Envelope(token(root, "ToUserName"), encrypt);
    }

    private static Element root(String xml) {
        if (xml == null || xml.isBlank()) {
            throw new WeChatProtocolException("empty body");
        }
        if (xml.length() > MAX_CHARS) {
            throw new WeChatProtocolException("body larger than " + MAX_CHARS + " characters");
        }
        Document doc;
        try {
            doc = builder().parse(new InputSource(new StringReader(xml)));
        } catch (SAXException e) {
            if (hasDoctype(xml)) {
                throw new WeChatProtocolException("DOCTYPE is not allowed");
            }
            // The JDK names its limit in the message (JAXP00010006 ... "maxElementDepth"); nothing else is read from it.
            String reason = e.getMessage() != null && e.getMessage().contains("maxElementDepth")
                    ? "XML nested deeper than " + MAX_DEPTH + " elements" : "malformed XML";
            throw new WeChatProtocolException(reason + position(e));
        } catch (IOException | ParserConfigurationException e) {
            throw new WeChatProtocolException("unreadable XML");
        }
        Element root = doc.getDocumentElement();
        if (!"xml".equals(root.getTagName())) {
            throw new WeChatProtocolException("root element is not <xml>");
        }
        return root;
    }

    private static DocumentBuilder builder() throws ParserConfigurationException {
        DocumentBuilder builder = BUILDERS.get();
        if (builder == null) {
            builder = FACTORY.newDocumentBuilder();
            BUILDERS.set(builder);
        } else {
            builder.reset();
        }
        builder.setErrorHandler(SILENT);
        builder.setEntityResolver(REFUSE_ENTITIES);
        return builder;
    }

    private static final EntityResolver REFUSE_ENTITIES = (publicId, systemId) -> {
        throw new SAXException("external entities are refused");
    };

    private static boolean hasDoctype(String xml) {
        return xml.contains("<!DOCTYPE") || xml.contains("<!ENTITY");
    }

    private static String position(SAXException e) {
        return e instanceof SAXParseException p && p.getLineNumber() > 0
                ? " at line " + p.getLineNumber() + ", column " + p.getColumnNumber()
                : "";
    }

    private static String required(Element root, String name) {
        String value = token(root, name);
        if (value == null) {
            throw new WeChatProtocolException("missing " + name);
        }
        return value;
    }

    private static long createTime(Element root) {
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
    private static String rawText(Element root, String name) {
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE && name.equals(n.getNodeName())) {
                return n.getTextContent();
            }
        }
        return null;
    }

    /** Trimmed text; null if absent or empty (WeChat sends empty elements such as a bare EventKey). */
    private static String token(Element root, String name) {
        String raw = rawText(root, name);
        if (raw == null) {
            return null;
        }
        String trimmed = raw.strip();
        return trimmed.isEmpty() ? null : trimmed;
    }

    // An odd optional number leaves the field empty rather than failing the whole message:
    // a rejected callback makes WeChat tell the user the account is out of service.
    private static Double decimal(Element root, String name) {
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

    private static Integer integer(Element root, String name) {
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

    private static DocumentBuilderFactory secureFactory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        try {
            // OWASP XXE settings: a DOCTYPE is refused outright, which also stops billion-laughs.
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the XML parser cannot be made safe", e);
        }
        // The JDK parser's own limit (JAXP); it counts the root as level 1.
        f.setAttribute("jdk.xml.maxElementDepth", Integer.toString(MAX_DEPTH));
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        f.setNamespaceAware(false);
        f.setValidating(false);
        return f;
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
