package org.careline.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.careline.config.AppConfig;
import org.careline.wechat.CallbackHandler;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The public port: only what WeChat must reach ({@code /wechat}) and a liveness probe, behind the
 * connection limits of {@link ConnectionGuard} (timeouts, a cap, HTTP/1.x only). Deployed once per core
 * ({@link #deploy}): Vert.x hands each instance's server the same port and spreads connections over their
 * event loops.
 */
public final class PublicHttpVerticle extends VerticleBase {

    private final Parts parts;
    private final ConnectionGuard guard;
    private HttpServer server;

    /**
     * What the public port uses: its address and limits, the sandbox flag (loopback by default there), the
     * callback body cap and the WeChat callback itself.
     */
    public record Parts(AppConfig.Http http, boolean sandbox, int maxBodyBytes, CallbackHandler callback) {}

    private PublicHttpVerticle(Parts parts, ConnectionGuard guard) {
        this.parts = parts;
        this.guard = guard;
    }

    /**
     * Deploys one instance per core, all sharing one connection cap; completes with one of them (they all
     * listen on the same port).
     */
    public static Future<PublicHttpVerticle> deploy(Vertx vertx, Parts parts) {
        ConnectionGuard guard = new ConnectionGuard(vertx, "public", parts.http().limits());
        List<PublicHttpVerticle> instances = new CopyOnWriteArrayList<>();
        return vertx.deployVerticle(() -> {
                    PublicHttpVerticle v = new PublicHttpVerticle(parts, guard);
                    instances.add(v);
                    return v;
                }, new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
                .map(id -> instances.get(0));
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(guard::onRequest);
        // Bodies over the limit get 413 before any parsing (DESIGN §2: reject bodies over 64 KiB).
        router.post("/wechat").handler(BodyHandler.create(false).setBodyLimit(parts.maxBodyBytes())
                // One buffer of the announced length rather than one grown (and copied) as the body arrives.
                .setPreallocateBodyBuffer(true));
        router.get("/wechat").handler(parts.callback().verifyUrl());
        router.post("/wechat").handler(parts.callback().receive());
        router.get("/health").handler(this::health);
        router.route().failureHandler(Failures::handle);

        return vertx.createHttpServer(guard.options())
                .connectionHandler(guard::onConnection)
                .requestHandler(router)
                .listen(parts.http().port(), host())
                .onSuccess(s -> server = s)
                .recover(e -> Future.failedFuture(new IllegalStateException("public port (CARELINE_HTTP_PORT) "
                        + host() + ":" + parts.http().port() + ": " + e.getMessage())));
    }

    /**
     * In the sandbox the token is a well-known default, so the callback stays on loopback unless an
     * address other than the default was configured.
     */
    private String host() {
        String host = parts.http().host();
        return parts.sandbox() && "0.0.0.0".equals(host) ? "127.0.0.1" : host;
    }

    private void health(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", "UP").encode());
    }

    public int port() {
        return server.actualPort();
    }
}
