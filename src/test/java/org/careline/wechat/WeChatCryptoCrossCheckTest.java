package org.careline.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    private static final String INSTALL_HINT = "run `npm ci --prefix src/test/node` first";
    private static final long NODE_TIMEOUT_SECONDS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String TOKEN = "careline-token";
    private static final String APP_ID = "wx5f3c2a1b0e9d8c7b";
    // The last character's unused bits are set, as in most keys the WeChat console generates.
    private static final String KEY = "Hq3ZrT8vWm2LpXc6NbYs4KdJf9GtRa1UeVo7IiQwEyD";
    private static final String PREVIOUS_KEY = "p0OiUyTrEwQaSdFgHjKlZxCvBnM1234567890qwErTy";

    private static Path script;

    @BeforeAll
    static void nodeAndPackageArePresent() {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "node");
        script = dir.resolve("wxcrypto.js");
        if (!Files.isRegularFile(script)) {
            fail("missing " + script);
        }
        if (!Files.isRegularFile(dir.resolve("node_modules/wechat-crypto/package.json"))) {
            fail("npm package wechat-crypto is not installed in " + dir + ": " + INSTALL_HINT);
        }
        try {
            Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (!version.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS) || version.exitValue() != 0) {
                version.destroyForcibly();
                fail("`node --version` did not succeed; install Node.js and " + INSTALL_HINT);
            }
        } catch (IOException e) {
            fail("node is not on the PATH; install Node.js and " + INSTALL_HINT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while checking node");
        }
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
        List<String> command = new ArrayList<>(List.of("node", script.toString()));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new AssertionError("could not start node; install Node.js and " + INSTALL_HINT, e);
        }
        try {
            CompletableFuture<byte[]> stdout = drain(process.getInputStream());
            CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("node did not finish within " + NODE_TIMEOUT_SECONDS + " s");
            }
            String err = new String(stderr.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError("node " + args[0] + " exited " + process.exitValue() + ": " + err);
            }
            return JSON.readTree(stdout.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for node", e);
        } catch (Exception e) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError("talking to node failed", e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
