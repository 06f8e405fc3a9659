package org.careline.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.StaticHandler;
import org.careline.conversation.ConversationStore;
import org.careline.directors.BindingCodes;
import org.careline.http.Failures;
import org.careline.wechat.InboundXml;
import org.careline.wechat.WeChatCrypto;
import org.careline.wechat.WeChatIdentity;
import org.careline.wechat.WeChatSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The sandbox simulator: a phone-like page on the internal port and the small API behind it. Every
 * simulated message is signed (and encrypted when an AES key is set) and POSTed to the service's real
 * {@code /wechat} over HTTP, exactly as WeChat would: the simulator is a client, not a shortcut.
 */
public final class Simulator {

    private static final Logger log = LoggerFactory.getLogger(Simulator.class);

    /** Personas a visitor can play. Openids are fixed so a conversation survives a page reload. */
    static final List<Persona> PERSONAS = List.of(
            new Persona("parent", "王女士（家长）", "o-sim-parent-0001", "family"),
            new Persona("director", "李主任（儿童主任）", "o-sim-director-0001", "director"),
            new Persona("newcomer", "新关注的用户", "o-sim-newcomer-0001", "family"));

    record Persona(String id, String name, String openid, String role) {
        JsonObject json() {
            return new JsonObject().put("id", id).put("name", name).put("openid", openid).put("role", role);
        }
    }

    private final Vertx vertx;
    private final WeChatIdentity identity;
    private final ConversationStore store;
    private final BindingCodes bindingCodes;
    private final FakeWeChatPlatform platform;
    private final Path menuFile;
    private final Clock clock;
    private final IntSupplier publicPort;
    private final WebClient client;
    private final WeChatCrypto crypto;
    private final AtomicLong msgIds;

    /**
     * @param identity  the sandbox account whose token signs (and whose key encrypts) the simulated callbacks
     * @param store     where the sandbox's director persona is set up
     * @param platform  the fake WeChat API, whose accepted pushes the page shows
     * @param menuFile  the custom menu the phone shows
     */
    public Simulator(Vertx vertx, WeChatIdentity identity, ConversationStore store, FakeWeChatPlatform platform,
                     BindingCodes bindingCodes, Path menuFile, Clock clock, IntSupplier publicPort) {
        this.vertx = vertx;
        this.bindingCodes = bindingCodes;
        this.identity = identity;
        this.store = store;
        this.platform = platform;
        this.menuFile = menuFile;
        this.clock = clock;
        this.publicPort = publicPort;
        this.client = WebClient.create(vertx);
        this.msgIds = new AtomicLong(clock.millis() * 10);
        this.crypto = identity.aesKey().isEmpty() ? null
                : new WeChatCrypto(identity.token(), identity.appId(), identity.aesKey(), null);
        seedDirector();
    }

    /** The demo roster's 李主任 (config/demo-roster.json), whom the director persona is bound to. */
    static final String DEMO_DIRECTOR = "P-LI";

    /**
     * The sandbox's 李主任 is bound the way a real director is: a binding code is issued for the demo roster's
     * entry and "绑定 <code>" goes through the real {@code POST /wechat}, so a visitor sees the director's menu
     * and children. Skipped when the persona is already bound (a restart keeps the embedded Redis).
     */
    private void seedDirector() {
        for (Persona p : PERSONAS) {
            if (!"director".equals(p.role())) {
                continue;
            }
            store.role(p.openid()).compose(role -> "director".equals(role) ? Future.succeededFuture()
                            : bindingCodes.issue(DEMO_DIRECTOR, clock.instant()).compose(issued -> issued == null
                            ? Future.failedFuture(new IllegalStateException("no " + DEMO_DIRECTOR + " in the demo roster"))
                            : postToCallback(messageXml(new JsonObject().put("openid", p.openid()).put("type", "text")
                            .put("content", "绑定 " + issued.code()))).mapEmpty()))
                    .onFailure(e -> log.warn("sandbox director persona not bound: {}", e.toString()));
        }
    }

