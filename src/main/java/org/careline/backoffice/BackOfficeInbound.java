package org.careline.backoffice;

import org.careline.cases.CaseStatus;
import org.careline.cases.BackOfficeSignature;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.careline.directors.RosterReader;
import org.careline.directors.RosterStore;
import org.careline.http.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What the back office sends CareLine (DESIGN §3, §6 inbound), on the internal port, each request signed as
 * the outbound events are ({@link BackOfficeSignature}) and carrying an event id: a request seen before is
 * answered as it was the first time and not applied again.
 *
 * <pre>
 * POST /api/backoffice/cases/{caseId}/status   {"status": "...", "message": "..."}
 * PUT  /api/backoffice/roster                  JSON (DESIGN §3) or text/csv
 * GET  /api/backoffice/openapi.yaml            this contract, both directions (not signed)
 * </pre>
 */
public final class BackOfficeInbound {

    private static final Logger log = LoggerFactory.getLogger(BackOfficeInbound.class);
    public static final String STATUS_PATH = "/api/backoffice/cases/:caseId/status";
    public static final String ROSTER_PATH = "/api/backoffice/roster";
    public static final String OPENAPI_PATH = "/api/backoffice/openapi.yaml";
    /** On the answer to an event id seen before: this is the stored first answer, nothing was applied now. */
    public static final String REPLAYED = "X-CareLine-Replayed";
    private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Supplier<String> secret;
    private final InboundEventLedger ledger;
    private final CaseStatusUpdates statuses;
    private final RosterStore roster;
    private final Clock clock;

    /** @param secret the back-office secret in force (sandbox mode has its own); empty = inbound refused */
    public BackOfficeInbound(Supplier<String> secret, io.vertx.redis.client.RedisAPI redis, CaseStatusUpdates statuses,
                             RosterStore roster, Clock clock) {
        this.secret = secret;
        this.ledger = new InboundEventLedger(redis);
        this.statuses = statuses;
        this.roster = roster;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.post(STATUS_PATH).handler(signed(this::status));
        router.put(ROSTER_PATH).handler(signed(this::roster));
        router.get(OPENAPI_PATH).handler(this::openapi);
    }

    private Handler signed(Function<RoutingContext, Future<InboundEventLedger.Answer>> apply) {
        return new Handler(apply);
    }

    /** Checks the three headers, then answers from the ledger or applies once. */
    private final class Handler implements io.vertx.core.Handler<RoutingContext> {
        private final Function<RoutingContext, Future<InboundEventLedger.Answer>> apply;

        Handler(Function<RoutingContext, Future<InboundEventLedger.Answer>> apply) {
            this.apply = apply;
        }

        @Override
        public void handle(RoutingContext ctx) {
            String key = secret.get();
            if (key == null || key.isEmpty()) {
                Failures.error(ctx, 503, "back-office API disabled: set CARELINE_BACKOFFICE_SECRET");
                return;
            }
            byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            String timestamp = ctx.request().getHeader(BackOfficeSignature.TIMESTAMP);
            String signature = ctx.request().getHeader(BackOfficeSignature.SIGNATURE);
            String eventId = ctx.request().getHeader(BackOfficeSignature.EVENT_ID);
            Instant now = clock.instant();
            if (timestamp == null || signature == null) {
                Failures.error(ctx, 401, "missing " + BackOfficeSignature.TIMESTAMP + " or " + BackOfficeSignature.SIGNATURE);
                return;
            }
            long ts;
            try {
                ts = Long.parseLong(timestamp.trim());
            } catch (NumberFormatException e) {
                Failures.error(ctx, 401, BackOfficeSignature.TIMESTAMP + " must be Unix seconds");
                return;
            }
            if (Math.abs(now.getEpochSecond() - ts) > BackOfficeSignature.MAX_SKEW.toSeconds()) {
                Failures.error(ctx, 401, "timestamp too far from our clock (more than 5 minutes): sign the request again");
                return;
            }
            if (!new BackOfficeSignature(key).verify(timestamp, signature, body, now)) {
                log.warn("back-office request to {} with a bad signature refused", ctx.normalizedPath());
                Failures.error(ctx, 401, "bad signature");
                return;
            }
            if (eventId == null || !EVENT_ID.matcher(eventId).matches()) {
                Failures.error(ctx, 400, BackOfficeSignature.EVENT_ID + " is required: 1-128 letters, digits, . _ : -");
                return;
            }
            String bodyHash = ctx.request().method() + " " + ctx.normalizedPath() + " " + sha256(body);
            boolean[] replayed = {false};
            ledger.claim(eventId, bodyHash).compose(claimed -> switch (claimed.claim()) {
                case DONE -> {
                    // The first answer, byte for byte; a header says it is a replay.
                    replayed[0] = true;
                    yield Future.succeededFuture(claimed.answer());
                }
                case BUSY -> Future.succeededFuture(new InboundEventLedger.Answer(409,
                        new JsonObject().put("error", "this event is being applied; retry shortly")));
                case CONFLICT -> Future.succeededFuture(new InboundEventLedger.Answer(409,
                        new JsonObject().put("error", "this event id came before with another request")));
                case MINE -> ledger.firstUseOfSignature(signature, eventId).compose(first -> {
                    if (!first) {
                        // A captured request sent again under a fresh id; or two events with the same body in the
                        // same second: 409 tells an honest sender to sign again (with a new timestamp) and retry.
                        return ledger.release(eventId).map(v -> new InboundEventLedger.Answer(409,
                                new JsonObject().put("error", "this signature was already used by another event: "
                                        + "sign the request again with a new timestamp")));
                    }
                    return applyOnce(ctx, eventId, bodyHash);
                });
            }).onComplete(ar -> {
                if (ar.failed()) {
                    ctx.fail(503, ar.cause());
                    return;
                }
                if (replayed[0]) {
                    ctx.response().putHeader(REPLAYED, "true");
                }
                ctx.response().setStatusCode(ar.result().status())
                        .putHeader("Content-Type", "application/json; charset=utf-8")
                        .end(ar.result().body().encode());
            });
        }

