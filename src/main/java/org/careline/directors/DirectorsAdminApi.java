package org.careline.directors;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.careline.conversation.ConversationService;
import org.careline.http.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The directors' part of {@code /api/admin/*} (mounted after the admin API, behind its bearer token):
 * binding codes, unbinding, and running the reminder sweep by hand (after an outage; tests).
 */
public final class DirectorsAdminApi {

    private static final Logger log = LoggerFactory.getLogger(DirectorsAdminApi.class);

    private final BindingCodes codes;
    private final ReminderSweep sweep;
    private final ConversationService conversations;
    private final Clock clock;

    public DirectorsAdminApi(BindingCodes codes, ReminderSweep sweep, ConversationService conversations, Clock clock) {
        this.codes = codes;
        this.sweep = sweep;
        this.conversations = conversations;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.post("/api/admin/people/:rosterId/binding-code").handler(this::bindingCode);
        router.delete("/api/admin/people/:rosterId/binding").handler(this::unbind);
        router.post("/api/admin/reminders/run").handler(this::runReminders);
    }

    /** {@code {code, expiresAt}}: give it to the person, who sends 绑定 <code>. Never logged. */
    private void bindingCode(RoutingContext ctx) {
        String rosterId = ctx.pathParam("rosterId");
        codes.issue(rosterId, clock.instant()).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (ar.result() == null) {
                Failures.error(ctx, 404, "no director or supervisor with this id in the roster in force");
                return;
            }
            log.info("binding code issued for roster person {}", rosterId);
            json(ctx, new JsonObject().put("code", ar.result().code()).put("expiresAt", ar.result().expiresAt().toString()));
        });
    }

    private void unbind(RoutingContext ctx) {
        String rosterId = ctx.pathParam("rosterId");
        codes.unbind(rosterId).compose(openid -> openid == null ? io.vertx.core.Future.succeededFuture(false)
                : conversations.unbind(openid).map(v -> true)).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (!ar.result()) {
                Failures.error(ctx, 404, "this roster person is not bound");
                return;
            }
            log.info("roster person {} unbound through the admin API", rosterId);
            json(ctx, new JsonObject().put("unbound", true));
        });
    }

    /** {@code ?asOf=<ISO instant>} (default now) → {@code {sent, overdue}}; 409 while another sweep runs. */
    private void runReminders(RoutingContext ctx) {
        Instant asOf;
        try {
            String given = ctx.request().getParam("asOf");
            asOf = given == null || given.isBlank() ? clock.instant() : Instant.parse(given);
        } catch (DateTimeParseException e) {
            Failures.error(ctx, 400, "asOf: expected an ISO instant such as 2026-03-02T00:00:00Z");
            return;
        }
        sweep.run(asOf).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (ar.result().busy()) {
                Failures.error(ctx, 409, "another instance is sweeping now; try again in a minute");
                return;
            }
            json(ctx, ar.result().json());
        });
    }

    private static void json(RoutingContext ctx, JsonObject body) {
        ctx.response().putHeader("Content-Type", "application/json; charset=utf-8").end(body.encode());
    }
}
