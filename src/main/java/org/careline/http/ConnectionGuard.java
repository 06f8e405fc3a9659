package org.careline.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.careline.config.AppConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one HTTP port allows a connection, so that no client can hold the port's connections forever:
 * <ul>
 *   <li>at most {@code maxConnections} open at once; one more is closed as soon as it opens;</li>
 *   <li>a connection without a complete request for {@code idleTimeout} is closed. Counted from its opening
 *       or its previous answer, so a client that keeps trickling header bytes (slowloris), which a plain
 *       idle timeout would never catch, is closed too;</li>
 *   <li>a request must arrive in full and be answered within {@code requestTimeout}: else 408 (its body is
 *       still coming) or 503 (the answer is late), and the connection is closed;</li>
 *   <li>HTTP/1.x only: no h2c, whose multiplexed streams would slip past these per-connection limits.</li>
 * </ul>
 * One guard per port, shared by every instance of its server (one per core, each on its own event loop):
 * the cap counts the port's connections, not one instance's. A connection's timers run on the event loop
 * that accepted it.
 */
final class ConnectionGuard {

    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
    /** Under a connection flood, one warning per this interval is enough. */
    private static final long WARN_EVERY_NS = TimeUnit.SECONDS.toNanos(10);

    private final Vertx vertx;
    private final String port;
    private final AppConfig.Limits limits;
    private final Map<HttpConnection, Watch> open = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    /** System.nanoTime of the last warning; the first refusal always warns. */
    private final AtomicLong lastRefusalWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NS - 1);

    /** {@code port}: how the log names the port ("public", "internal"). */
    ConnectionGuard(Vertx vertx, String port, AppConfig.Limits limits) {
        this.vertx = vertx;
        this.port = port;
        this.limits = limits;
    }

    /** Server options carrying the limits Vert.x enforces itself. */
    HttpServerOptions options() {
        // The native idle timeout (no byte either way) is only a backstop behind the watch below; it must
        // fire after both of the watch's timers, so that a late request still gets its 408/503.
        long idle = limits.idleTimeout().toMillis() + limits.requestTimeout().toMillis();
        return new HttpServerOptions()
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idle))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    }

    /** The server's connection handler. */
    void onConnection(HttpConnection connection) {
        // Counted before the check, so that connections accepted at once on two event loops cannot both
        // take the last place.
        if (count.incrementAndGet() > limits.maxConnections()) {
            count.decrementAndGet();
            long now = System.nanoTime();
            long last = lastRefusalWarning.get();
            if (now - last > WARN_EVERY_NS && lastRefusalWarning.compareAndSet(last, now)) {
                log.warn("{} port: {} connections open, the most allowed; closing new ones", port, limits.maxConnections());
            }
            connection.close();
            return;
        }
        Watch watch = new Watch(connection);
        open.put(connection, watch);
        connection.closeHandler(v -> {
            watch.cancel();
            if (open.remove(connection) != null) {
                count.decrementAndGet();
            }
        });
        watch.awaitRequest();
    }

    /** The router's first handler: from here on the request runs against its request timeout. */
    void onRequest(RoutingContext ctx) {
        Watch watch = open.get(ctx.request().connection());
        if (watch != null) {
            watch.answerBy(ctx);
            ctx.addEndHandler(done -> {
                if (open.containsKey(watch.connection)) {
                    watch.awaitRequest();
                }
            });
        }
        ctx.next();
    }

    /** The one timer of a connection: waiting for a request, or for the answer to the current one. */
    private final class Watch {
        final HttpConnection connection;
        long timer = -1;

        Watch(HttpConnection connection) {
            this.connection = connection;
        }

        void awaitRequest() {
            cancel();
            timer = vertx.setTimer(limits.idleTimeout().toMillis(), t -> {
                timer = -1;
                log.debug("{} port: no request for {}, connection closed", port, limits.idleTimeout());
                connection.close();
            });
        }

        void answerBy(RoutingContext ctx) {
            cancel();
            timer = vertx.setTimer(limits.requestTimeout().toMillis(), t -> {
                timer = -1;
                expire(ctx);
            });
        }

        void cancel() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }

        private void expire(RoutingContext ctx) {
            HttpServerResponse response = ctx.response();
            boolean bodyComplete = ctx.request().isEnded();
            // No path in the line: it may hold an openid.
            log.warn("{} port: a {} request was not {} within {}; connection closed", port, ctx.request().method(),
                    bodyComplete ? "answered" : "received in full", limits.requestTimeout());
            if (response.ended() || response.closed() || response.headWritten()) {
                connection.close();
                return;
            }
            response.setStatusCode(bodyComplete ? 503 : 408)
                    .putHeader("Connection", "close")
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(new JsonObject().put("error", bodyComplete ? "service unavailable" : "request timeout").encode())
                    .onComplete(v -> connection.close());
        }
    }
}
