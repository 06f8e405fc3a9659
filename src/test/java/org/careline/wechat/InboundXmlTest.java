package org.careline.wechat;

import org.careline.wechat.InboundMessage.Kind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InboundXmlTest {

    private static final String ACCOUNT = "gh_3f2a9c7e81d4";
    private static final String USER = "oX7pQ5xYz3WmK9bLc2NdE4fGh6Jk";

    private static String message(String msgType, String body) {
        return "<xml><ToUserName><![CDATA[" + ACCOUNT + "]]></ToUserName>"
                + "<FromUserName><![CDATA[" + USER + "]]></FromUserName>"
                + "<CreateTime>1732852800</CreateTime>"
                + "<MsgType><![CDATA[" + msgType + "]]></MsgType>" + body + "</xml>";
    }

    private static String event(String event, String body) {
        return message("event", "<Event><![CDATA[" + event + "]]></Event>" + body);
    }

    /** Expected record: only the fields that apply to the kind are set. */
    private static Expect expect(Kind kind) {
        return new Expect(kind);
    }

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("text", message("text",
                                "<Content><![CDATA[我想申请临时救助，孩子奶粉钱不够 & <急>]]></Content>"
                                        + "<MsgId>24857361290123456</MsgId>"),
                        expect(Kind.TEXT).msgId("24857361290123456").content("我想申请临时救助，孩子奶粉钱不够 & <急>")),
                Arguments.of("text with entity-escaped content and edge spaces kept", message("text",
                                "<Content>  a &lt;b&gt; &amp; c\n</Content><MsgId>1</MsgId>"),
                        expect(Kind.TEXT).msgId("1").content("  a <b> & c\n")),
                Arguments.of("image", message("image",
                                "<PicUrl><![CDATA[http://mmbiz.qpic.cn/mmbiz_jpg/abc/0]]></PicUrl>"
                                        + "<MediaId><![CDATA[media_img_1]]></MediaId><MsgId>24857361290123457</MsgId>"),
                        expect(Kind.IMAGE).msgId("24857361290123457").picUrl("http://mmbiz.qpic.cn/mmbiz_jpg/abc/0")
                                .mediaId("media_img_1")),
                Arguments.of("voice with recognition", message("voice",
                                "<MediaId><![CDATA[media_voice_1]]></MediaId><Format><![CDATA[amr]]></Format>"
                                        + "<Recognition><![CDATA[孩子发烧了]]></Recognition>"
                                        + "<MsgId>24857361290123458</MsgId>"),
                        expect(Kind.VOICE).msgId("24857361290123458").mediaId("media_voice_1").format("amr")
                                .recognition("孩子发烧了")),
                Arguments.of("voice with the usual empty recognition", message("voice",
                                "<MediaId><![CDATA[media_voice_2]]></MediaId><Format><![CDATA[speex]]></Format>"
                                        + "<Recognition><![CDATA[]]></Recognition><MsgId>2</MsgId>"),
                        expect(Kind.VOICE).msgId("2").mediaId("media_voice_2").format("speex")),
                Arguments.of("video", message("video",
                                "<MediaId><![CDATA[media_video_1]]></MediaId>"
                                        + "<ThumbMediaId><![CDATA[thumb_1]]></ThumbMediaId><MsgId>3</MsgId>"),
                        expect(Kind.VIDEO).msgId("3").mediaId("media_video_1").thumbMediaId("thumb_1")),
                Arguments.of("shortvideo", message("shortvideo",
                                "<MediaId><![CDATA[media_sv_1]]></MediaId>"
                                        + "<ThumbMediaId><![CDATA[thumb_2]]></ThumbMediaId><MsgId>4</MsgId>"),
                        expect(Kind.SHORT_VIDEO).msgId("4").mediaId("media_sv_1").thumbMediaId("thumb_2")),
                Arguments.of("location", message("location",
                                "<Location_X>32.455778</Location_X><Location_Y>119.923116</Location_Y>"
                                        + "<Scale>15</Scale><Label><![CDATA[江苏省泰州市医药高新区]]></Label>"
                                        + "<MsgId>5</MsgId>"),
                        expect(Kind.LOCATION).msgId("5").latitude(32.455778).longitude(119.923116).scale(15)
                                .label("江苏省泰州市医药高新区")),
                Arguments.of("link", message("link",
                                "<Title><![CDATA[临时救助政策]]></Title><Description><![CDATA[申请条件与材料]]></Description>"
                                        + "<Url><![CDATA[https://example.org/policy?id=1&x=2]]></Url><MsgId>6</MsgId>"),
                        expect(Kind.LINK).msgId("6").title("临时救助政策").description("申请条件与材料")
                                .url("https://example.org/policy?id=1&x=2")),
                Arguments.of("subscribe", event("subscribe", "<EventKey><![CDATA[]]></EventKey>"),
                        expect(Kind.SUBSCRIBE)),
                Arguments.of("subscribe from a QR code", event("subscribe",
                                "<EventKey><![CDATA[qrscene_director_1024]]></EventKey>"
                                        + "<Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRw]]></Ticket>"),
                        expect(Kind.SUBSCRIBE).eventKey("qrscene_director_1024").ticket("gQH47joAAAAAAAAAASxodHRw")),
                Arguments.of("unsubscribe", event("unsubscribe", "<EventKey><![CDATA[]]></EventKey>"),
                        expect(Kind.UNSUBSCRIBE)),
                Arguments.of("SCAN", event("SCAN",
                                "<EventKey><![CDATA[director_1024]]></EventKey><Ticket><![CDATA[TICKET2]]></Ticket>"),
                        expect(Kind.SCAN).eventKey("director_1024").ticket("TICKET2")),
                Arguments.of("LOCATION report", event("LOCATION",
                                "<Latitude>32.455778</Latitude><Longitude>119.923116</Longitude>"
                                        + "<Precision>65.000000</Precision>"),
                        expect(Kind.LOCATION_REPORT).latitude(32.455778).longitude(119.923116).precision(65.0)),
                Arguments.of("CLICK", event("CLICK", "<EventKey><![CDATA[MENU_HELP]]></EventKey>"),
                        expect(Kind.CLICK).eventKey("MENU_HELP")),
                Arguments.of("VIEW", event("VIEW",
                                "<EventKey><![CDATA[https://example.org/guide]]></EventKey><MenuId>208379533</MenuId>"),
                        expect(Kind.VIEW).eventKey("https://example.org/guide")),
                Arguments.of("TEMPLATESENDJOBFINISH (MsgID with a capital D)", event("TEMPLATESENDJOBFINISH",
                                "<MsgID>200163836</MsgID><Status><![CDATA[success]]></Status>"),
                        expect(Kind.TEMPLATE_SEND_JOB_FINISH).msgId("200163836").status("success")),
                Arguments.of("an event name in other case", event("Click", "<EventKey>K</EventKey>"),
                        expect(Kind.CLICK).eventKey("K")),
                Arguments.of("subscribe in upper case", event("SUBSCRIBE", ""), expect(Kind.SUBSCRIBE)),
                Arguments.of("an unknown event", event("user_get_card", "<CardId>p1</CardId>"),
                        expect(Kind.UNKNOWN)),
                Arguments.of("an event without Event", message("event", ""), expect(Kind.UNKNOWN)),
                Arguments.of("an unknown message type", message("miniprogrampage",
                                "<Title><![CDATA[t]]></Title><MsgId>7</MsgId>"),
                        expect(Kind.UNKNOWN).msgId("7")),
                Arguments.of("a message type in upper case", message("TEXT",
                                "<Content>hi</Content><MsgId>8</MsgId>"),
                        expect(Kind.TEXT).msgId("8").content("hi")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    @DisplayName("every message and event type maps to its kind and fields, leaving the rest null")
    void parsesEveryType(String description, String xml, Expect expected) {
        assertThat(InboundXml.parse(xml)).isEqualTo(expected.build());
    }

    @Test
    @DisplayName("whitespace and line breaks between elements, as WeChat sends them, are fine")
    void prettyPrinted() {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml>\n  <ToUserName><![CDATA[gh_a]]></ToUserName>\n"
                + "  <FromUserName><![CDATA[o_b]]></FromUserName>\n  <CreateTime> 1732852800 </CreateTime>\n"
                + "  <MsgType><![CDATA[text]]></MsgType>\n  <Content><![CDATA[你好]]></Content>\n"
                + "  <MsgId>9</MsgId>\n</xml>\n";
        InboundMessage m = InboundXml.parse(xml);
        assertThat(m.createTime()).isEqualTo(1732852800L);
        assertThat(m.content()).isEqualTo("你好");
        assertThat(m.dedupKey()).isEqualTo("m:9");
    }

    @Test
    @DisplayName("odd optional numbers leave their field empty instead of refusing the message")
    void oddNumbers() {
        InboundMessage m = InboundXml.parse(message("location",
                "<Location_X>north</Location_X><Location_Y>NaN</Location_Y><Scale>1.5</Scale><MsgId>1</MsgId>"));
        assertThat(m.latitude()).isNull();
        assertThat(m.longitude()).isNull();
        assertThat(m.scale()).isNull();
    }

    static Stream<Arguments> refused() {
        String common = "<CreateTime>1</CreateTime><MsgType>text</MsgType>";
        return Stream.of(
                Arguments.of("an empty body", "", "empty body"),
                Arguments.of("a blank body", " \n ", "empty body"),
                Arguments.of("a null body", null, "empty body"),
                Arguments.of("a body that is not XML", "{\"msg\":\"hello\"}", "malformed XML at line 1"),
                Arguments.of("plain text", "signature=abc&echostr=1", "malformed XML at line 1"),
                Arguments.of("an unclosed element",
                        "<xml><ToUserName>a</ToUserName><FromUserName>b</xml>", "malformed XML at line 1"),
                Arguments.of("two root elements", "<xml></xml><xml></xml>", "malformed XML at line 1"),
                Arguments.of("another root element", "<message><ToUserName>a</ToUserName></message>",
                        "root element is not <xml>"),
                Arguments.of("a missing ToUserName", "<xml><FromUserName>b</FromUserName>" + common + "</xml>",
                        "missing ToUserName"),
                Arguments.of("an empty FromUserName",
                        "<xml><ToUserName>a</ToUserName><FromUserName><![CDATA[ ]]></FromUserName>" + common + "</xml>",
                        "missing FromUserName"),
                Arguments.of("a missing MsgType",
                        "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName></xml>", "missing MsgType"),
                Arguments.of("a CreateTime that is not a number",
                        "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>soon</CreateTime>"
                                + "<MsgType>text</MsgType></xml>", "CreateTime is not a number"),
                Arguments.of("a body over 64 KiB", message("text", "<Content>" + "x".repeat(70_000) + "</Content>"),
                        "body larger than 65536 characters"),
                Arguments.of("an internal entity",
                        "<!DOCTYPE xml [<!ENTITY name \"value\">]><xml><ToUserName>&name;</ToUserName></xml>",
                        "DOCTYPE is not allowed"),
                Arguments.of("a DOCTYPE with no entities", "<!DOCTYPE xml><xml/>", "DOCTYPE is not allowed"),
                Arguments.of("9,000 nested elements", message("text", "<Content>" + "<a>".repeat(9000)
                        + "</a>".repeat(9000) + "</Content>"), "XML nested deeper than 10 elements"),
                Arguments.of("11 levels of nesting", message("text", "<Content>" + "<a>".repeat(9)
                        + "</a>".repeat(9) + "</Content>"), "XML nested deeper than 10 elements"),
                Arguments.of("a billion laughs", billionLaughs(), "DOCTYPE is not allowed"),
                Arguments.of("an external DTD", "<!DOCTYPE xml SYSTEM \"http://127.0.0.1:1/evil.dtd\"><xml/>",
                        "DOCTYPE is not allowed"),
                Arguments.of("an XInclude",
                        "<xml xmlns:xi=\"http://www.w3.org/2001/XInclude\"><ToUserName>a</ToUserName>"
                                + "<FromUserName>b</FromUserName><MsgType>text</MsgType>"
                                + "<xi:include href=\"file:///etc/passwd\" parse=\"text\"/></xml>",
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    @DisplayName("a body that is not a safe WeChat message is refused with a short reason")
    void refusesBadBodies(String description, String xml, String reason) {
        if (reason == null) {
            // XInclude is off: the element stays an unknown child and nothing is read.
            InboundMessage m = InboundXml.parse(xml);
            assertThat(m.content()).isNull();
            return;
        }
        assertThatThrownBy(() -> InboundXml.parse(xml))
                .isInstanceOf(WeChatProtocolException.class)
                .hasNoCause()
                .message().startsWith(reason);
    }

    @Test
    @DisplayName("an external entity pointing at a local file is refused and its content appears nowhere")
    void externalEntityReadsNothing(@TempDir Path dir) throws IOException {
        String secret = "SECRET-7f3c9a-孩子档案";
        Path file = dir.resolve("secret.txt");
        Files.writeString(file, secret, StandardCharsets.UTF_8);
        String xml = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY leak SYSTEM \"" + file.toUri() + "\">]>"
                + "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>"
                + "<Content>&leak;</Content></xml>";

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> InboundXml.parse(xml));

        assertThat(thrown).isInstanceOf(WeChatProtocolException.class).hasMessage("DOCTYPE is not allowed");
        assertThat(stackText(thrown)).doesNotContain(secret).doesNotContain("SECRET");
        assertThatThrownBy(() -> InboundXml.envelope(xml)).hasMessage("DOCTYPE is not allowed");
    }

    @Test
    @DisplayName("a parameter entity fetching a local file is refused")
    void parameterEntity(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("evil.dtd");
        Files.writeString(file, "<!ENTITY leak \"SECRET-param\">");
        String xml = "<!DOCTYPE xml [<!ENTITY % p SYSTEM \"" + file.toUri() + "\"> %p;]><xml><Content>&leak;</Content></xml>";
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> InboundXml.parse(xml));
        assertThat(thrown).isInstanceOf(WeChatProtocolException.class);
        assertThat(stackText(thrown)).doesNotContain("SECRET");
    }

    @Test
    @DisplayName("WeChat's deepest body (a menu photo event, 5 levels) is within the nesting limit")
    void deepestWeChatBody() {
        String xml = message("event", "<Event><![CDATA[pic_sysphoto]]></Event><EventKey><![CDATA[6]]></EventKey>"
                + "<SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]>"
                + "</PicMd5Sum></item></PicList></SendPicsInfo>");
        InboundMessage m = InboundXml.parse(xml);
        assertThat(m.kind()).isEqualTo(Kind.UNKNOWN);
        assertThat(m.eventKey()).isEqualTo("6");
    }

    @Test
    @DisplayName("envelope pulls Encrypt and ToUserName out of a safe-mode body")
    void envelope() {
        InboundXml.Envelope e = InboundXml.envelope(
                "<xml><ToUserName><![CDATA[gh_a]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>");
        assertThat(e).isEqualTo(new InboundXml.Envelope("gh_a", "abc+/="));
        assertThatThrownBy(() -> InboundXml.envelope("<xml><ToUserName>gh_a</ToUserName></xml>"))
                .isInstanceOf(WeChatProtocolException.class)
                .hasMessage("safe-mode body has no Encrypt element");
        assertThatThrownBy(() -> InboundXml.envelope("")).hasMessage("empty body");
    }

    @Test
    @DisplayName("a refused body leaves user content out of the reason")
    void reasonCarriesNoContent() {
        String xml = "<xml><Content>我的电话是13812345678</Content><Broken></xml>";
        assertThatThrownBy(() -> InboundXml.parse(xml))
                .message().doesNotContain("13812345678").doesNotContain("Broken");
    }

    private static String stackText(Throwable t) {
        java.io.StringWriter out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    private static String billionLaughs() {
        StringBuilder dtd = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"")
                    .append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
        }
        return dtd.append("]><xml><ToUserName>&lol9;</ToUserName></xml>").toString();
    }

    /** Builds the expected record field by field so each row names only what it checks. */
    static final class Expect {
        private final Kind kind;
        private String msgId;
        private String content;
        private String picUrl;
        private String mediaId;
        private String format;
        private String recognition;
        private String thumbMediaId;
        private Double latitude;
        private Double longitude;
        private Double precision;
        private Integer scale;
        private String label;
        private String title;
        private String description;
        private String url;
        private String eventKey;
        private String ticket;
        private String status;

        Expect(Kind kind) {
            this.kind = kind;
        }

        Expect msgId(String v) { msgId = v; return this; }
        Expect content(String v) { content = v; return this; }
        Expect picUrl(String v) { picUrl = v; return this; }
        Expect mediaId(String v) { mediaId = v; return this; }
        Expect format(String v) { format = v; return this; }
        Expect recognition(String v) { recognition = v; return this; }
        Expect thumbMediaId(String v) { thumbMediaId = v; return this; }
        Expect latitude(double v) { latitude = v; return this; }
        Expect longitude(double v) { longitude = v; return this; }
        Expect precision(double v) { precision = v; return this; }
        Expect scale(int v) { scale = v; return this; }
        Expect label(String v) { label = v; return this; }
        Expect title(String v) { title = v; return this; }
        Expect description(String v) { description = v; return this; }
        Expect url(String v) { url = v; return this; }
        Expect eventKey(String v) { eventKey = v; return this; }
        Expect ticket(String v) { ticket = v; return this; }
        Expect status(String v) { status = v; return this; }

        InboundMessage build() {
            return new InboundMessage(ACCOUNT, USER, 1732852800L, kind, msgId, content, picUrl, mediaId, format,
                    recognition, thumbMediaId, latitude, longitude, precision, scale, label, title, description,
                    url, eventKey, ticket, status);
        }

        @Override
        public String toString() {
            return kind.toString();
        }
    }
}
