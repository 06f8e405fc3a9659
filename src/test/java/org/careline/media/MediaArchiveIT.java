package org.careline.media;

import org.careline.redis.RedisKeys;
import org.careline.sandbox.FakeWeChatPlatform;
import org.careline.testing.Await;
import org.careline.testing.BackOfficeClient;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Photos and voice notes fetched from the fake WeChat API, kept on disk, served by signed links. */
class MediaArchiveIT {

    static final String SECRET = "media-it-secret";
    static final Path DIR = Path.of("target/tmp/media-it-" + UUID.randomUUID());
    static final AtomicLong MSG_IDS = new AtomicLong(8_300_000_000L);
    static TestAccount account;
    static FakeWeChatPlatform platform;
    static RunningCareLine careline;
    static WeChatClient wechat;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        account = TestAccount.start("wxmediait0001", "media-it-token");
        platform = account.platform();
        careline = account.startCareLine(Map.of("CARELINE_BACKOFFICE_SECRET", SECRET,
                "CARELINE_MEDIA_DIR", DIR.toString(), "CARELINE_ADMIN_TOKEN", ADMIN_TOKEN));
        wechat = new WeChatClient(careline.publicUrl(), account.token, null);
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

    static String image(String openid, String mediaId) {
        return "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[" + openid
                + "]]></FromUserName><CreateTime>" + Instant.now().getEpochSecond()
                + "</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz/x.jpg]]></PicUrl>"
                + "<MediaId><![CDATA[" + mediaId + "]]></MediaId><MsgId>" + MSG_IDS.incrementAndGet() + "</MsgId></xml>";
    }

    static String state(String file) {
        return Await.result(careline.main().media().describe(file)).getOrDefault("state", "");
    }

    static HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(careline.adminUrl() + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    @DisplayName("A photo is fetched soon after the message, kept 0600 in a 0700 folder, and served by its signed link only")
    void photoFetchedAndServed() throws Exception {
        String openid = "o-media-" + UUID.randomUUID();
        String mediaId = "MEDIA_" + UUID.randomUUID().toString().replace("-", "");
        byte[] jpeg = ("\u00ff\u00d8 fake jpeg " + mediaId).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        platform.putMedia(mediaId, jpeg, "image/jpeg", mediaId + ".jpg");

        var reply = wechat.post(image(openid, mediaId));
        assertThat(reply.status()).isEqualTo(200);
        String file = MediaLinks.fileId(mediaId);
        Await.until(Duration.ofSeconds(10), "the photo kept", () -> state(file).equals("stored"));

        Path kept = DIR.resolve(file + ".jpg");
        assertThat(Files.readAllBytes(kept)).isEqualTo(jpeg);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(DIR))).isEqualTo("rwx------");
        assertThat(Await.result(account.redis().sismember(RedisKeys.userMedia(openid), file)).toBoolean()).isTrue();

        MediaLinks links = careline.main().mediaLinks();
        HttpResponse<byte[]> ok = get(links.url(file));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(jpeg);
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("image/jpeg");

