package org.careline.testing;

import org.careline.wechat.WeChatCrypto;
import org.careline.wechat.WeChatSignature;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Plays WeChat's server: signs (and in safe mode encrypts) pushes to {@code POST /wechat}, over real HTTP. */
public final class WeChatClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String token;
    private final WeChatCrypto crypto;

    /** {@code crypto} null = plain mode. */
    public WeChatClient(String baseUrl, String token, WeChatCrypto crypto) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.crypto = crypto;
    }

    public record Reply(int status, String body) {}

    public Reply post(String xml) {
        return post(xml, Instant.now().getEpochSecond());
    }

    public Reply post(String xml, long timestamp) {
        String ts = Long.toString(timestamp);
        String nonce = UUID.randomUUID().toString().substring(0, 10);
        String signature = WeChatSignature.sign(token, ts, nonce);
        String query = "signature=" + signature + "&timestamp=" + ts + "&nonce=" + nonce + "&openid=test";
        String body = xml;
        if (crypto != null) {
            String encrypt = crypto.encrypt(xml);
            String msgSignature = WeChatSignature.sign(token, ts, nonce, encrypt);
            body = "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[" + encrypt
                    + "]]></Encrypt></xml>";
            query += "&encrypt_type=aes&msg_signature=" + msgSignature;
        }
        return raw("POST", "/wechat?" + query, body);
    }

    /** The text of a passive reply (decrypted in safe mode), or null for "success". */
    public String replyText(Reply reply) {
        if (reply.status() != 200) {
            throw new AssertionError("HTTP " + reply.status() + ": " + reply.body());
        }
        if ("success".equals(reply.body()) || reply.body().isEmpty()) {
            return null;
        }
        String xml = reply.body();
        if (crypto != null) {
            int a = xml.indexOf("<Encrypt><![CDATA[") + "<Encrypt><![CDATA[".length();
            int b = xml.indexOf("]]></Encrypt>");
            xml = crypto.decrypt(xml.substring(a, b));
        }
        int a = xml.indexOf("<Content><![CDATA[");
        if (a < 0) {
            throw new AssertionError("not a text reply: " + xml);
        }
        a += "<Content><![CDATA[".length();
        return xml.substring(a, xml.indexOf("]]></Content>", a));
    }

    public Reply raw(String method, String pathAndQuery, String body) {
        return rawWithHeader(method, pathAndQuery, null, null, body);
    }

    public Reply rawWithHeader(String method, String pathAndQuery, String header, String value) {
        return rawWithHeader(method, pathAndQuery, header, value, null);
    }

    public Reply rawWithHeader(String method, String pathAndQuery, String header, String value, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(Duration.ofSeconds(15));
        b = "GET".equals(method) ? b.GET() : b.method(method, HttpRequest.BodyPublishers.ofString(body == null ? "" : body,
                StandardCharsets.UTF_8));
        if (header != null) {
            b = b.header(header, value);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Reply urlCheck(String echostr, boolean validSignature) {
        String ts = Long.toString(Instant.now().getEpochSecond());
        String nonce = "n" + System.nanoTime();
        String sig = validSignature ? WeChatSignature.sign(token, ts, nonce) : "0".repeat(40);
        return raw("GET", "/wechat?signature=" + sig + "&timestamp=" + ts + "&nonce=" + nonce + "&echostr="
                + URLEncoder.encode(echostr, StandardCharsets.UTF_8), null);
    }

    // Message bodies as WeChat sends them.

    public static String text(String openid, String content, long msgId) {
        return text(openid, content, msgId, Instant.now().getEpochSecond());
    }

    /** A text message whose CreateTime is {@code createTime} (seconds), e.g. a retry of an older one. */
    public static String text(String openid, String content, long msgId, long createTime) {
        return "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[" + openid
                + "]]></FromUserName><CreateTime>" + createTime
                + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" + content
                + "]]></Content><MsgId>" + msgId + "</MsgId></xml>";
    }

    public static String event(String openid, String event, String eventKey, long createTime) {
        return "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[" + openid
                + "]]></FromUserName><CreateTime>" + createTime + "</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                + "<Event><![CDATA[" + event + "]]></Event>"
                + (eventKey == null ? "" : "<EventKey><![CDATA[" + eventKey + "]]></EventKey>") + "</xml>";
    }

    public static String follow(String openid) {
        return event(openid, "subscribe", null, Instant.now().getEpochSecond());
    }
}
