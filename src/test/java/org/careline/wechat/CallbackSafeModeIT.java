package org.careline.wechat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.careline.redis.RedisKeys;
import org.careline.testing.Await;
import org.careline.testing.NodeWeChatCrypto;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Safe (AES) and compatible modes through the real callback, with key rotation. */
class CallbackSafeModeIT {

    static final String TOKEN = "safe-mode-token";
    static final String APP_ID = "wxsafemodeit0001";
    static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    static final String PREVIOUS_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut";

    static TestAccount account;
    static RunningCareLine careline;

    @BeforeAll
    static void start() {
        account = TestAccount.start(APP_ID, TOKEN);
        careline = account.startCareLine(Map.of(
                "CARELINE_WECHAT_AES_KEY", KEY,
                "CARELINE_WECHAT_PREVIOUS_AES_KEY", PREVIOUS_KEY));
    }

    @AfterAll
    static void stop() {
        if (careline != null) {
            careline.close();
        }
        if (account != null) {
            account.close();
        }
    }

    static String openid() {
        return "o-safe-" + UUID.randomUUID();
    }

    @Test
    @DisplayName("An encrypted follow gets an encrypted reply that decrypts to the welcome and menu")
    void safeModeRoundTrip() {
        WeChatClient client = new WeChatClient(careline.publicUrl(), TOKEN, new WeChatCrypto(TOKEN, APP_ID, KEY));
        var r = client.post(WeChatClient.follow(openid()));
        assertThat(r.body()).contains("<Encrypt>").contains("<MsgSignature>").doesNotContain("申请帮助");
        assertThat(client.replyText(r)).contains("申请帮助");
    }

    @Test
    @DisplayName("A message encrypted by npm wechat-crypto is accepted, and the encrypted reply decrypts with it")
    void independentImplementation() {
        NodeWeChatCrypto.requirePresent();
        String ts = Long.toString(Instant.now().getEpochSecond());
        String nonce = "731852";
        var encrypted = NodeWeChatCrypto.run(WeChatClient.follow(openid()), "encrypt", TOKEN, KEY, APP_ID, ts, nonce);
        String encrypt = encrypted.get("encrypt").asText();
        String body = "<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>";
        var r = new WeChatClient(careline.publicUrl(), TOKEN, null).raw("POST", "/wechat?signature="
                + WeChatSignature.sign(TOKEN, ts, nonce) + "&timestamp=" + ts + "&nonce=" + nonce
                + "&encrypt_type=aes&msg_signature=" + encrypted.get("signature").asText(), body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);

        var envelope = InboundXml.envelope(r.body());
        String replySignature = r.body().replaceAll("(?s).*<MsgSignature><!\\[CDATA\\[([0-9a-f]+)\\]\\]></MsgSignature>.*", "$1");
        String replyTs = r.body().replaceAll("(?s).*<TimeStamp>(?:<!\\[CDATA\\[)?(\\d+)(?:\\]\\]>)?</TimeStamp>.*", "$1");
        String replyNonce = r.body().replaceAll("(?s).*<Nonce><!\\[CDATA\\[([^\\]]+)\\]\\]></Nonce>.*", "$1");
        var decrypted = NodeWeChatCrypto.run(envelope.encrypt(), "decrypt", TOKEN, KEY, APP_ID, replyTs, replyNonce,
                replySignature);
        assertThat(decrypted.get("signatureValid").asBoolean()).isTrue();
        assertThat(decrypted.get("id").asText()).isEqualTo(APP_ID);
        assertThat(decrypted.get("message").asText()).contains("<MsgType><![CDATA[text]]></MsgType>").contains("申请帮助");
    }

    @Test
    @DisplayName("During a key rotation a message encrypted with the previous key is still accepted")
    void previousKeyAccepted() {
        WeChatClient old = new WeChatClient(careline.publicUrl(), TOKEN, new WeChatCrypto(TOKEN, APP_ID, PREVIOUS_KEY));
        var r = old.post(WeChatClient.follow(openid()));
        assertThat(r.status()).isEqualTo(200);
        // Replies always use the current key.
        WeChatClient current = new WeChatClient(careline.publicUrl(), TOKEN, new WeChatCrypto(TOKEN, APP_ID, KEY));
        assertThat(current.replyText(r)).contains("申请帮助");
    }

    @Test
    @DisplayName("A ciphertext made for another app id is refused with 400")
    void wrongAppId() {
        WeChatClient other = new WeChatClient(careline.publicUrl(), TOKEN,
                new WeChatCrypto(TOKEN, "wxsomebodyelse01", KEY));
        var r = other.post(WeChatClient.follow(openid()));
        assertThat(r.status()).isEqualTo(400);
    }

    @Test
    @DisplayName("With an AES key set, a plain callback with a valid URL signature is refused (401): no forged message, no readable reply")
    void plainRefusedInSafeMode() {
        // What someone who saw one signed callback URL in a proxy log could send: any body, any openid.
        String victim = openid();
        WeChatClient forger = new WeChatClient(careline.publicUrl(), TOKEN, null);
        var r = forger.post(WeChatClient.text(victim, "我想申请帮助", 8_100_000_001L));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("only encrypted").doesNotContain("同意");
        assertThat(Await.result(account.redis().exists(List.of(RedisKeys.conversation(victim)))).toInteger()).isZero();
        assertThat(account.platform().sentTo(victim)).isEmpty();
    }

