package org.careline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.careline.redis.RedisConnector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@link AppConfig}: the YAML file gives every key and its default, a {@code CARELINE_*}
 * environment variable overrides it (file &lt; env). Validation happens here, once, so that a bad value
 * stops the service at start with one line naming the key.
 */
public final class ConfigLoader {

    /** Keys whose values are secrets: they may only come from the environment. */
    static final Set<String> SECRET_KEYS = Set.of(
            "wechat.secret", "wechat.token", "wechat.aesKey", "wechat.previousAesKey",
            "admin.token", "backoffice.secret", "console.adminPassword");

    /** Keys whose values are URLs: credentials inside them (user:password@) are secrets too. */
    static final Set<String> URL_KEYS = Set.of("redis.url", "wechat.apiHost", "backoffice.url");

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern AES_KEY = Pattern.compile("[A-Za-z0-9+/]{43}");
    private static final Pattern HTTP_URL = Pattern.compile("https?://[^\\s/]+(/[^\\s]*)?");
    private static final Pattern TEMPLATE_FIELD = Pattern.compile("[a-z_]+\\d+");
    private static final Pattern REDIS_URL = Pattern.compile("(redis|rediss|redis-sentinel|redis-cluster)://\\S+");

    private final Map<String, String> env;

    public ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /** The config file: {@code CARELINE_CONFIG}, else {@code config/application.yaml}, else the bundled copy. */
    public AppConfig load() {
        String explicit = env.get("CARELINE_CONFIG");
        Path file = Path.of(explicit != null && !explicit.isBlank() ? explicit : "config/application.yaml");
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                return load(in, file.toString());
            } catch (IOException e) {
                throw new ConfigException("config file " + file + ": cannot be read (" + e.getMessage() + ")");
            }
        }
        if (explicit != null && !explicit.isBlank()) {
            throw new ConfigException("CARELINE_CONFIG: no such file " + file);
        }
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/config/application.yaml")) {
            if (in == null) {
                throw new ConfigException("config/application.yaml: not found in the working directory or the jar");
            }
            return load(in, "bundled config/application.yaml");
        } catch (IOException e) {
            throw new ConfigException("bundled config/application.yaml: cannot be read");
        }
    }

    AppConfig load(InputStream yaml, String source) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        Map<String, String> file = new LinkedHashMap<>();
        flatten("", root, file);
        for (String key : SECRET_KEYS) {
            if (!file.getOrDefault(key, "").isEmpty()) {
                throw new ConfigException(key + " (" + envName(key) + "): a secret must come from the environment, "
                        + "not from " + source);
            }
        }
        for (String key : URL_KEYS) {
            if (RedisConnector.hasCredentials(file.getOrDefault(key, ""))) {
                throw new ConfigException(key + " (" + envName(key) + "): a URL with a password is a secret and must "
                        + "come from the environment, not from " + source);
            }
        }
        Values v = new Values(file, env);
        AppConfig config = new AppConfig(
                new AppConfig.Http(v.string("http.host"), v.port("http.port"), limits(v, "http")),
                new AppConfig.Admin(v.string("admin.host"), v.port("admin.port"), v.string("admin.token"),
                        limits(v, "admin")),
                new AppConfig.WeChat(
                        v.string("wechat.appId"), v.string("wechat.secret"), v.string("wechat.token"),
                        v.aesKey("wechat.aesKey"), v.aesKey("wechat.previousAesKey"),
                        v.bool("wechat.acceptPlain"), v.url("wechat.apiHost"), v.duration("wechat.replyBudget", true),
                        v.duration("wechat.maxClockSkew"), v.positiveInt("wechat.maxBodyBytes"),
                        v.positiveInt("wechat.apiWorkers"), v.duration("wechat.dedupWindow"),
                        Path.of(v.string("wechat.menuFile"))),
                new AppConfig.Redis(v.redisUrl("redis.url"), v.portOrZero("redis.embeddedPort"),
                        Path.of(v.string("redis.dataDir"))),
                new AppConfig.Conversation(
                        Path.of(v.string("conversation.flowsDir")), Path.of(v.string("conversation.regionsFile")),
                        v.duration("conversation.idleTimeout"), v.duration("conversation.retention"),
                        v.zone("conversation.timeZone"), v.string("conversation.officeHours")),
                new AppConfig.BackOffice(v.optionalUrl("backoffice.url"), v.string("backoffice.secret")),
                new AppConfig.Media(Path.of(v.string("media.dir")), v.duration("media.retention"),
                        v.duration("media.linkValidity")),
                new AppConfig.Templates(v.string("wechat.templates.caseStatus"),
                        v.string("wechat.templates.caseStatusFields")),
                new AppConfig.Sandbox(Path.of(v.string("sandbox.demoRoster"))),
                new AppConfig.Outbox(v.duration("outbox.requestTimeout"), v.duration("outbox.backoffBase"),
                        v.duration("outbox.backoffMax"), v.duration("outbox.giveUpAfter"),
                        v.duration("outbox.claimTimeout"), v.positiveInt("outbox.concurrency"),
                        v.duration("outbox.pollInterval")),
                new AppConfig.Console(v.string("console.adminPassword"), v.bool("console.cookieSecure"),
                        v.duration("console.sessionIdle"), v.duration("console.sessionMax"),
                        v.positiveInt("console.maxFailures"), v.positiveInt("console.ipMaxFailures"),
                        v.duration("console.lockout"), v.duration("console.urgentResponse"),
                        v.duration("console.otherResponse"), v.string("console.noticeTemplateId"),
                        Path.of(v.string("console.cannedRepliesFile"))),

                new AppConfig.Directors(Path.of(v.string("directors.policyFile")), Path.of(v.string("directors.holidaysDir")),
                        v.time("directors.reminderTime"), v.duration("directors.checkEvery"),
                        v.string("directors.digestTemplate"), v.templateFields("directors.digestFields",
                        Set.of("community", "summary", "date", "action")), v.string("directors.overdueTemplate"),
                        v.templateFields("directors.overdueFields", Set.of("town", "summary", "date", "action"))));
        checkTogether(config);
        return config;
    }

    private static AppConfig.Limits limits(Values v, String port) {
        return new AppConfig.Limits(v.duration(port + ".idleTimeout"), v.duration(port + ".requestTimeout"),
                v.positiveInt(port + ".maxConnections"));
    }

    /** Rules that involve more than one key. */
    private static void checkTogether(AppConfig c) {
        AppConfig.WeChat w = c.wechat();
        if (!w.sandbox()) {
            if (w.secret().isEmpty()) {
                throw new ConfigException("wechat.secret (CARELINE_WECHAT_SECRET): required when an app id is set");
            }
            if (w.token().isEmpty()) {
                throw new ConfigException("wechat.token (CARELINE_WECHAT_TOKEN): required when an app id is set");
            }
        }
        if (!w.previousAesKey().isEmpty() && w.aesKey().isEmpty()) {
            throw new ConfigException("wechat.previousAesKey (CARELINE_WECHAT_PREVIOUS_AES_KEY): "
                    + "set only during a rotation, together with wechat.aesKey");
        }
        if (w.replyBudget().compareTo(Duration.ofMillis(4800)) > 0) {
            throw new ConfigException("wechat.replyBudget (CARELINE_WECHAT_REPLY_BUDGET): at most 4800ms, "
                    + "WeChat gives up on a callback after 5 seconds and the answer needs time to travel");
        }
        if (c.http().limits().requestTimeout().compareTo(w.replyBudget().plusSeconds(1)) < 0) {
            // A callback is held for up to the reply budget before it is answered, then the answer travels.
            throw new ConfigException("http.requestTimeout (CARELINE_HTTP_REQUEST_TIMEOUT): must be at least "
                    + "wechat.replyBudget + 1s (" + w.replyBudget().plusSeconds(1).toMillis() + "ms)");
        }
        if (w.apiWorkers() > 10) {
            // WxJava's HTTP client allows 10 connections per host: more threads would only queue there.
            throw new ConfigException("wechat.apiWorkers (CARELINE_WECHAT_API_WORKERS): at most 10, got " + w.apiWorkers());
        }
        if (c.http().port() != 0 && c.http().port() == c.admin().port()) {
            throw new ConfigException("admin.port (CARELINE_ADMIN_PORT): must differ from http.port");
        }
        for (String pair : c.templates().caseStatusFields().split(",")) {
            String[] fieldWhat = pair.trim().split(":");
            if (fieldWhat.length != 2 || !TEMPLATE_FIELD.matcher(fieldWhat[0].trim()).matches()
                    || !Set.of("caseId", "status", "message", "updatedAt").contains(fieldWhat[1].trim())) {
                throw new ConfigException("wechat.templates.caseStatusFields (CARELINE_WECHAT_TEMPLATES_CASE_STATUS_FIELDS): "
                        + "expected field:what pairs such as thing3:message (what = caseId, status, message or "
                        + "updatedAt), got '" + pair.trim() + "'");
            }
        }
        AppConfig.Outbox o = c.outbox();
        if (o.claimTimeout().compareTo(o.requestTimeout().multipliedBy(2)) < 0) {
            // Another instance must not take over an entry whose POST may still be on its way.
            throw new ConfigException("outbox.claimTimeout (CARELINE_OUTBOX_CLAIM_TIMEOUT): at least twice "
                    + "outbox.requestTimeout (" + o.requestTimeout().multipliedBy(2).toMillis() + "ms)");
        }
        if (o.backoffMax().compareTo(o.backoffBase()) < 0) {
            throw new ConfigException("outbox.backoffMax (CARELINE_OUTBOX_BACKOFF_MAX): at least outbox.backoffBase");
        }
        if (!c.console().adminPassword().isEmpty() && c.console().adminPassword().length() < 12) {
            // Never echo the value: it is a secret.
            throw new ConfigException("console.adminPassword (CARELINE_CONSOLE_ADMIN_PASSWORD): at least 12 characters");
        }
        if (!c.backOffice().url().isEmpty() && c.backOffice().secret().isEmpty()) {
            throw new ConfigException("backoffice.secret (CARELINE_BACKOFFICE_SECRET): required when "
                    + "backoffice.url is set (events are signed)");
        }
    }

    /** {@code wechat.previousAesKey} → {@code CARELINE_WECHAT_PREVIOUS_AES_KEY}. */
    public static String envName(String key) {
        StringBuilder out = new StringBuilder("CARELINE_");
        for (char ch : key.toCharArray()) {
            if (ch == '.') {
                out.append('_');
            } else if (Character.isUpperCase(ch)) {
                out.append('_').append(ch);
            } else {
                out.append(Character.toUpperCase(ch));
            }
        }
        return out.toString();
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node == null || node.isNull()) {
            if (!prefix.isEmpty()) {
                out.put(prefix, "");
            }
            return;
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, node.asText());
        }
    }

    /** Reads one key: the environment wins over the file; a key absent from the file is a programming error. */
    private static final class Values {
        private final Map<String, String> file;
        private final Map<String, String> env;

        Values(Map<String, String> file, Map<String, String> env) {
            this.file = file;
            this.env = env;
        }

        /** {@code H:MM} on a 24-hour clock. */
        java.time.LocalTime time(String key) {
            String s = string(key).strip();
            try {
                return java.time.LocalTime.parse(s.length() == 4 ? "0" + s : s);
            } catch (java.time.format.DateTimeParseException e) {
                throw new ConfigException(key + " (" + envName(key) + "): expected a time such as 8:00 or 17:30, got '" + s + "'");
            }
        }

        /** {@code field:what} pairs of a template message, each what one of {@code known}. */
        String templateFields(String key, Set<String> known) {
            String spec = string(key);
            for (String pair : spec.split(",")) {
                String[] fieldWhat = pair.trim().split(":");
                if (fieldWhat.length != 2 || !TEMPLATE_FIELD.matcher(fieldWhat[0].trim()).matches()
                        || !known.contains(fieldWhat[1].trim())) {
                    throw new ConfigException(key + " (" + envName(key) + "): expected field:what pairs such as "
                            + "thing1:summary (what = " + String.join(", ", new java.util.TreeSet<>(known)) + "), got '" + pair.trim() + "'");
                }
            }
            return spec;
        }

        String string(String key) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                return fromEnv.trim();
            }
            if (!file.containsKey(key)) {
                throw new ConfigException(key + " (" + envName(key) + "): missing from the config file");
            }
            return file.get(key).trim();
        }

        private ConfigException bad(String key, String problem) {
            return new ConfigException(key + " (" + envName(key) + "): " + problem);
        }

        boolean bool(String key) {
            String raw = string(key).toLowerCase(Locale.ROOT);
            return switch (raw) {
                case "true" -> true;
                case "false" -> false;
                default -> throw bad(key, "must be true or false, got '" + raw + "'");
            };
        }

        int positiveInt(String key) {
            String raw = string(key);
            try {
                int value = Integer.parseInt(raw);
                if (value <= 0) {
                    throw bad(key, "must be a positive whole number, got " + raw);
                }
                return value;
            } catch (NumberFormatException e) {
                throw bad(key, "must be a positive whole number, got '" + raw + "'");
            }
        }

        int port(String key) {
            int port = portOrZero(key);
            return port;
        }

        int portOrZero(String key) {
            String raw = string(key);
            try {
                int value = Integer.parseInt(raw);
                if (value < 0 || value > 65535) {
                    throw bad(key, "must be a port number 0-65535, got " + raw);
                }
                return value;
            } catch (NumberFormatException e) {
                throw bad(key, "must be a port number 0-65535, got '" + raw + "'");
            }
        }

        Duration duration(String key, boolean zeroAllowed) {
            String raw = string(key).toLowerCase(Locale.ROOT);
            Matcher m = DURATION.matcher(raw);
            if (!m.matches()) {
                throw bad(key, "must be a duration such as 500ms, 4s, 30m, 12h or 30d, got '" + raw + "'");
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            if (d.isZero() && !zeroAllowed) {
                throw bad(key, "must be longer than zero");
            }
            return d;
        }

        Duration duration(String key) {
            return duration(key, false);
        }

        String aesKey(String key) {
            String raw = string(key);
            if (!raw.isEmpty() && !AES_KEY.matcher(raw).matches()) {
                // Never echo the value: it is a secret.
                throw bad(key, "an EncodingAESKey is 43 letters and digits (got " + raw.length() + " characters)");
            }
            return raw;
        }

        String url(String key) {
            String raw = string(key);
            if (!HTTP_URL.matcher(raw).matches()) {
                throw bad(key, "must be an http(s) URL such as https://api.weixin.qq.com, got " + shown(raw));
            }
            return raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
        }

        String optionalUrl(String key) {
            return string(key).isEmpty() ? "" : url(key);
        }

        /** Checked as the client will read it; never echoed (it may hold a password). */
        String redisUrl(String key) {
            String raw = string(key);
            if (raw.isEmpty()) {
                return raw;
            }
            if (!REDIS_URL.matcher(raw).matches()) {
                throw bad(key, "must start with redis://, rediss://, redis-sentinel:// or redis-cluster://");
            }
            try {
                RedisConnector.options(raw);
            } catch (RuntimeException e) {
                throw bad(key, e instanceof IllegalArgumentException ? e.getMessage() : "is not a valid Redis URL");
            }
            return raw;
        }

        ZoneId zone(String key) {
            String raw = string(key);
            try {
                return ZoneId.of(raw);
            } catch (DateTimeException e) {
                throw bad(key, "unknown time zone '" + raw + "'");
            }
        }
    }

    /**
     * A URL as an error message may show it: credentials ({@code user:password@}) and the query (it may carry a
     * token) masked.
     */
    static String shown(String url) {
        String out = url;
        int scheme = out.indexOf("://");
        int at = out.lastIndexOf('@');
        if (at >= 0) {
            out = (scheme >= 0 && scheme < at ? out.substring(0, scheme + 3) : "") + "***@" + out.substring(at + 1);
        }
        int query = out.indexOf('?');
        if (query >= 0) {
            out = out.substring(0, query) + "?***";
        }
        return "'" + out + "'";
    }

    /** Every key of the file with its environment variable, for the README table and `config` listing. */
    public static List<String> keys(InputStream yaml) throws IOException {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", new ObjectMapper(new YAMLFactory()).readTree(yaml), flat);
        return new ArrayList<>(flat.keySet());
    }
}
