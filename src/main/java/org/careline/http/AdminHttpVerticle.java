package org.careline.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.RedisAPI;
import org.careline.config.AppConfig;

import java.util.List;
import java.util.function.Supplier;

/**
 * The internal port: readiness, metrics, and the routes others mount here (admin API, in sandbox mode the
 * simulator). Not for the internet.
 */
public final class AdminHttpVerticle extends VerticleBase {

    private final Parts parts;
    private final List<RouterContribution> contributions;
    private HttpServer server;

    /** Something else that mounts routes here (the admin API, the sandbox simulator, later the console). */
    public interface RouterContribution {
        void mount(Router router);
    }

    /**
     * What the internal port uses itself: its address and limits, Redis (readiness pings it), the flows
     * version and the sandbox flag (shown by readiness), and the Prometheus scrape.
     */
    public record Parts(AppConfig.Admin admin, boolean sandbox, RedisAPI redis, Supplier<String> flowsVersion,
                        Supplier<String> metrics) {}

    public AdminHttpVerticle(Parts parts, List<RouterContribution> contributions) {
        this.parts = parts;
        this.contributions = contributions;
    }

    @Override
    public Future<?> start() {
        ConnectionGuard guard = new ConnectionGuard(vertx, "internal", parts.admin().limits());
        Router router = Router.router(vertx);
        router.route().handler(guard::onRequest);
        router.route().handler(BodyHandler.create(false).setBodyLimit(1024 * 1024));
        router.get("/health/ready").handler(this::ready);
        // Prometheus text format: messages by answer, step latency, cases, escalations, JVM.
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(parts.metrics().get()));
        contributions.forEach(c -> c.mount(router));
        router.route().failureHandler(Failures::handle);

        return vertx.createHttpServer(guard.options())
                .connectionHandler(guard::onConnection)
                .requestHandler(router)
                .listen(parts.admin().port(), parts.admin().host())
                .onSuccess(s -> server = s)
                .recover(e -> Future.failedFuture(new IllegalStateException("internal port (CARELINE_ADMIN_PORT) "
                        + parts.admin().host() + ":" + parts.admin().port() + ": " + e.getMessage())));
    }

    /** Ready means Redis answers: without it no conversation can be loaded or saved. */
    private void ready(RoutingContext ctx) {
        parts.redis().ping(List.of())
                .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
                .onComplete(ar -> {
                    JsonObject body = new JsonObject()
                            .put("status", ar.succeeded() ? "UP" : "DOWN")
                            .put("redis", ar.succeeded() ? "UP" : "DOWN")
                            .put("flows", parts.flowsVersion().get())
                            .put("sandbox", parts.sandbox());
                    ctx.response().setStatusCode(ar.succeeded() ? 200 : 503)
                            .putHeader("Content-Type", "application/json").end(body.encode());
                });
    }

    public int port() {
        return server.actualPort();
    }
}