        String url = links.url(file);
        String forged = url.substring(0, url.length() - 4) + (url.endsWith("aaaa") ? "bbbb" : "aaaa");
        assertThat(get(forged).statusCode()).isEqualTo(403);
        MediaLinks expired = new MediaLinks(SECRET, Duration.ofSeconds(1),
                Clock.fixed(Instant.now().minus(Duration.ofHours(1)), java.time.ZoneOffset.UTC));
        assertThat(get(expired.url(file)).statusCode()).isEqualTo(403);
        MediaLinks otherSecret = new MediaLinks("not the secret", Duration.ofDays(1), Clock.systemUTC());
        assertThat(get(otherSecret.url(file)).statusCode()).isEqualTo(403);
        // Someone else's id with a valid signature for it, but never received: 404.
        assertThat(get(links.url(MediaLinks.fileId("never-sent"))).statusCode()).isEqualTo(404);
    }

    @Test
    @DisplayName("A failed fetch is retried later and succeeds; an unknown media id is given up, and neither delays the reply")
    void failedFetchRetried() {
        String openid = "o-media-" + UUID.randomUUID();
        String mediaId = "VOICE_" + UUID.randomUUID().toString().replace("-", "");
        platform.putMedia(mediaId, "#!AMR\n".getBytes(), "audio/amr", mediaId + ".amr");
        platform.failNext(FakeWeChatPlatform.MEDIA_GET, 45009, "reach max api daily quota limit");
        String voice = "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[" + openid
                + "]]></FromUserName><CreateTime>" + Instant.now().getEpochSecond()
                + "</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[" + mediaId
                + "]]></MediaId><Format><![CDATA[amr]]></Format><MsgId>" + MSG_IDS.incrementAndGet() + "</MsgId></xml>";
        long before = System.nanoTime();
        assertThat(wechat.post(voice).status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(4));
        String file = MediaLinks.fileId(mediaId);
        Await.until(Duration.ofSeconds(20), "the voice note kept after a retry", () -> state(file).equals("stored"));
        assertThat(Await.result(careline.main().media().describe(file)).get("attempts")).isEqualTo("1");

        String gone = "GONE_" + UUID.randomUUID();
        assertThat(wechat.post(image(openid, gone)).status()).isEqualTo(200);
        Await.until(Duration.ofSeconds(10), "an unknown id given up", () -> state(MediaLinks.fileId(gone)).equals("failed"));
        assertThat(Await.result(account.redis().zscore(RedisKeys.mediaPending(), MediaLinks.fileId(gone)))).isNull();
    }

    static final String ADMIN_TOKEN = "media-it-admin-token";

    @Test
    @DisplayName("A person's data deleted on request takes their photos with it: the file is gone and its signed link "
            + "answers 404; an unfollow does the same")
    void erasureTakesTheFiles() throws Exception {
        for (boolean byRequest : new boolean[] {true, false}) {
            String openid = "o-media-" + UUID.randomUUID();
            String mediaId = "ERASE_" + UUID.randomUUID().toString().replace("-", "");
            platform.putMedia(mediaId, new byte[] {9, 8, 7}, "image/png", mediaId + ".png");
            wechat.post(image(openid, mediaId));
            String file = MediaLinks.fileId(mediaId);
            Await.until(Duration.ofSeconds(10), "kept", () -> state(file).equals("stored"));
            String url = careline.main().mediaLinks().url(file);
            assertThat(get(url).statusCode()).isEqualTo(200);
            if (byRequest) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(careline.adminUrl()
                        + "/api/admin/people/" + openid)).header("Authorization", "Bearer " + ADMIN_TOKEN).DELETE()
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            } else {
                wechat.post(WeChatClient.event(openid, "unsubscribe", null, Instant.now().getEpochSecond()));
                Await.until(Duration.ofSeconds(10), "deleted on unfollow", () -> !Files.exists(DIR.resolve(file + ".png")));
            }
            assertThat(Files.exists(DIR.resolve(file + ".png"))).isFalse();
            assertThat(get(url).statusCode()).isEqualTo(404);
            assertThat(Await.result(account.redis().exists(List.of(RedisKeys.userMedia(openid)))).toInteger()).isZero();
        }
    }

    @Test
    @DisplayName("Files past their retention are deleted by the cleanup sweep")
    void retention() throws Exception {
        String openid = "o-media-" + UUID.randomUUID();
        String mediaId = "OLD_" + UUID.randomUUID().toString().replace("-", "");
        platform.putMedia(mediaId, new byte[] {1, 2, 3}, "image/png", mediaId + ".png");
        wechat.post(image(openid, mediaId));
        String file = MediaLinks.fileId(mediaId);
        Await.until(Duration.ofSeconds(10), "kept", () -> state(file).equals("stored"));
        // As if 90 days had passed: its deletion time is now.
        Await.result(account.redis().zadd(List.of(RedisKeys.mediaExpiry(), "1", file)));
        assertThat(Await.result(careline.main().media().cleanup())).isGreaterThanOrEqualTo(1);
        assertThat(Files.exists(DIR.resolve(file + ".png"))).isFalse();
        assertThat(state(file)).isEmpty();
    }
}
