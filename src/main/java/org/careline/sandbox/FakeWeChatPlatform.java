package org.careline.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * An in-memory stand-in for WeChat's server API (api.weixin.qq.com), speaking its real endpoints and
 * JSON: access tokens ({@code stable_token} and {@code token}), customer-service and template messages,
 * menu creation and the typing state. The service mounts {@link #router()} on its internal port in
 * sandbox mode; tests {@link #listen(int)} on a port of their own and inject failures.
 *
 * <p>Like WeChat it answers HTTP 200 with {@code errcode} 0 and {@code errmsg} "ok" on success, and an
 * errcode otherwise. It enforces what CareLine must get right (token validity, template field limits,
 * {@code client_msg_id} dedup); the 48-hour window, quotas and busy answers are injected with
 * {@link #failNext}. Tokens do not expire by time here: {@link #expireTokens()} stands in for that, and
 * force-refresh limits (20 a day, 30 s apart) are not enforced.
 */
public final class FakeWeChatPlatform {

    public static final String STABLE_TOKEN = "/cgi-bin/stable_token";
    public static final String TOKEN = "/cgi-bin/token";
    public static final String CUSTOM_SEND = "/cgi-bin/message/custom/send";
    public static final String TEMPLATE_SEND = "/cgi-bin/message/template/send";
    public static final String MENU_CREATE = "/cgi-bin/menu/create";
    public static final String CUSTOM_TYPING = "/cgi-bin/message/custom/typing";
    public static final String MEDIA_GET = "/cgi-bin/media/get";

    private static final Set<String> PATHS =
            Set.of(STABLE_TOKEN, TOKEN, CUSTOM_SEND, TEMPLATE_SEND, MENU_CREATE, CUSTOM_TYPING, MEDIA_GET);
    private static final int TOKEN_SECONDS = 7200;
    private static final int TEXT_MAX_BYTES = 2048;
    private static final Duration CLIENT_MSG_ID_WINDOW = Duration.ofMinutes(10);
    /** Template field limits since 2023, by field kind (the field name without its number). */
    private static final Map<String, Integer> FIELD_MAX_CHARS = Map.of(
            "thing", 20, "character_string", 32, "phrase", 5, "number", 32, "letter", 32,
            "symbol", 5, "phone_number", 17, "car_number", 8);
    private static final Pattern FIELD_NUMBER = Pattern.compile("\\d+$");

    /** One message WeChat accepted: a customer-service message ({@code type} its msgtype) or a template. */
    public record SentMessage(String openid, String type, String text, String templateId,
                              Map<String, String> data, Instant time) {
    }

    private record Failure(int errcode, String errmsg) {
    }

    private record TemplateSend(long msgid, Instant at) {
    }

    /** A temporary media file as a user's message would leave it on WeChat's side. */
    private record StoredMedia(byte[] bytes, String contentType, String fileName) {
    }

    private final Vertx vertx;
    private final String appId;
    private final String secret;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    // Handlers may run on several event loops (the internal server can have many instances): one lock.
    private final Object lock = new Object();
    private String stableToken;
    private String ordinaryToken;
    private final Set<String> issuedTokens = new LinkedHashSet<>();
    private final Map<String, Deque<Failure>> injected = new LinkedHashMap<>();
    private final Map<String, Integer> calls = new LinkedHashMap<>();
    private final List<SentMessage> sent = new ArrayList<>();
    private final Map<String, TemplateSend> templateSends = new LinkedHashMap<>();
    private final Map<String, String> typing = new LinkedHashMap<>();
    private final Map<String, StoredMedia> media = new LinkedHashMap<>();
    private JsonObject menu;
    private long nextMsgId = 1_000_001;
    private Duration responseDelay = Duration.ZERO;
    private HttpServer server;

    public FakeWeChatPlatform(Vertx vertx, String appId, String secret) {
        this(vertx, appId, secret, Clock.systemUTC());
    }

    /** With a clock of the test's choosing, for the 10-minute {@code client_msg_id} window. */
    public FakeWeChatPlatform(Vertx vertx, String appId, String secret, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.appId = Objects.requireNonNull(appId, "appId");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The API's routes, relative: mount under a prefix with {@code route("/prefix/*").subRouter(...)}. */
    public Router router() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(1 << 20));
        router.post(STABLE_TOKEN).handler(ctx -> answer(ctx, STABLE_TOKEN, this::stableToken));
        router.get(TOKEN).handler(ctx -> answer(ctx, TOKEN, this::ordinaryToken));
        router.post(CUSTOM_SEND).handler(ctx -> answer(ctx, CUSTOM_SEND, authorised(this::customSend)));
        router.post(TEMPLATE_SEND).handler(ctx -> answer(ctx, TEMPLATE_SEND, authorised(this::templateSend)));
        router.post(MENU_CREATE).handler(ctx -> answer(ctx, MENU_CREATE, authorised(this::menuCreate)));
        router.post(CUSTOM_TYPING).handler(ctx -> answer(ctx, CUSTOM_TYPING, authorised(this::customTyping)));
        router.get(MEDIA_GET).handler(this::mediaGet);
        return router;
    }

    /** Serves {@link #router()} on its own port (0 picks a free one; see {@link #port()}). */
    public Future<HttpServer> listen(int port) {
        return vertx.createHttpServer()
                .requestHandler(router())
                // Loopback only: it hands out tokens to anyone who knows the sandbox's made-up secret.
                .listen(port, "127.0.0.1")
                .onSuccess(listening -> server = listening);
    }

    /** The port {@link #listen(int)} bound, or -1 before it has. */
    public int port() {
        HttpServer listening = server;
        return listening == null ? -1 : listening.actualPort();
    }

    /** Stops the server {@link #listen(int)} started, if any. */
    public Future<Void> close() {
        HttpServer listening = server;
        return listening == null ? Future.succeededFuture() : listening.close();
    }

    // ---- what tests and the simulator read and steer ----

    /** Every accepted message, oldest first. */
    public List<SentMessage> sent() {
        synchronized (lock) {
            return List.copyOf(sent);
        }
    }

    public List<SentMessage> sentTo(String openid) {
        synchronized (lock) {
            return sent.stream().filter(message -> message.openid().equals(openid)).toList();
        }
    }

    /**
     * Makes {@code mediaId} downloadable through {@code GET /cgi-bin/media/get}, as a user's image or voice
     * message leaves it on WeChat's side ({@code fileName} as WeChat names it, e.g. {@code <id>.jpg}).
     */
    public void putMedia(String mediaId, byte[] bytes, String contentType, String fileName) {
        synchronized (lock) {
            media.put(mediaId, new StoredMedia(bytes.clone(), contentType, fileName));
        }
    }

    /** The next call of {@code path} (one of the path constants) answers this error instead; queued. */
    public void failNext(String path, int errcode, String errmsg) {
        if (!PATHS.contains(path)) {
            throw new IllegalArgumentException("not a path of the fake WeChat API: " + path);
        }
        synchronized (lock) {
            injected.computeIfAbsent(path, p -> new ArrayDeque<>()).add(new Failure(errcode, errmsg));
        }
    }

    /** Every token issued so far becomes invalid: the next API call answers 40001. */
    public void expireTokens() {
        synchronized (lock) {
            stableToken = null;
            ordinaryToken = null;
        }
    }

    /** Calls of both token endpoints. */
    public int tokenCalls() {
        return calls(STABLE_TOKEN) + calls(TOKEN);
    }

    /** Calls of {@code path}, answered with success or not. */
    public int calls(String path) {
        synchronized (lock) {
            return calls.getOrDefault(path, 0);
        }
    }

    /** Every access token ever issued, valid or not (so tests can look for leaks). */
    public Set<String> issuedTokens() {
        synchronized (lock) {
            return Set.copyOf(issuedTokens);
        }
    }

    /** The last accepted menu definition. */
    public Optional<JsonObject> menu() {
        synchronized (lock) {
            return Optional.ofNullable(menu).map(JsonObject::copy);
        }
    }

    /** The last typing command ({@code Typing} or {@code CancelTyping}) for the user. */
    public Optional<String> typingState(String openid) {
        synchronized (lock) {
            return Optional.ofNullable(typing.get(openid));
        }
    }

    /** Delays every answer, to play a slow WeChat (on a timer; no thread waits). */
    public void respondAfter(Duration delay) {
        synchronized (lock) {
            responseDelay = Objects.requireNonNull(delay, "delay");
        }
    }

    /**
     * Forgets messages, counters, injected failures, dedup ids, menu, typing and delay. Issued tokens
     * stay valid, so a client holding one carries on as it would against WeChat.
     */
    public void reset() {
        synchronized (lock) {
            injected.clear();
            calls.clear();
            sent.clear();
            templateSends.clear();
            typing.clear();
            media.clear();
            menu = null;
            responseDelay = Duration.ZERO;
        }
    }

    // ---- the endpoints ----

    private JsonObject stableToken(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        JsonObject refused = checkCredentials(body.getString("grant_type"), body.getString("appid"),
                body.getString("secret"));
        if (refused != null) {
            return refused;
        }
        // Normal mode returns the current token while it is valid; force_refresh replaces it.
        if (stableToken == null || body.getBoolean("force_refresh", false)) {
            stableToken = newToken();
        }
        return tokenAnswer(stableToken);
    }

    private JsonObject ordinaryToken(RoutingContext ctx) {
        JsonObject refused = checkCredentials(ctx.request().getParam("grant_type"),
                ctx.request().getParam("appid"), ctx.request().getParam("secret"));
        if (refused != null) {
            return refused;
        }
        // Each /cgi-bin/token call replaces the previous token of that endpoint.
        ordinaryToken = newToken();
        return tokenAnswer(ordinaryToken);
    }

    private JsonObject customSend(JsonObject body) {
        String openid = body.getString("touser", "");
        String msgtype = body.getString("msgtype", "");
        if (openid.isBlank()) {
            return error(40003, "invalid openid");
        }
        if (msgtype.isBlank()) {
            return error(40008, "invalid message type");
        }
        String text = null;
        if (msgtype.equals("text")) {
            text = body.getJsonObject("text", new JsonObject()).getString("content", "");
            if (text.isEmpty()) {
                return error(44004, "empty content");
            }
            if (text.getBytes(StandardCharsets.UTF_8).length > TEXT_MAX_BYTES) {
                return error(45002, "content size out of limit");
            }
        }
        sent.add(new SentMessage(openid, msgtype, text, null, Map.of(), clock.instant()));
        return ok();
    }

    private JsonObject templateSend(JsonObject body) {
        String openid = body.getString("touser", "");
        String templateId = body.getString("template_id", "");
        if (openid.isBlank()) {
            return error(40003, "invalid openid");
        }
        if (templateId.isBlank()) {
            return error(40037, "invalid template_id");
        }
        Map<String, String> data = new LinkedHashMap<>();
        JsonObject fields = body.getJsonObject("data", new JsonObject());
        for (String field : fields.fieldNames()) {
            String value = fields.getJsonObject(field).getString("value", "");
            String invalid = fieldViolation(field, value);
            if (invalid != null) {
                return error(47003, "argument invalid! data." + field + ".value " + invalid);
            }
            data.put(field, value);
        }
        Instant now = clock.instant();
        templateSends.values().removeIf(send -> send.at().plus(CLIENT_MSG_ID_WINDOW).isBefore(now));
        String clientMsgId = body.getString("client_msg_id");
        String dedupKey = clientMsgId == null ? null : openid + '\n' + clientMsgId;
        if (dedupKey != null && templateSends.containsKey(dedupKey)) {
            // WeChat sends one message per openid + client_msg_id within 10 minutes.
            return ok().put("msgid", templateSends.get(dedupKey).msgid());
        }
        long msgid = nextMsgId++;
        if (dedupKey != null) {
            templateSends.put(dedupKey, new TemplateSend(msgid, now));
        }
        sent.add(new SentMessage(openid, "template", null, templateId, Collections.unmodifiableMap(data), now));
        return ok().put("msgid", msgid);
    }

    private JsonObject menuCreate(JsonObject body) {
        JsonArray buttons = body.getJsonArray("button");
        if (buttons == null || buttons.isEmpty() || buttons.size() > 3) {
            return error(40016, "invalid button size");
        }
        for (int i = 0; i < buttons.size(); i++) {
            JsonArray subButtons = buttons.getJsonObject(i).getJsonArray("sub_button");
            if (subButtons != null && subButtons.size() > 5) {
                return error(40023, "invalid sub button size");
            }
        }
        menu = body.copy();
        return ok();
    }

    private JsonObject customTyping(JsonObject body) {
        String openid = body.getString("touser", "");
        String command = body.getString("command", "");
        if (openid.isBlank()) {
            return error(40003, "invalid openid");
        }
        if (!command.equals("Typing") && !command.equals("CancelTyping")) {
            return error(47003, "argument invalid! command");
        }
        typing.put(openid, command);
        return ok();
    }

    /**
     * {@code GET /cgi-bin/media/get?access_token&media_id}: the file itself with {@code Content-Disposition:
     * attachment; filename="…"} as WeChat sends it, or a JSON error (40007 for an unknown or expired id).
     */
    private void mediaGet(RoutingContext ctx) {
        StoredMedia found;
        JsonObject refused;
        synchronized (lock) {
            calls.merge(MEDIA_GET, 1, Integer::sum);
            Deque<Failure> queued = injected.get(MEDIA_GET);
            Failure failure = queued == null ? null : queued.poll();
            String token = ctx.request().getParam("access_token");
            if (failure != null) {
                refused = error(failure.errcode(), failure.errmsg());
            } else if (token == null || token.isEmpty()) {
                refused = error(41001, "access_token missing");
            } else if (!token.equals(stableToken) && !token.equals(ordinaryToken)) {
                refused = error(40001, "invalid credential, access_token is invalid or not latest");
            } else {
                refused = null;
            }
            found = refused == null ? media.get(ctx.request().getParam("media_id")) : null;
            if (refused == null && found == null) {
                refused = error(40007, "invalid media_id");
            }
        }
        if (refused != null) {
            respond(ctx, refused);
            return;
        }
        ctx.response()
                .putHeader("Content-Type", found.contentType())
                .putHeader("Content-Disposition", "attachment; filename=\"" + found.fileName() + "\"")
                .end(io.vertx.core.buffer.Buffer.buffer(found.bytes()));
    }

    // ---- protocol plumbing ----

    private void answer(RoutingContext ctx, String path, Function<RoutingContext, JsonObject> endpoint) {
        JsonObject reply;
        Duration delay;
        synchronized (lock) {
            calls.merge(path, 1, Integer::sum);
            Deque<Failure> queued = injected.get(path);
            Failure failure = queued == null ? null : queued.poll();
            if (failure != null) {
                reply = error(failure.errcode(), failure.errmsg());
            } else {
                try {
                    reply = endpoint.apply(ctx);
                } catch (RuntimeException unreadable) {  // not JSON, or members of the wrong type
                    reply = error(47001, "data format error");
                }
            }
            delay = responseDelay;
        }
        JsonObject answer = reply;
        if (delay.isZero()) {
            respond(ctx, answer);
        } else {
            vertx.setTimer(delay.toMillis(), fired -> respond(ctx, answer));
        }
    }

    private static void respond(RoutingContext ctx, JsonObject reply) {
        ctx.response()
                .putHeader("Content-Type", "application/json; encoding=utf-8")
                .end(reply.encode());
    }

    private Function<RoutingContext, JsonObject> authorised(Function<JsonObject, JsonObject> endpoint) {
        return ctx -> {
            String token = ctx.request().getParam("access_token");
            if (token == null || token.isEmpty()) {
                return error(41001, "access_token missing");
            }
            if (!token.equals(stableToken) && !token.equals(ordinaryToken)) {
                return error(40001, "invalid credential, access_token is invalid or not latest");
            }
            return endpoint.apply(ctx.body().asJsonObject());
        };
    }

    private JsonObject checkCredentials(String grantType, String appid, String givenSecret) {
        if (!"client_credential".equals(grantType)) {
            return error(40002, "invalid grant_type");
        }
        if (!appId.equals(appid)) {
            return error(40013, "invalid appid");
        }
        if (!secret.equals(givenSecret)) {
            return error(40125, "invalid appsecret");
        }
        return null;
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = "FAKE" + HexFormat.of().formatHex(bytes);
        issuedTokens.add(token);
        return token;
    }

    private static JsonObject tokenAnswer(String token) {
        return new JsonObject().put("access_token", token).put("expires_in", TOKEN_SECONDS);
    }

    /** Why a template field value breaks the since-2023 limits, or null when it does not. */
    static String fieldViolation(String field, String value) {
        String kind = FIELD_NUMBER.matcher(field).replaceFirst("");
        Integer max = FIELD_MAX_CHARS.get(kind);
        if (max != null && value.codePointCount(0, value.length()) > max) {
            return "longer than " + max + " characters";
        }
        if (kind.equals("character_string")
                && value.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)) {
            return "contains Chinese characters";
        }
        return null;
    }

    private static JsonObject ok() {
        return error(0, "ok");
    }

    private static JsonObject error(int errcode, String errmsg) {
        return new JsonObject().put("errcode", errcode).put("errmsg", errmsg);
    }
}
