package org.careline.wechat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.careline.wechat.OfficialSample.AES_KEY;

class WeChatCryptoTest {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String OTHER_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponml98";

    private final WeChatCrypto pam = new WeChatCrypto(OfficialSample.PAM_TOKEN, OfficialSample.PAM_APP_ID, AES_KEY);
    private final WeChatCrypto spam =
            new WeChatCrypto(OfficialSample.SPAM_TOKEN, OfficialSample.SPAM_APP_ID, AES_KEY);

    static Stream<Arguments> publishedVectors() {
        return Stream.of(
                Arguments.of("a short Chinese reply", OfficialSample.PAM_REPLY, OfficialSample.PAM_REPLY_ENCRYPTED),
                Arguments.of("a video reply", OfficialSample.PAM_REPLY2, OfficialSample.PAM_REPLY2_ENCRYPTED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedVectors")
    @DisplayName("encrypt with the sample's random bytes gives WeChat's published ciphertext")
    void encryptMatchesPublishedVector(String description, String xml, String expected) {
        byte[] random = OfficialSample.PAM_RANDOM.getBytes(StandardCharsets.US_ASCII);
        assertThat(pam.encrypt(xml, random)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedVectors")
    @DisplayName("decrypt turns WeChat's published ciphertext back into the message")
    void decryptPublishedVector(String description, String xml, String encrypted) {
        assertThat(pam.decrypt(encrypted)).isEqualTo(xml);
    }

    @Test
    @DisplayName("decryptRequest checks WeChat's published msg_signature and decrypts its sample message")
    void decryptRequestOfPublishedMessage() {
        String xml = spam.decryptRequest(OfficialSample.SPAM_BODY, OfficialSample.SPAM_MSG_SIGNATURE,
                OfficialSample.SPAM_TIMESTAMP, OfficialSample.SPAM_NONCE);

        InboundMessage message = InboundXml.parse(xml);
        assertThat(message.toUser()).isEqualTo("gh_10f6c3c3ac5a");
        assertThat(message.fromUser()).isEqualTo("oyORnuP8q7ou2gfYjqLzSIWZf0rs");
        assertThat(message.content()).isEqualTo("abcdteT");
        assertThat(message.msgId()).isEqualTo("6054768590064713728");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "",
            "a",
            "<xml><Content><![CDATA[孩子发烧了，怎么办？😷]]></Content></xml>",
            "exactly eleven",
    })
    @DisplayName("encrypt then decrypt gives back the same text, for any length")
    void roundTrip(String xml) {
        assertThat(pam.decrypt(pam.encrypt(xml))).isEqualTo(xml);
    }

    @Test
    @DisplayName("round trips work for every plaintext length across two padding blocks")
    void roundTripEveryLength() {
        for (int length = 0; length <= 70; length++) {
            String xml = "x".repeat(length);
            assertThat(pam.decrypt(pam.encrypt(xml))).as("length %d", length).isEqualTo(xml);
        }
    }

    @Test
    @DisplayName("two encryptions of one reply differ, because the random prefix is fresh")
    void encryptIsRandomised() {
        assertThat(pam.encrypt("<xml/>")).isNotEqualTo(pam.encrypt("<xml/>"));
    }

    @Test
    @DisplayName("200 random EncodingAESKeys all work, including those whose last character has stray bits")
    void randomKeys() {
        Random random = new Random(20241129L);
        int strayBits = 0;
        for (int i = 0; i < 200; i++) {
            StringBuilder key = new StringBuilder();
            for (int j = 0; j < 43; j++) {
                key.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            if ((ALPHABET.indexOf(key.charAt(42)) & 0x0F) != 0) {
                strayBits++;
            }
            WeChatCrypto crypto = new WeChatCrypto("token", "wx1234567890abcdef", key.toString());
            String xml = "<xml><Content><![CDATA[第" + i + "条]]></Content></xml>";
            assertThat(crypto.decrypt(crypto.encrypt(xml))).as("key #%d", i).isEqualTo(xml);
        }
        assertThat(strayBits).as("keys that strict base64 decoders refuse").isGreaterThan(100);
    }

    @Test
    @DisplayName("a message for another app id is refused, naming the reason")
    void wrongAppId() {
        WeChatCrypto otherAccount = new WeChatCrypto(OfficialSample.PAM_TOKEN, "wx0000000000000000", AES_KEY);
        assertThatThrownBy(() -> otherAccount.decrypt(pam.encrypt("<xml/>")))
                .isInstanceOf(WeChatProtocolException.class)
                .hasMessage("app id inside the message does not match");
    }

    /**
     * Why decryption stays ours: WxJava 4.7.9.B's WxCryptUtil decrypts a message for another account without a
     * word (its app id check is commented out). If this starts failing, WxJava checks it now: look again.
     */
    @Test
    @DisplayName("WxJava's own decrypt does not check the app id, which is why ours decrypts")
    void wxJavaSkipsTheAppIdCheck() {
        var wxJavaForAnotherAccount = new me.chanjar.weixin.common.util.crypto.WxCryptUtil(
                OfficialSample.PAM_TOKEN, AES_KEY, "wx0000000000000000");
        assertThat(wxJavaForAnotherAccount.decrypt(pam.encrypt("<xml/>"))).isEqualTo("<xml/>");
    }

    @Test
    @DisplayName("a message encrypted with an unknown key is refused")
    void unknownKey() {
        WeChatCrypto otherKey = new WeChatCrypto(OfficialSample.PAM_TOKEN, OfficialSample.PAM_APP_ID, OTHER_KEY);
        assertThatThrownBy(() -> pam.decrypt(otherKey.encrypt("<xml/>")))
                .isInstanceOf(WeChatProtocolException.class);
    }

    @Test
    @DisplayName("a request whose ciphertext has any single byte flipped fails its msg_signature")
    void tamperedCiphertext() {
        // WeChat's scheme has no MAC: CBC lets a flipped bit through into the next block, so only
        // msg_signature (over the Encrypt text) protects the body. decryptRequest must always check it.
        String xml = "<xml><Content><![CDATA[我需要帮助]]></Content></xml>";
        String body = pam.encryptedReply(xml, "1700000000", "nonce");
        String encrypt = InboundXmlTestSupport.element(body, "Encrypt");
        String signature = InboundXmlTestSupport.element(body, "MsgSignature");
        byte[] cipher = Base64.getDecoder().decode(encrypt);
        for (int i = 0; i < cipher.length; i++) {
            byte[] tampered = cipher.clone();
            tampered[i] ^= 0x01;
            String tamperedBody = body.replace(encrypt, Base64.getEncoder().encodeToString(tampered));
            assertThatThrownBy(() -> pam.decryptRequest(tamperedBody, signature, "1700000000", "nonce"))
                    .as("byte %d", i)
                    .isInstanceOf(WeChatProtocolException.class)
                    .hasMessage("msg_signature does not match");
        }
    }

    @Test
    @DisplayName("the last block tampered, truncated or padded out is refused with a safe reason")
    void malformedCiphertexts() {
        String good = pam.encrypt("<xml/>");
        byte[] bytes = Base64.getDecoder().decode(good);
        byte[] lastBlockFlipped = bytes.clone();
        lastBlockFlipped[bytes.length - 1] ^= 0x55;
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 16);
        byte[] notBlocks = java.util.Arrays.copyOf(bytes, bytes.length - 3);

        for (String bad : new String[] {
                Base64.getEncoder().encodeToString(lastBlockFlipped),
                Base64.getEncoder().encodeToString(truncated),
                Base64.getEncoder().encodeToString(notBlocks),
                "not base64 at all!",
                "",
                null,
        }) {
            assertThatThrownBy(() -> pam.decrypt(bad)).isInstanceOf(WeChatProtocolException.class)
                    .message().doesNotContain("<xml");
        }
    }

    @Test
    @DisplayName("decryptRequest refuses a wrong msg_signature before decrypting")
    void wrongMsgSignature() {
        String body = pam.encryptedReply("<xml/>", "1700000000", "nonce1");
        String signature = InboundXmlTestSupport.element(body, "MsgSignature");

        assertThat(pam.decryptRequest(body, signature, "1700000000", "nonce1")).isEqualTo("<xml/>");
        assertThatThrownBy(() -> pam.decryptRequest(body, signature, "1700000001", "nonce1"))
                .isInstanceOf(WeChatProtocolException.class).hasMessage("msg_signature does not match");
        assertThatThrownBy(() -> pam.decryptRequest(body, signature, "1700000000", "nonce2"))
                .isInstanceOf(WeChatProtocolException.class).hasMessage("msg_signature does not match");
        assertThatThrownBy(() -> pam.decryptRequest(body, "0".repeat(40), "1700000000", "nonce1"))
                .isInstanceOf(WeChatProtocolException.class).hasMessage("msg_signature does not match");
        assertThatThrownBy(() -> pam.decryptRequest(body, null, "1700000000", "nonce1"))
                .isInstanceOf(WeChatProtocolException.class).hasMessage("msg_signature does not match");
    }

    @Test
    @DisplayName("decryptRequest refuses a body without Encrypt and one with a DOCTYPE")
    void badEnvelope() {
        assertThatThrownBy(() -> pam.decryptRequest("<xml><ToUserName>gh</ToUserName></xml>", "s", "1", "n"))
                .isInstanceOf(WeChatProtocolException.class).hasMessageContaining("Encrypt");
        assertThatThrownBy(() -> pam.decryptRequest(
                "<!DOCTYPE xml [<!ENTITY e \"x\">]><xml><Encrypt>&e;</Encrypt></xml>", "s", "1", "n"))
                .isInstanceOf(WeChatProtocolException.class).hasMessage("DOCTYPE is not allowed");
    }

    @Test
    @DisplayName("encryptedReply builds WeChat's envelope, signed over token, timestamp, nonce and Encrypt")
    void encryptedReplyEnvelope() {
        String reply = ReplyXml.text("oUser", "gh_account", 1_700_000_000L, "收到，我们会尽快联系您。");
        String body = pam.encryptedReply(reply, "1700000000", "n0nce");

        assertThat(body).startsWith("<xml><Encrypt><![CDATA[").endsWith("<Nonce><![CDATA[n0nce]]></Nonce></xml>")
                .contains("<TimeStamp>1700000000</TimeStamp>");
        String encrypt = InboundXmlTestSupport.element(body, "Encrypt");
        assertThat(InboundXmlTestSupport.element(body, "MsgSignature"))
                .isEqualTo(WeChatSignature.sign(OfficialSample.PAM_TOKEN, "1700000000", "n0nce", encrypt));
        assertThat(pam.decrypt(encrypt)).isEqualTo(reply);
    }

    @Test
    @DisplayName("encryptedReply refuses a timestamp that is not digits and a missing nonce")
    void encryptedReplyArguments() {
        assertThatThrownBy(() -> pam.encryptedReply("<xml/>", "12a", "n"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pam.encryptedReply("<xml/>", "", "n"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pam.encryptedReply("<xml/>", "1", " "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("during key rotation a message under the previous key is accepted, and replies use the current key")
    void keyRotation() {
        WeChatCrypto before = new WeChatCrypto("t", "wxapp", OTHER_KEY);
        WeChatCrypto rotating = new WeChatCrypto("t", "wxapp", AES_KEY, OTHER_KEY);
        WeChatCrypto after = new WeChatCrypto("t", "wxapp", AES_KEY);

        assertThat(rotating.decrypt(before.encrypt("<xml>old</xml>"))).isEqualTo("<xml>old</xml>");
        assertThat(rotating.decrypt(after.encrypt("<xml>new</xml>"))).isEqualTo("<xml>new</xml>");
        assertThat(after.decrypt(rotating.encrypt("<xml>reply</xml>"))).isEqualTo("<xml>reply</xml>");
        assertThatThrownBy(() -> before.decrypt(rotating.encrypt("<xml>reply</xml>")))
                .isInstanceOf(WeChatProtocolException.class);
    }

    @Test
    @DisplayName("during key rotation a wrong app id still reports the app id, not a padding error")
    void keyRotationKeepsCurrentKeysReason() {
        WeChatCrypto rotating = new WeChatCrypto("t", "wxapp", AES_KEY, OTHER_KEY);
        WeChatCrypto otherApp = new WeChatCrypto("t", "wxother", AES_KEY);
        assertThatThrownBy(() -> rotating.decrypt(otherApp.encrypt("<xml/>")))
                .hasMessage("app id inside the message does not match");
    }

    static Stream<Arguments> badKeys() {
        // 42 characters, made up for the test: the error must give the length, never the key.
        String keyOf42 = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF";
        return Stream.of(
                Arguments.of("a null key", null, "EncodingAESKey is missing"),
                Arguments.of("a blank key", "   ", "EncodingAESKey is missing"),
                Arguments.of("42 characters", keyOf42, "EncodingAESKey must be 43 characters, but has 42"),
                Arguments.of("44 characters", keyOf42 + "GH", "EncodingAESKey must be 43 characters, but has 44"),
                Arguments.of("the key with its = already added", AES_KEY.substring(1) + "=",
                        "EncodingAESKey has a character that is not base64 at position 43"),
                Arguments.of("a dash (url-safe base64)", "-" + AES_KEY.substring(1),
                        "EncodingAESKey has a character that is not base64 at position 1"),
                Arguments.of("a Chinese character", AES_KEY.substring(0, 42) + "密",
                        "EncodingAESKey has a character that is not base64 at position 43"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badKeys")
    @DisplayName("a bad EncodingAESKey is refused at construction with a reason that does not print the key")
    void badKey(String description, String key, String reason) {
        assertThatThrownBy(() -> new WeChatCrypto("token", "wxapp", key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(reason);
        if (key != null && !key.isBlank()) {
            assertThatThrownBy(() -> new WeChatCrypto("token", "wxapp", key))
                    .message().doesNotContain(key.substring(0, 10));
        }
    }

    @Test
    @DisplayName("a bad previous key is named as the previous one; a blank previous key means none")
    void badPreviousKey() {
        assertThatThrownBy(() -> new WeChatCrypto("token", "wxapp", AES_KEY, "short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("previous EncodingAESKey must be 43 characters, but has 5");
        WeChatCrypto noPrevious = new WeChatCrypto("token", "wxapp", AES_KEY, "");
        assertThat(noPrevious.decrypt(noPrevious.encrypt("<xml/>"))).isEqualTo("<xml/>");
    }

    @Test
    @DisplayName("a missing token or app id is refused at construction")
    void missingTokenOrAppId() {
        assertThatThrownBy(() -> new WeChatCrypto(" ", "wxapp", AES_KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("WeChat token is missing");
        assertThatThrownBy(() -> new WeChatCrypto("token", null, AES_KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("WeChat app id is missing");
    }

    @Test
    @DisplayName("encrypt refuses random bytes that are not exactly 16")
    void randomBytesLength() {
        assertThatThrownBy(() -> pam.encrypt("<xml/>", new byte[15])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pam.encrypt("<xml/>", null)).isInstanceOf(IllegalArgumentException.class);
    }
}
