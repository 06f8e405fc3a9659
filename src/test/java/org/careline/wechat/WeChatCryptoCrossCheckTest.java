package org.careline.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.careline.testing.NodeWeChatCrypto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Safe mode checked against an independent implementation: npm {@code wechat-crypto} run by node.
 * It fails, never skips, when node or the package is missing: CI must install it first.
 */
class WeChatCryptoCrossCheckTest {


    private static final String TOKEN = "careline-token";
    private static final String APP_ID = "wx5f3c2a1b0e9d8c7b";
    // The last character's unused bits are set, as in most keys the WeChat console generates.
    private static final String KEY = "Hq3ZrT8vWm2LpXc6NbYs4KdJf9GtRa1UeVo7IiQwEyD";
    private static final String PREVIOUS_KEY = "p0OiUyTrEwQaSdFgHjKlZxCvBnM1234567890qwErTy";


    @BeforeAll
    static void nodeAndPackageArePresent() {
        NodeWeChatCrypto.requirePresent();
    }

    static Stream<Arguments> messages() {
        return Stream.of(
                Arguments.of("a text message with Chinese and an emoji", "<xml><ToUserName><![CDATA[gh_3f2a9c7e81d4]]></ToUserName><FromUserName><![CDATA[oX7pQ5xYz3]]>"
                        + "</FromUserName><CreateTime>1732852800</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                        + "<Content><![CDATA[孩子发烧了，怎么办？😷]]></Content><MsgId>24857361290123456</MsgId></xml>"),
                Arguments.of("a reply of about 8 KB", ReplyXml.text("oX7pQ5xYz3", "gh_3f2a9c7e81d4", 1_732_852_800L, "已收到。".repeat(700))),
                Arguments.of("a single character", "x"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    @DisplayName("a message wechat-crypto encrypts and signs is verified and decrypted by WeChatCrypto")
    void nodeEncryptsJavaDecrypts(String description, String xml) {
        JsonNode out = node(xml, "encrypt", TOKEN, KEY, APP_ID, "1732852800", "1320562132");
        String body = "<xml><ToUserName><![CDATA[gh_3f2a9c7e81d4]]></ToUserName><Encrypt><![CDATA["
                + out.get("encrypt").asText() + "]]></Encrypt></xml>";

        WeChatCrypto crypto = new WeChatCrypto(TOKEN, APP_ID, KEY);
        assertThat(crypto.decryptRequest(body, out.get("signature").asText(), "1732852800", "1320562132"))
                .isEqualTo(xml);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    @DisplayName("a reply WeChatCrypto encrypts and signs is verified and decrypted by wechat-crypto")
    void javaEncryptsNodeDecrypts(String description, String xml) {
        String body = new WeChatCrypto(TOKEN, APP_ID, KEY).encryptedReply(xml, "1732852801", "987654321");
        String encrypt = InboundXmlTestSupport.element(body, "Encrypt");
        String signature = InboundXmlTestSupport.element(body, "MsgSignature");

        JsonNode out = node(encrypt, "decrypt", TOKEN, KEY, APP_ID, "1732852801", "987654321", signature);

        assertThat(out.get("signatureValid").asBoolean()).isTrue();
        assertThat(out.get("id").asText()).isEqualTo(APP_ID);
        assertThat(out.get("message").asText()).isEqualTo(xml);
    }

    @Test
    @DisplayName("during key rotation a message wechat-crypto encrypted with the previous key still decrypts")
    void previousKey() {
        String xml = "<xml><Content><![CDATA[旧密钥]]></Content></xml>";
        JsonNode out = node(xml, "encrypt", TOKEN, PREVIOUS_KEY, APP_ID, "1732852800", "42");
        String body = "<xml><Encrypt><![CDATA[" + out.get("encrypt").asText() + "]]></Encrypt></xml>";

        WeChatCrypto crypto = new WeChatCrypto(TOKEN, APP_ID, KEY, PREVIOUS_KEY);
        assertThat(crypto.decryptRequest(body, out.get("signature").asText(), "1732852800", "42")).isEqualTo(xml);
    }

    private static JsonNode node(String stdin, String... args) {
        return NodeWeChatCrypto.run(stdin, args);
    }
}