        private Future<InboundEventLedger.Answer> applyOnce(RoutingContext ctx, String eventId, String bodyHash) {
            Future<InboundEventLedger.Answer> applied;
            try {
                applied = apply.apply(ctx);
            } catch (RuntimeException e) {
                applied = Future.failedFuture(e);
            }
            return applied.compose(
                    answer -> ledger.remember(eventId, bodyHash, answer).map(answer),
                    failure -> ledger.release(eventId).transform(v -> Future.failedFuture(failure)));
        }
    }

    private Future<InboundEventLedger.Answer> status(RoutingContext ctx) {
        String caseId = ctx.pathParam("caseId");
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null) {
            return bad("expected a JSON object {\"status\": …, \"message\": …}");
        }
        Object given = body.getValue("status");
        CaseStatus status = given instanceof String s ? CaseStatusUpdates.parseStatus(s) : null;
        if (status == null) {
            return Future.succeededFuture(new InboundEventLedger.Answer(400, new JsonObject()
                    .put("error", given == null ? "status is required" : "unknown status '" + given + "'")
                    .put("field", "status")
                    .put("allowed", new JsonArray(CaseStatusUpdates.STATUSES))));
        }
        Object message = body.getValue("message");
        if (message != null && !(message instanceof String)) {
            return bad("message must be text");
        }
        if (message != null && ((String) message).length() > CaseStatusUpdates.MESSAGE_MAX) {
            return bad("message is longer than " + CaseStatusUpdates.MESSAGE_MAX + " characters");
        }
        return statuses.apply(caseId, status, (String) message, ctx.request().getHeader(BackOfficeSignature.EVENT_ID))
                .map(outcome -> outcome.found()
                        ? new InboundEventLedger.Answer(200, new JsonObject().put("caseId", caseId)
                        .put("status", status.name().toLowerCase()).put("updatedAt", outcome.updated().updatedAt().toString())
                        .put("notice", outcome.notice().json()))
                        : new InboundEventLedger.Answer(404, new JsonObject().put("error", "no such case: " + caseId)));
    }

    private static Future<InboundEventLedger.Answer> bad(String message) {
        return Future.succeededFuture(new InboundEventLedger.Answer(400, new JsonObject().put("error", message)));
    }

    private Future<InboundEventLedger.Answer> roster(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        Buffer raw = ctx.body().buffer();
        byte[] body = raw == null ? new byte[0] : raw.getBytes();
        RosterReader.Result read;
        if (type != null && type.toLowerCase().startsWith("text/csv")) {
            read = RosterReader.fromCsv(new String(body, StandardCharsets.UTF_8));
        } else if (type == null || type.toLowerCase().startsWith("application/json")) {
            read = RosterReader.fromJson(body);
        } else {
            return Future.succeededFuture(new InboundEventLedger.Answer(415,
                    new JsonObject().put("error", "send application/json or text/csv")));
        }
        if (!read.ok()) {
            JsonArray errors = new JsonArray();
            for (RosterReader.RowError e : read.errors()) {
                JsonObject one = new JsonObject();
                if (e.row() != null) {
                    one.put("row", e.row());
                }
                if (e.path() != null) {
                    one.put("path", e.path());
                }
                one.put("field", e.field()).put("message", e.message());
                errors.add(one);
            }
            log.info("roster refused: {} error(s)", errors.size());
            return Future.succeededFuture(new InboundEventLedger.Answer(422,
                    new JsonObject().put("error", "the roster was not imported: fix every row listed and send it again")
                            .put("errors", errors)));
        }
        return roster.replace(read.roster(), clock.instant()).map(imported -> {
            log.info("roster {} {}: {}", imported.version(), imported.unchanged() ? "unchanged" : "imported", imported.counts());
            return new InboundEventLedger.Answer(200, imported.json());
        });
    }

    /**
     * The OpenAPI document of both directions (src/main/resources/openapi/backoffice.yaml), read from the jar
     * once: never a resource read on the event loop per request.
     */
    private static final byte[] OPENAPI = openapiDocument();

    private static byte[] openapiDocument() {
        try (InputStream in = BackOfficeInbound.class.getResourceAsStream("/openapi/backoffice.yaml")) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("the OpenAPI document in the jar cannot be read", e);
        }
    }

    private void openapi(RoutingContext ctx) {
        if (OPENAPI == null) {
            Failures.error(ctx, 404, "not found");
            return;
        }
        ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8").end(Buffer.buffer(OPENAPI));
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
