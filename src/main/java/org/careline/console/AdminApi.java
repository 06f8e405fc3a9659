package org.careline.console;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.careline.conversation.ConversationService;
import org.careline.conversation.ConversationStore;
import org.careline.http.Failures;
import org.careline.privacy.Redaction;
import org.careline.wechat.MenuPublisher;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code /api/admin/*} on the internal port, behind a bearer token ({@code CARELINE_ADMIN_TOKEN}). Views
 * mask personal fields: an operator needs to see where a conversation stands, not who it is about.
 */
public final class AdminApi {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AdminApi.class);

    private final ConversationStore store;
    private final MenuPublisher menu;
    private final ConversationService conversations;
    private final byte[] token;

    public AdminApi(ConversationStore store, ConversationService conversations, MenuPublisher menu, String token) {
        this.store = store;
        this.conversations = conversations;
        this.menu = menu;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public void mount(Router router) {
        router.route("/api/admin/*").handler(this::authorize);
        router.get("/api/admin/conversations/:openid").handler(this::conversation);
        router.get("/api/admin/escalations").handler(this::escalations);
        router.post("/api/admin/conversations/:openid/resolve").handler(this::resolve);
        router.delete("/api/admin/people/:openid").handler(this::erase);
        router.get("/api/admin/cases/:caseId/transcript").handler(this::transcript);
        router.post("/api/admin/wechat/menu").handler(this::publishMenu);
    }

    /**
     * The conversation behind a case, oldest line first, for the caseworker who picks it up (the link in
     * every case event). Every read is logged: staff reads of a child's record must be traceable.
     */
    private void transcript(RoutingContext ctx) {
        String caseId = ctx.pathParam("caseId");
        store.transcriptOfCase(caseId).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (ar.result() == null) {
                Failures.error(ctx, 404, "no such case, or its conversation was deleted");
                return;
            }
            log.info("transcript of case {} read through the admin API", caseId);
            io.vertx.core.json.JsonArray lines = new io.vertx.core.json.JsonArray();
            ar.result().forEach(line -> lines.add(new JsonObject(line)));
            ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(new JsonObject().put("caseId", caseId).put("lines", lines).encode());
        });
    }

    /** A person asked for their data to be deleted: conversation, transcript, profile and cases. */
    private void erase(RoutingContext ctx) {
        String openid = ctx.pathParam("openid");
        conversations.erase(openid).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            log.info("erased the data of {} on request: {} case(s)", Redaction.openid(openid), ar.result());
            ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(new JsonObject().put("deleted", true).put("cases", ar.result()).encode());
        });
    }

    /** Hands an escalated chat back to the bot. */
    private void resolve(RoutingContext ctx) {
        conversations.resolve(ctx.pathParam("openid"), "admin-api").onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (!ar.result()) {
                Failures.error(ctx, 409, "this conversation is not with staff");
                return;
            }
            ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(new JsonObject().put("status", "bot").encode());
        });
    }

    /** Pushes config/wechat-menu.json to WeChat as the account's custom menu. */
    private void publishMenu(RoutingContext ctx) {
        menu.publish().onComplete(ar -> {
            if (ar.failed()) {
                Failures.error(ctx, 502, "menu not published: " + ar.cause().getMessage());
                return;
            }
            boolean ok = ar.result() == org.careline.wechat.WeChatApi.SendResult.SENT;
            ctx.response().setStatusCode(ok ? 200 : 502).putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(new JsonObject().put("result", ar.result().name()).encode());
        });
    }

    private void authorize(RoutingContext ctx) {
        if (token.length == 0) {
            Failures.error(ctx, 503, "admin API disabled: set CARELINE_ADMIN_TOKEN");
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, token)) {
            Failures.error(ctx, 401, "unauthorized");
            return;
        }
        ctx.next();
    }

    /**
     * The open escalations, most severe first, then longest waiting: what the bureau must look at now. Texts
     * are masked as in the conversation lookup; the console shows them to the caseworker who opens the chat.
     */
    private void escalations(RoutingContext ctx) {
        store.openEscalations(MAX_LISTED).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            io.vertx.core.json.JsonArray items = new io.vertx.core.json.JsonArray();
            for (ConversationStore.OpenEscalation e : ar.result()) {
                var s = e.state();
                JsonObject item = new JsonObject().put("openid", Redaction.openid(e.openid()))
                        .put("flow", s.flow()).put("node", s.node())
                        .put("status", status(s));
                JsonObject esc = escalation(s);
                if (esc == null) {
                    // Queued for staff by an older version (no escalation record yet): an ordinary handoff.
                    esc = new JsonObject().put("urgent", false).put("level", "staff")
                            .put("reason", s.fields() == null ? null : s.fields().get("handoff_reason"))
                            .put("openedAt", s.updatedAt() == null ? null : s.updatedAt().toString())
                            .put("lastMessageAt", s.updatedAt() == null ? null : s.updatedAt().toString());
                }
                item.mergeIn(esc);
                io.vertx.core.json.JsonArray last = new io.vertx.core.json.JsonArray();
                for (String line : e.lastLines()) {
                    JsonObject l = new JsonObject(line);
                    last.add(new JsonObject().put("at", l.getString("at")).put("from", l.getString("from"))
                            .put("text", Redaction.freeText(l.getString("text"))));
                }
                items.add(item.put("lastMessages", last));
            }
            ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(new JsonObject().put("items", items).encode());
        });
    }

    /** The staff queue is listed this far; more waiting than this is a matter for the console. */
    private static final int MAX_LISTED = 200;

    private static String status(org.careline.flow.ConversationState s) {
        return s.status() == null ? "bot" : s.status().name().toLowerCase();
    }

    /** The open escalation as the contract shows it, or null. */
    private static JsonObject escalation(org.careline.flow.ConversationState s) {
        var e = s.escalation();
        if (e == null) {
            return null;
        }
        return new JsonObject().put("urgent", e.urgent()).put("level", e.level().name().toLowerCase())
                .put("reason", e.reason())
                .put("openedAt", e.openedAt() == null ? null : e.openedAt().toString())
                .put("lastMessageAt", e.lastMessageAt() == null ? null : e.lastMessageAt().toString());
    }

    private void conversation(RoutingContext ctx) {
        String openid = ctx.pathParam("openid");
        store.state(openid).compose(s -> s == null ? io.vertx.core.Future.succeededFuture((Object[]) null)
                : store.role(openid).map(role -> new Object[] {s, role})).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (ar.result() == null) {
                Failures.error(ctx, 404, "no conversation for this openid");
                return;
            }
            var s = (org.careline.flow.ConversationState) ar.result()[0];
            JsonObject body = new JsonObject()
                    .put("openid", Redaction.openid(openid))
                    .put("flow", s.flow())
                    .put("node", s.node())
                    .put("status", status(s))
                    .put("role", ar.result()[1])
                    .put("updatedAt", s.updatedAt() == null ? null : s.updatedAt().toString())
                    .put("startedAt", s.startedAt() == null ? null : s.startedAt().toString())
                    .put("flowsVersion", s.flowsVersion())
                    .put("fields", new JsonObject(new java.util.LinkedHashMap<>(Redaction.fields(s.fields()))));
            JsonObject esc = escalation(s);
            if (esc != null) {
                body.put("escalation", esc);
            }
            ctx.response().putHeader("Content-Type", "application/json; charset=utf-8").end(body.encode());
        });
    }
}