    public void mount(Router router) {
        router.get("/").handler(ctx -> ctx.redirect("/simulator/"));
        // Vert.x matches "/simulator" with and without the trailing slash: redirect only the bare form,
        // else "/simulator/" redirects to itself forever. The page's relative links need the slash.
        router.get("/simulator").handler(ctx -> {
            if (ctx.request().path().endsWith("/")) {
                ctx.next();
            } else {
                ctx.redirect("/simulator/");
            }
        });
        router.get("/sandbox/api/personas").handler(this::personas);
        router.get("/sandbox/api/menu").handler(this::menu);
        router.post("/sandbox/api/send").handler(this::send);
        router.get("/sandbox/api/pushed").handler(this::pushed);
        router.route("/simulator/*").handler(StaticHandler.create("webroot/simulator").setCachingEnabled(false));
    }

    private void personas(RoutingContext ctx) {
        JsonArray list = new JsonArray();
        PERSONAS.forEach(p -> list.add(p.json()));
        ctx.json(new JsonObject().put("personas", list).put("safeMode", crypto != null));
    }

    /**
     * The custom menu the phone shows: the configured menu file (the same JSON that {@code menu push} sends to
     * WeChat), or {@link #defaultMenu()} when there is none. Read on each request, so edits show on reload.
     */
    private void menu(RoutingContext ctx) {
        Path file = menuFile;
        vertx.fileSystem().readFile(file.toString()).onComplete(ar -> {
            if (ar.failed()) {
                if (!(ar.cause().getCause() instanceof NoSuchFileException)) {
                    log.warn("cannot read the menu file {}, showing the default menu: {}", file, ar.cause().toString());
                }
                ctx.json(defaultMenu());
                return;
            }
            JsonObject menu;
            try {
                menu = ar.result().toJsonObject();
            } catch (DecodeException e) {
                log.warn("the menu file {} is not a JSON object, showing the default menu: {}", file, e.getMessage());
                menu = defaultMenu();
            }
            ctx.json(menu);
        });
    }

    /** The menu shown when there is no menu file: the click keys the flows understand. */
    static JsonObject defaultMenu() {
        return new JsonObject().put("button", new JsonArray()
                .add(click("我要求助", "MENU_HELP"))
                .add(click("情况变化", "MENU_CHANGE"))
                .add(click("查询进度", "MENU_STATUS")));
    }

    private static JsonObject click(String name, String key) {
        return new JsonObject().put("type", "click").put("name", name).put("key", key);
    }

    /** {@code {openid, type: text|follow|unfollow|location|click|image|voice, content, key, lat, lng, label}}. */
    private void send(RoutingContext ctx) {
        JsonObject in;
        try {
            in = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            in = null;
        }
        if (in == null || in.getString("openid", "").isBlank() || in.getString("type", "").isBlank()) {
            Failures.error(ctx, 400, "openid and type are required");
            return;
        }
        String xml;
        try {
            xml = messageXml(in);
        } catch (IllegalArgumentException e) {
            Failures.error(ctx, 400, e.getMessage());
            return;
        }
        postToCallback(xml).onComplete(ar -> {
            if (ar.failed()) {
                Failures.error(ctx, 502, "the service did not answer: " + ar.cause().getMessage());
                return;
            }
            HttpResponse<Buffer> r = ar.result();
            JsonObject out = new JsonObject().put("status", r.statusCode());
            String body = r.bodyAsString();
            if (r.statusCode() == 200 && body != null && body.startsWith("<xml>")) {
                out.put("reply", passiveText(body));
            } else {
                out.put("reply", (String) null).put("body", body);
            }
            ctx.json(out);
        });
    }

    private Future<HttpResponse<Buffer>> postToCallback(String xml) {
        String ts = Long.toString(clock.instant().getEpochSecond());
        String nonce = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String token = identity.token();
        var request = client.post(publicPort.getAsInt(), "127.0.0.1", "/wechat")
                .addQueryParam("signature", WeChatSignature.sign(token, ts, nonce))
                .addQueryParam("timestamp", ts)
                .addQueryParam("nonce", nonce)
                .timeout(10_000);
        String body = xml;
        if (crypto != null) {
            String encrypt = crypto.encrypt(xml);
            request.addQueryParam("encrypt_type", "aes")
                    .addQueryParam("msg_signature", WeChatSignature.sign(token, ts, nonce, encrypt));
            body = "<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><Encrypt><![CDATA[" + encrypt
                    + "]]></Encrypt></xml>";
        }
        return request.putHeader("Content-Type", "text/xml").sendBuffer(Buffer.buffer(body));
    }

