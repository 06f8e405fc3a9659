package org.careline.wechat;

import org.careline.wechat.InboundMessage.Kind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplyXmlTest {

    @Test
    @DisplayName("a text reply has WeChat's passive reply shape with CDATA fields")
    void shape() {
        assertThat(ReplyXml.text("oUser", "gh_account", 1_732_852_800L, "您好"))
                .isEqualTo("<xml><ToUserName><![CDATA[oUser]]></ToUserName>"
                        + "<FromUserName><![CDATA[gh_account]]></FromUserName>"
                        + "<CreateTime>1732852800</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                        + "<Content><![CDATA[您好]]></Content></xml>");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "您好，已收到您的求助，我们会在3个工作日内联系您。",
            "emoji 👶🍼 and a lone ZWJ 👨‍👩‍👧",
            "]]>",
            "a]]>b]]>c",
            "]]]]>",
            "]]",
            "ends with ]",
            "ends with ]]",
            "<b>not markup</b> & &amp; &lt;",
            "<![CDATA[nested]]>",
            "line one\nline two\r\n\tindented",
            "  leading and trailing spaces  ",
            "",
    })
    @DisplayName("tricky content parses back unchanged")
    void roundTrip(String content) {
        String xml = ReplyXml.text("oUser", "gh_account", 1_732_852_800L, content);
        InboundMessage parsed = InboundXml.parse(xml);

        assertThat(parsed.kind()).isEqualTo(Kind.TEXT);
        assertThat(parsed.toUser()).isEqualTo("oUser");
        assertThat(parsed.fromUser()).isEqualTo("gh_account");
        assertThat(parsed.createTime()).isEqualTo(1_732_852_800L);
        assertThat(parsed.content()).isEqualTo(content.replace("\r\n", "\n"));
    }

    @Test
    @DisplayName("a \"]]>\" in content is split across two CDATA sections")
    void cdataSplit() {
        assertThat(ReplyXml.cdata("a]]>b")).isEqualTo("<![CDATA[a]]]]><![CDATA[>b]]>");
    }

    @Test
    @DisplayName("characters XML cannot carry are dropped so the reply stays well-formed")
    void illegalCharacters() {
        String content = "bell\u0007 nul\u0000 lone\uD800 ok👍 \uFFFE";
        String xml = ReplyXml.text("o", "gh", 1L, content);
        assertThat(InboundXml.parse(xml).content()).isEqualTo("bell nul lone ok👍 ");
    }

    @Test
    @DisplayName("a null field is refused")
    void nulls() {
        assertThatThrownBy(() -> ReplyXml.text(null, "gh", 1L, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ReplyXml.text("o", "gh", 1L, null)).isInstanceOf(NullPointerException.class);
    }
}
