package org.careline.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one failure handler of each HTTP server: known failures to status codes, a JSON body, no stack trace. */
public final class Failures {

    private static final Logger log = LoggerFactory.getLogger(Failures.class);

    private Failures() {
    }

    public static void handle(RoutingContext ctx) {
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        Throwable failure = ctx.failure();
        String message = switch (status) {
            case 400 -> "bad request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 409 -> "conflict";
            case 413 -> "request body too large";
            case 503 -> "service unavailable";
            default -> "internal error";
        };
        if (status >= 500) {
            log.error("{} {} failed: {}", ctx.request().method(), ctx.normalizedPath(),
                    failure == null ? status : failure.toString());
        }
        if (ctx.response().ended()) {
            return;
        }
        error(ctx, status, message);
    }

    public static void error(RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(new JsonObject().put("error", message).encode());
    }
}