    private String passiveText(String body) {
        String xml = body;
        if (crypto != null) {
            xml = crypto.decrypt(InboundXml.envelope(body).encrypt());
        }
        return InboundXml.parse(xml).content();
    }

    private String messageXml(JsonObject in) {
        String openid = in.getString("openid");
        long now = clock.instant().getEpochSecond();
        String head = "<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[" + cdata(openid)
                + "]]></FromUserName><CreateTime>" + now + "</CreateTime>";
        long msgId = msgIds.incrementAndGet();
        return switch (in.getString("type")) {
            case "text" -> head + "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA["
                    + cdata(in.getString("content", "")) + "]]></Content><MsgId>" + msgId + "</MsgId></xml>";
            case "follow" -> head + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>";
            case "unfollow" -> head + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unsubscribe]]></Event></xml>";
            case "click" -> head + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA["
                    + cdata(in.getString("key", "")) + "]]></EventKey></xml>";
            case "location" -> head + "<MsgType><![CDATA[location]]></MsgType><Location_X>" + in.getDouble("lat", 32.49)
                    + "</Location_X><Location_Y>" + in.getDouble("lng", 119.93) + "</Location_Y><Scale>15</Scale>"
                    + "<Label><![CDATA[" + cdata(in.getString("label", "")) + "]]></Label><MsgId>" + msgId + "</MsgId></xml>";
            case "image" -> {
                platform.putMedia("sim-media-" + msgId, SAMPLE_PNG, "image/png", "sim-media-" + msgId + ".png");
                yield imageXml(head, msgId);
            }
            case "voice" -> {
                platform.putMedia("sim-voice-" + msgId, SAMPLE_AMR, "audio/amr", "sim-voice-" + msgId + ".amr");
                yield voiceXml(head, msgId);
            }
            default -> throw new IllegalArgumentException("unknown type " + in.getString("type"));
        };
    }

    /** What the fake platform hands out for a simulated photo: a 1×1 PNG. */
    private static final byte[] SAMPLE_PNG = java.util.Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    /** And for a simulated voice note: the AMR header and one silent frame. */
    private static final byte[] SAMPLE_AMR = "#!AMR\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static String imageXml(String head, long msgId) {
        return head + "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://127.0.0.1/sim.jpg]]></PicUrl>"
                    + "<MediaId><![CDATA[sim-media-" + msgId + "]]></MediaId><MsgId>" + msgId + "</MsgId></xml>";
    }

    private static String voiceXml(String head, long msgId) {
        return head + "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[sim-voice-" + msgId
                + "]]></MediaId><Format><![CDATA[amr]]></Format><MsgId>" + msgId + "</MsgId></xml>";
    }

    /** A CDATA section cannot contain its own terminator; split it as XML requires. */
    private static String cdata(String s) {
        return s.replace("]]>", "]]]]><![CDATA[>");
    }

    /** Messages the fake platform accepted for a persona (customer-service and template), after index {@code after}. */
    private void pushed(RoutingContext ctx) {
        String openid = ctx.request().getParam("openid");
        int after = parseInt(ctx.request().getParam("after"), 0);
        JsonArray list = new JsonArray();
        var sent = platform.sentTo(openid == null ? "" : openid);
        for (int i = Math.max(0, after); i < sent.size(); i++) {
            var m = sent.get(i);
            list.add(new JsonObject().put("index", i).put("type", m.type()).put("text", m.text())
                    .put("templateId", m.templateId())
                    .put("data", m.data() == null ? null : new JsonObject(new java.util.LinkedHashMap<>(m.data())))
                    .put("time", m.time().toString()));
        }
        ctx.json(new JsonObject().put("messages", list).put("next", sent.size()));
    }

    private static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
