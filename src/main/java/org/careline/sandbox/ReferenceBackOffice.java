package org.careline.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.StaticHandler;
import org.careline.cases.BackOfficeSignature;
import org.careline.directors.RosterStore;
import org.careline.http.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The sandbox's reference back office (DESIGN §6): receives CareLine's signed events as a real case system
 * would ({@code POST /sandbox/backoffice/events}, signature checked, event id honoured), shows them on a page
 * ({@code /sandbox/backoffice/}) and sends a caseworker's status back through CareLine's real inbound endpoint,
 * signed with the same secret: a newcomer sees a case arrive and the simulated phone get the answer.
 */
public final class ReferenceBackOffice {

    private static final Logger log = LoggerFactory.getLogger(ReferenceBackOffice.class);
    public static final String EVENTS_PATH = "/sandbox/backoffice/events";
    /** Events kept for the page (newest); this is a demonstration, not a case store. */
    static final int KEPT = 200;

    private final Vertx vertx;
    private final Supplier<String> secret;
    private final IntSupplier internalPort;
    private final RosterStore roster;
    private final Clock clock;
    private final WebClient client;
    private final Object lock = new Object();
    private final Deque<JsonObject> events = new ArrayDeque<>();
    private final Set<String> seenIds = new HashSet<>();

    public ReferenceBackOffice(Vertx vertx, Supplier<String> secret, IntSupplier internalPort, RosterStore roster,
                               Clock clock) {
        this.vertx = vertx;
        this.secret = secret;
        this.internalPort = internalPort;
        this.roster = roster;
        this.clock = clock;
        this.client = WebClient.create(vertx);
    }

    public void mount(Router router) {
        router.post(EVENTS_PATH).handler(this::receive);
        router.get("/sandbox/backoffice/api/events").handler(this::list);
        router.get("/sandbox/backoffice/api/roster").handler(this::rosterSummary);
        router.post("/sandbox/backoffice/api/cases/:caseId/status").handler(this::sendStatus);
        router.get("/sandbox/backoffice").handler(ctx -> {
            if (ctx.request().path().endsWith("/")) {
                ctx.next();
            } else {
                ctx.redirect("/sandbox/backoffice/");
            }
        });
        router.route("/sandbox/backoffice/*").handler(StaticHandler.create("webroot/backoffice").setCachingEnabled(false));
    }

    /** What a receiver must do: check the signature over timestamp + "." + body, honour the event id. */
    private void receive(RoutingContext ctx) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        String id = ctx.request().getHeader(BackOfficeSignature.EVENT_ID);
        boolean valid = new BackOfficeSignature(secret.get()).verify(ctx.request().getHeader(BackOfficeSignature.TIMESTAMP),
                ctx.request().getHeader(BackOfficeSignature.SIGNATURE), body, clock.instant());
        if (!valid) {
            log.warn("reference back office: an event with a bad or old signature was refused");
            Failures.error(ctx, 401, "bad signature");
            return;
        }
        JsonObject event;
        try {
            event = new JsonObject(Buffer.buffer(body));
        } catch (RuntimeException e) {
            Failures.error(ctx, 400, "not a JSON event");
            return;
        }
        boolean fresh;
        synchronized (lock) {
            fresh = id != null && seenIds.add(id);
            if (fresh) {
                JsonObject data = event.getJsonObject("data", new JsonObject());
                events.addFirst(new JsonObject().put("id", id).put("type", event.getString("type"))
                        .put("occurredAt", event.getValue("occurredAt", event.getValue("time")))
                        .put("receivedAt", clock.instant().toString())
                        .put("caseId", data.getString("caseId"))
                        .put("status", data.getString("status"))
                        .put("summary", data.getString("summary", data.getString("reason", data.getString("message"))))
                        .put("data", data));
                while (events.size() > KEPT) {
                    JsonObject dropped = events.removeLast();
                    seenIds.remove(dropped.getString("id"));
                }
            }
        }
        // A repeated id is acknowledged again and not shown twice: the id is the idempotency key.
        ctx.json(new JsonObject().put("received", true).put("duplicate", !fresh));
    }

    private void list(RoutingContext ctx) {
        JsonArray out = new JsonArray();
        synchronized (lock) {
            for (Iterator<JsonObject> it = events.iterator(); it.hasNext(); ) {
                out.add(it.next().copy());
            }
        }
        ctx.json(new JsonObject().put("events", out));
    }

    private void rosterSummary(RoutingContext ctx) {
        roster.summary().onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            ctx.json(ar.result());
        });
    }

    /**
     * The page's button: a caseworker's status for a case, sent to CareLine's real inbound endpoint with a real
     * signature and a fresh event id. The custom header keeps other sites' forms from pressing it.
     */
    private void sendStatus(RoutingContext ctx) {
        if (!"1".equals(ctx.request().getHeader("X-Sandbox"))) {
            Failures.error(ctx, 403, "send X-Sandbox: 1");
            return;
        }
        JsonObject in;
        try {
            in = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            in = null;
        }
        if (in == null) {
            Failures.error(ctx, 400, "expected {status, message}");
            return;
        }
        JsonObject out = new JsonObject().put("status", in.getValue("status")).put("message", in.getValue("message"));
        send(ctx.pathParam("caseId"), out).onComplete(ar -> {
            if (ar.failed()) {
                Failures.error(ctx, 502, "CareLine did not answer: " + ar.cause().getMessage());
                return;
            }
            ctx.json(ar.result());
        });
    }

    /** Signs and POSTs one status update, as a back office would; completes with CareLine's answer. */
    public Future<JsonObject> send(String caseId, JsonObject update) {
        byte[] body = update.encode().getBytes(StandardCharsets.UTF_8);
        long ts = clock.instant().getEpochSecond();
        String eventId = "ref-" + UUID.randomUUID();
        return client.post(internalPort.getAsInt(), "127.0.0.1",
                        "/api/backoffice/cases/" + java.net.URLEncoder.encode(caseId, StandardCharsets.UTF_8) + "/status")
                .putHeader("Content-Type", "application/json")
                .putHeader(BackOfficeSignature.EVENT_ID, eventId)
                .putHeader(BackOfficeSignature.TIMESTAMP, Long.toString(ts))
                .putHeader(BackOfficeSignature.SIGNATURE, new BackOfficeSignature(secret.get()).sign(ts, body))
                .timeout(15_000)
                .sendBuffer(Buffer.buffer(body))
                .map(r -> {
                    JsonObject answer;
                    try {
                        answer = r.bodyAsJsonObject();
                    } catch (RuntimeException e) {
                        answer = new JsonObject().put("body", r.bodyAsString());
                    }
                    return new JsonObject().put("httpStatus", r.statusCode()).put("eventId", eventId)
                            .put("answer", answer);
                });
    }
}