    @Test
    @DisplayName("wechat.acceptPlain lets plain callbacks in during the switch-over, answered in plain, and says so in the log")
    void acceptPlainSwitch() {
        Logger logger = (Logger) LoggerFactory.getLogger(CallbackHandler.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (RunningCareLine switching = account.startCareLine(Map.of(
                "CARELINE_WECHAT_AES_KEY", KEY,
                "CARELINE_WECHAT_ACCEPT_PLAIN", "true"))) {
            assertThat(logs.list).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains("wechat.acceptPlain is on");
            });
            WeChatClient plain = new WeChatClient(switching.publicUrl(), TOKEN, null);
            var r = plain.post(WeChatClient.follow(openid()));
            assertThat(r.body()).doesNotContain("<Encrypt>");
            assertThat(plain.replyText(r)).contains("申请帮助");
            // Encrypted callbacks still work beside them.
            WeChatClient safe = new WeChatClient(switching.publicUrl(), TOKEN, new WeChatCrypto(TOKEN, APP_ID, KEY));
            assertThat(safe.replyText(safe.post(WeChatClient.follow(openid())))).contains("申请帮助");
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    @DisplayName("A signed safe-mode URL reused with another encrypted body is refused (401); the identical retry gets the first reply")
    void safeModeUrlReusedWithAnotherBody() {
        WeChatCrypto crypto = new WeChatCrypto(TOKEN, APP_ID, KEY);
        WeChatClient client = new WeChatClient(careline.publicUrl(), TOKEN, crypto);
        String openid = openid();
        String victim = openid();
        String ts = Long.toString(Instant.now().getEpochSecond());
        String nonce = "n24680";
        String encrypt = crypto.encrypt(WeChatClient.follow(openid));
        String url = "/wechat?signature=" + WeChatSignature.sign(TOKEN, ts, nonce) + "&timestamp=" + ts
                + "&nonce=" + nonce + "&encrypt_type=aes&msg_signature=" + WeChatSignature.sign(TOKEN, ts, nonce, encrypt);
        String body = "<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>";
        String reply = client.replyText(client.raw("POST", url, body));
        assertThat(reply).contains("申请帮助");
        assertThat(client.replyText(client.raw("POST", url, body))).isEqualTo(reply);

        String other = "<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA["
                + crypto.encrypt(WeChatClient.follow(victim)) + "]]></Encrypt></xml>";
        assertThat(client.raw("POST", url, other).status()).isEqualTo(401);
        assertThat(Await.result(account.redis().exists(List.of(RedisKeys.conversation(victim)))).toInteger()).isZero();
    }

    @Test
    @DisplayName("Deeply nested XML inside the ciphertext gets 400, and a 48 KiB encrypted message is answered at once")
    void heavyEncryptedBodies() {
        WeChatClient client = new WeChatClient(careline.publicUrl(), TOKEN, new WeChatCrypto(TOKEN, APP_ID, KEY));
        String deep = WeChatClient.text(openid(), "x", 8_100_000_003L)
                .replace("<![CDATA[x]]>", "<a>".repeat(5000) + "</a>".repeat(5000));
        var refused = client.post(deep);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("nested deeper");

        // Base64 makes it a 64 KiB body on the wire.
        String padded = WeChatClient.text(openid(), "菜单", 8_100_000_004L)
                .replace("</xml>", "<Padding>" + "<b/>".repeat(12_000) + "</Padding></xml>");
        long t0 = System.nanoTime();
        var r = client.post(padded);
        assertThat(client.replyText(r)).contains("申请帮助");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    @DisplayName("A wrong msg_signature is refused and nothing is decrypted")
    void wrongMsgSignature() {
        WeChatCrypto crypto = new WeChatCrypto(TOKEN, APP_ID, KEY);
        String ts = Long.toString(Instant.now().getEpochSecond());
        String nonce = "n12345";
        String encrypt = crypto.encrypt(WeChatClient.follow(openid()));
        String body = "<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>";
        var r = new WeChatClient(careline.publicUrl(), TOKEN, null).raw("POST", "/wechat?signature="
                + WeChatSignature.sign(TOKEN, ts, nonce) + "&timestamp=" + ts + "&nonce=" + nonce
                + "&encrypt_type=aes&msg_signature=" + "0".repeat(40), body);
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    @DisplayName("Compatible mode (plain fields beside Encrypt) is answered from the encrypted part; the plain copy is ignored")
    void compatibleMode() {
        WeChatCrypto crypto = new WeChatCrypto(TOKEN, APP_ID, KEY);
        String openid = openid();
        String someoneElse = openid();
        String ts = Long.toString(Instant.now().getEpochSecond());
        String nonce = "n67890";
        String encrypt = crypto.encrypt(WeChatClient.follow(openid));
        // The plain copy is not covered by msg_signature: what it says must not count.
        String body = WeChatClient.text(someoneElse, "我想申请帮助", 8_100_000_002L)
                .replace("</xml>", "<Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>");
        var r = new WeChatClient(careline.publicUrl(), TOKEN, crypto).raw("POST", "/wechat?signature="
                + WeChatSignature.sign(TOKEN, ts, nonce) + "&timestamp=" + ts + "&nonce=" + nonce
                + "&encrypt_type=aes&msg_signature=" + WeChatSignature.sign(TOKEN, ts, nonce, encrypt), body);
        assertThat(r.status()).isEqualTo(200);
        assertThat(new WeChatClient(careline.publicUrl(), TOKEN, crypto).replyText(r)).contains("申请帮助");
        assertThat(Await.result(account.redis().exists(List.of(RedisKeys.conversation(openid)))).toInteger()).isEqualTo(1);
        assertThat(Await.result(account.redis().exists(List.of(RedisKeys.conversation(someoneElse)))).toInteger()).isZero();
    }
}
