package org.careline.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.careline.privacy.Redaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The one failure handler of each HTTP server: known failures to status codes, a JSON body, no stack trace. */
public final class Failures {

    private static final Logger log = LoggerFactory.getLogger(Failures.class);
    /** Path segments after which an admin or console path names a person by openid. */
    private static final Set<String> PERSON_COLLECTIONS = Set.of("conversations", "people");

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
            case 408 -> "request timeout";
            case 409 -> "conflict";
            case 413 -> "request body too large";
            case 503 -> "service unavailable";
            default -> "internal error";
        };
        if (status >= 500) {
            // Logs carry a person as a hashed handle only (PIPL; STYLE): the path and the failure may hold an openid.
            List<Mention> openids = openids(ctx);
            log.error("{} {} failed: {}", ctx.request().method(), hashed(ctx.normalizedPath(), openids),
                    failure == null ? status : hashed(failure.toString(), openids));
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

    /** An openid as it appears in the request ({@code raw}, maybe URL-encoded) and as a person has it. */
    record Mention(String raw, String openid) {
    }

    /** The openids a request names: an {@code openid} path or query parameter, or the segment after /conversations/ or /people/. */
    static List<Mention> openids(RoutingContext ctx) {
        List<Mention> found = new ArrayList<>();
        for (Map.Entry<String, String> p : ctx.pathParams().entrySet()) {
            if (p.getKey().toLowerCase(Locale.ROOT).contains("openid")) {
                found.add(new Mention(p.getValue(), p.getValue()));
            }
        }
        String query = ctx.request().getParam("openid");
        if (query != null) {
            found.add(new Mention(query, query));
        }
        String[] segments = ctx.normalizedPath().split("/");
        for (int i = 0; i + 1 < segments.length; i++) {
            if (PERSON_COLLECTIONS.contains(segments[i])) {
                String openid = URLDecoder.decode(segments[i + 1], StandardCharsets.UTF_8);
                found.add(new Mention(segments[i + 1], openid));
                found.add(new Mention(openid, openid));
            }
        }
        // Longest first, so that an openid containing another is replaced whole.
        found.removeIf(m -> m.raw().isEmpty());
        found.sort((a, b) -> b.raw().length() - a.raw().length());
        return found;
    }

    /** {@code text} with every mention replaced by the person's hashed handle ({@link Redaction#openid}). */
    static String hashed(String text, List<Mention> mentions) {
        String out = text;
        for (Mention m : mentions) {
            out = out.replace(m.raw(), Redaction.openid(m.openid()));
        }
        return out;
    }
}
