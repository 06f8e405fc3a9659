package org.careline.backoffice;

import org.careline.cases.OutboxMonitor;
import org.careline.cases.OutboxStore;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.careline.http.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * The operator's view of the outbox, under {@code /api/admin/} (the admin token is checked before these
 * routes): what waits, the dead letters (masked: which event, not whose), replay one or all, discard one with
 * a reason that is logged and kept.
 */
public final class OutboxAdminRoutes {

    private static final Logger log = LoggerFactory.getLogger(OutboxAdminRoutes.class);
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final OutboxStore store;
    private final java.util.function.BooleanSupplier delivering;

    /** @param delivering whether a worker runs here (a back-office URL is configured) */
    public OutboxAdminRoutes(OutboxStore store, java.util.function.BooleanSupplier delivering) {
        this.store = store;
        this.delivering = delivering;
    }

    public void mount(Router router) {
        router.get("/api/admin/outbox").handler(this::summary);
        router.get("/api/admin/outbox/dead-letters").handler(this::deadLetters);
        router.post("/api/admin/outbox/dead-letters/replay").handler(this::replayAll);
        router.post("/api/admin/outbox/dead-letters/:id/replay").handler(this::replay);
        router.delete("/api/admin/outbox/dead-letters/:id").handler(this::discard);
    }

    private void summary(RoutingContext ctx) {
        store.stats(OutboxMonitor.MAX_PEOPLE).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            OutboxStore.Stats s = ar.result();
            long oldest = s.oldestWrittenAtMillis();
            json(ctx, 200, new JsonObject()
                    .put("delivering", delivering.getAsBoolean())
                    .put("depth", s.depth())
                    .put("people", s.people())
                    .put("oldestPendingAgeSeconds", oldest == 0 ? 0 : Math.max(0, store.clock().millis() - oldest) / 1000)
                    .put("oldestPendingSince", oldest == 0 ? null : Instant.ofEpochMilli(oldest).toString())
                    .put("deadLetters", s.deadLetters())
                    .put("partial", s.partial()));
        });
    }

    private void deadLetters(RoutingContext ctx) {
        int limit = DEFAULT_LIMIT;
        String asked = ctx.request().getParam("limit");
        if (asked != null) {
            try {
                limit = Math.max(1, Math.min(MAX_LIMIT, Integer.parseInt(asked)));
            } catch (NumberFormatException e) {
                Failures.error(ctx, 400, "limit must be a number");
                return;
            }
        }
        int shown = limit;
        store.deadLetters(limit).compose(items -> store.deadLetterCount().map(total -> {
            JsonArray out = new JsonArray();
            items.forEach(d -> out.add(masked(d)));
            return new JsonObject().put("total", total).put("limit", shown).put("items", out);
        })).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            json(ctx, 200, ar.result());
        });
    }

    /**
     * A dead letter as an operator sees it: the event's id, type, time and case number, why it failed; never
     * its data (names, phones, the child's situation) and the person only as a short pseudonym prefix.
     */
    static JsonObject masked(OutboxStore.DeadLetter d) {
        var f = d.fields();
        String caseId = null;
        try {
            JsonObject data = new JsonObject(f.getOrDefault("event", "{}")).getJsonObject("data");
            caseId = data == null ? null : data.getString("caseId");
        } catch (RuntimeException e) {
            // An unreadable event is listed all the same.
        }
        String person = f.getOrDefault("person", "");
        return new JsonObject()
                .put("id", d.id())
                .put("eventId", f.get("id"))
                .put("type", f.get("type"))
                .put("occurredAt", f.get("time"))
                .put("caseId", caseId)
                .put("person", person.length() > 8 ? person.substring(0, 8) + "…" : person)
                .put("reason", f.get("reason"))
                .put("attempts", Integer.parseInt(f.getOrDefault("attempts", "0")))
                .put("failedAt", f.get("failedAt") == null ? null
                        : Instant.ofEpochMilli(Long.parseLong(f.get("failedAt"))).toString());
    }

    private void replay(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        store.replay(id).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (!ar.result()) {
                Failures.error(ctx, 404, "no such dead letter");
                return;
            }
            log.info("outbox: dead letter {} replayed through the admin API", id);
            json(ctx, 200, new JsonObject().put("replayed", 1));
        });
    }

    private void replayAll(RoutingContext ctx) {
        store.replayAll().onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            log.info("outbox: {} dead letter(s) replayed through the admin API", ar.result());
            json(ctx, 200, new JsonObject().put("replayed", ar.result()));
        });
    }

    private void discard(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String reason;
        try {
            JsonObject body = ctx.body().asJsonObject();
            reason = body == null ? null : body.getString("reason");
        } catch (RuntimeException e) {
            reason = null;
        }
        if (reason == null || reason.isBlank()) {
            Failures.error(ctx, 400, "say why: {\"reason\": \"...\"}");
            return;
        }
        String why = reason.strip();
        store.discard(id, why, store.clock().millis()).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (ar.result() == null) {
                Failures.error(ctx, 404, "no such dead letter");
                return;
            }
            var f = ar.result().fields();
            log.warn("outbox: dead letter {} (event {}, {}) discarded through the admin API: {}", id, f.get("id"),
                    f.get("type"), why);
            json(ctx, 200, new JsonObject().put("discarded", true).put("eventId", f.get("id")));
        });
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                .end(body.encode());
    }
}
