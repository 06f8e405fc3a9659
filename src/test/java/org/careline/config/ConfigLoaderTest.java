package org.careline.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    static AppConfig load(Map<String, String> env) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("config/application.yaml"))) {
            return new ConfigLoader(env).load(in, "config/application.yaml");
        }
    }

    @Test
    @DisplayName("The shipped defaults load: sandbox mode, embedded Redis, a 4-second reply budget")
    void defaults() throws IOException {
        AppConfig c = load(Map.of());
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.admin().port()).isEqualTo(8081);
        assertThat(c.wechat().sandbox()).isTrue();
        assertThat(c.wechat().safeMode()).isFalse();
        assertThat(c.redis().embedded()).isTrue();
        assertThat(c.wechat().replyBudget()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.wechat().maxBodyBytes()).isEqualTo(65536);
        assertThat(c.conversation().idleTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.wechat().apiHost()).isEqualTo("https://api.weixin.qq.com");
        assertThat(c.wechat().acceptPlain()).isFalse();
        assertThat(c.http().limits()).isEqualTo(new AppConfig.Limits(Duration.ofSeconds(30), Duration.ofSeconds(10), 1000));
        assertThat(c.admin().limits()).isEqualTo(new AppConfig.Limits(Duration.ofSeconds(60), Duration.ofSeconds(30), 100));
    }

    @Test
    @DisplayName("Environment variables override the file")
    void environmentWins() throws IOException {
        AppConfig c = load(Map.of(
                "CARELINE_HTTP_PORT", "9090",
                "CARELINE_WECHAT_APP_ID", "wx123",
                "CARELINE_WECHAT_SECRET", "s",
                "CARELINE_WECHAT_TOKEN", "t",
                "CARELINE_WECHAT_API_HOST", "http://127.0.0.1:1234/",
                "CARELINE_REDIS_URL", "redis://10.0.0.1:6379/2",
                "CARELINE_CONVERSATION_IDLE_TIMEOUT", "45m"));
        assertThat(c.http().port()).isEqualTo(9090);
        assertThat(c.wechat().sandbox()).isFalse();
        assertThat(c.wechat().apiHost()).isEqualTo("http://127.0.0.1:1234");
        assertThat(c.redis().embedded()).isFalse();
        assertThat(c.conversation().idleTimeout()).isEqualTo(Duration.ofMinutes(45));
    }

    @ParameterizedTest(name = "{0}={1} is refused naming the key")
    @CsvSource(delimiter = '|', value = {
            "CARELINE_HTTP_PORT|eighty|http.port (CARELINE_HTTP_PORT): must be a port number",
            "CARELINE_HTTP_PORT|70000|http.port (CARELINE_HTTP_PORT): must be a port number",
            "CARELINE_WECHAT_REPLY_BUDGET|soon|wechat.replyBudget (CARELINE_WECHAT_REPLY_BUDGET): must be a duration",
            "CARELINE_WECHAT_REPLY_BUDGET|4900ms|wechat.replyBudget (CARELINE_WECHAT_REPLY_BUDGET): at most 4800ms",
            "CARELINE_WECHAT_AES_KEY|tooshort|wechat.aesKey (CARELINE_WECHAT_AES_KEY): an EncodingAESKey is 43",
            "CARELINE_WECHAT_API_HOST|api.weixin.qq.com|wechat.apiHost (CARELINE_WECHAT_API_HOST): must be an http(s) URL",
            "CARELINE_REDIS_URL|localhost:6379|redis.url (CARELINE_REDIS_URL): must start with redis://",
            "CARELINE_CONVERSATION_TIME_ZONE|Mars/Olympus|conversation.timeZone (CARELINE_CONVERSATION_TIME_ZONE): unknown time zone",
            "CARELINE_WECHAT_MAX_BODY_BYTES|-1|wechat.maxBodyBytes (CARELINE_WECHAT_MAX_BODY_BYTES): must be a positive",
            "CARELINE_WECHAT_API_WORKERS|64|wechat.apiWorkers (CARELINE_WECHAT_API_WORKERS): at most 10",
            "CARELINE_WECHAT_APP_ID|wx123|wechat.secret (CARELINE_WECHAT_SECRET): required when an app id is set",
            "CARELINE_WECHAT_ACCEPT_PLAIN|yes|wechat.acceptPlain (CARELINE_WECHAT_ACCEPT_PLAIN): must be true or false",
            "CARELINE_HTTP_REQUEST_TIMEOUT|4s|http.requestTimeout (CARELINE_HTTP_REQUEST_TIMEOUT): must be at least wechat.replyBudget + 1s",
            "CARELINE_HTTP_IDLE_TIMEOUT|forever|http.idleTimeout (CARELINE_HTTP_IDLE_TIMEOUT): must be a duration",
            "CARELINE_ADMIN_MAX_CONNECTIONS|0|admin.maxConnections (CARELINE_ADMIN_MAX_CONNECTIONS): must be a positive",
    })
    void badValues(String variable, String value, String message) {
        Map<String, String> env = new HashMap<>();
        env.put(variable, value);
        assertThatThrownBy(() -> load(env)).isInstanceOf(ConfigException.class).hasMessageStartingWith(message);
    }

    @Test
    @DisplayName("An AES key error never repeats the key itself")
    void aesKeyNotEchoed() {
        String key = "not-a-valid-key-but-secret-XYZ";
        assertThatThrownBy(() -> load(Map.of("CARELINE_WECHAT_AES_KEY", key)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key));
    }

    @Test
    @DisplayName("A secret written into the config file stops the service")
    void secretInFileRefused() {
        String yaml = "wechat:\n  secret: written-into-the-file\n";
        assertThatThrownBy(() -> new ConfigLoader(Map.of())
                .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "x.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("wechat.secret (CARELINE_WECHAT_SECRET): a secret must come from the environment");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "redis.url|redis://:pw-in-file-3141@10.0.0.5:6379/0",
            "redis.url|redis-sentinel://:pw-in-file-3141@s1:26379,s2:26379/careline",
            "backoffice.url|https://user:pw-in-file-3141@backoffice.example.org/events",
    })
    @DisplayName("A URL with a password written into the config file stops the service, without repeating it")
    void urlWithPasswordInFileRefused(String key, String url) {
        String[] path = key.split("\\.");
        String yaml = path[0] + ":\n  " + path[1] + ": \"" + url + "\"\n";
        assertThatThrownBy(() -> new ConfigLoader(Map.of())
                .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "x.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + " (" + ConfigLoader.envName(key) + "): a URL with a password is a secret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw-in-file-3141"));
    }

    @Test
    @DisplayName("The same Redis URL with a password is accepted from the environment")
    void redisPasswordFromEnvironment() throws IOException {
        AppConfig c = load(Map.of("CARELINE_REDIS_URL", "redis://:from-env-2718@10.0.0.5:6379/0"));
        assertThat(c.redis().url()).isEqualTo("redis://:from-env-2718@10.0.0.5:6379/0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "redis://:s3cret-9271@localhost:notaport|needs a host",
            "redis://localhost:s3cret-9271|needs a host",
            "redis://:s3cret-9271@[::1:6379|is not a valid URL",
            "redis://:s3cret-9271@localhost:6379/s3cret-9271|the database after the host must be a number",
            "redis-sentinel://:s3cret-9271@s1:26379|needs /<master name>",
            "redis-cluster://:s3cret-9271@n1:7000,,n2:7001|an empty host",
            "redis-cluster://:s3cret-9271@n1:x7000|needs a host",
    })
    @DisplayName("A bad Redis URL is refused at start, naming the key and the problem but never the URL or its password")
    void badRedisUrlNotEchoed(String url, String problem) {
        assertThatThrownBy(() -> load(Map.of("CARELINE_REDIS_URL", url)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("redis.url (CARELINE_REDIS_URL): ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret").doesNotContain("localhost"));
    }

    @Test
    @DisplayName("A bad http URL is shown with its credentials and query masked")
    void badHttpUrlMasked() {
        assertThatThrownBy(() -> load(Map.of("CARELINE_BACKOFFICE_URL", "ftp://ops:s3cret-1618@bo.example.org/x?token=t0k3n",
                "CARELINE_BACKOFFICE_SECRET", "hmac")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("backoffice.url (CARELINE_BACKOFFICE_URL): must be an http(s) URL such as "
                        + "https://api.weixin.qq.com, got 'ftp://***@bo.example.org/x?***'");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "http.port, CARELINE_HTTP_PORT",
            "admin.port, CARELINE_ADMIN_PORT",
            "wechat.appId, CARELINE_WECHAT_APP_ID",
            "wechat.aesKey, CARELINE_WECHAT_AES_KEY",
            "wechat.apiHost, CARELINE_WECHAT_API_HOST",
            "redis.url, CARELINE_REDIS_URL",
            "backoffice.secret, CARELINE_BACKOFFICE_SECRET",
            "admin.token, CARELINE_ADMIN_TOKEN",
    })
    @DisplayName("Key paths map to the environment variables of DESIGN §3")
    void envNames(String key, String env) {
        assertThat(ConfigLoader.envName(key)).isEqualTo(env);
    }
}
