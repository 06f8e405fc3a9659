package org.careline.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.careline.Services;
import org.careline.console.AdminApi;

import java.util.List;

/** The internal port: admin API, readiness, and (in sandbox mode) the simulator. Not for the internet. */
public final class AdminHttpVerticle extends VerticleBase {

    private final Services services;
    private final List<RouterContribution> contributions;
    private HttpServer server;

    /** Something else that mounts routes here (the sandbox simulator, later the console). */
    public interface RouterContribution {
        void mount(Router router);
    }

    public AdminHttpVerticle(Services services, List<RouterContribution> contributions) {
        this.services = services;
        this.contributions = contributions;
    }

    @Override
    public Future<?> start() {
        ConnectionGuard guard = new ConnectionGuard(vertx, "internal", services.config.admin().limits());
        Router router = Router.router(vertx);
        router.route().handler(guard::onRequest);
        router.route().handler(BodyHandler.create(false).setBodyLimit(1024 * 1024));
        router.get("/health/ready").handler(this::ready);
        // Prometheus text format: messages by answer, step latency, cases, escalations, JVM.
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(services.meters.scrape()));
        new AdminApi(services.store, services.conversations, services.menu, services.config.admin().token()).mount(router);
        // Behind AdminApi's token check (/api/admin/*): what could not be told to families.
        services.undeliveredNotices.mountAdmin(router);
        // Signed by the back office (HMAC), not by the admin token.
        services.backOfficeInbound.mount(router);
        if (services.mediaLinks != null) {
            new org.careline.media.MediaRoutes(services.media, services.mediaLinks, java.time.Clock.systemUTC()).mount(router);
        }
        contributions.forEach(c -> c.mount(router));
        router.route().failureHandler(Failures::handle);

        return vertx.createHttpServer(guard.options())
                .connectionHandler(guard::onConnection)
                .requestHandler(router)
                .listen(services.config.admin().port(), services.config.admin().host())
                .onSuccess(s -> server = s)
                .recover(e -> Future.failedFuture(new IllegalStateException("internal port (CARELINE_ADMIN_PORT) "
                        + services.config.admin().host() + ":" + services.config.admin().port() + ": " + e.getMessage())));
    }

    /** Ready means Redis answers: without it no conversation can be loaded or saved. */
    private void ready(RoutingContext ctx) {
        services.redis.ping(List.of())
                .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
                .onComplete(ar -> {
                    JsonObject body = new JsonObject()
                            .put("status", ar.succeeded() ? "UP" : "DOWN")
                            .put("redis", ar.succeeded() ? "UP" : "DOWN")
                            .put("flows", services.flows.flows().version())
                            .put("sandbox", services.config.wechat().sandbox());
                    ctx.response().setStatusCode(ar.succeeded() ? 200 : 503)
                            .putHeader("Content-Type", "application/json").end(body.encode());
                });
    }

    public int port() {
        return server.actualPort();
    }
}
