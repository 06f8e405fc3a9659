package org.careline.cases;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A back office in the test: an HTTP server on a random port that verifies each request's signature and
 * schema (401 / 422 if wrong, and counts it), stores events by id (a second copy of an id is acknowledged and
 * not stored again, as a receiver honouring the idempotency key does), and answers what the test tells it to.
 */
public final class FakeBackOffice implements AutoCloseable {

    /** What to answer an event: a status, or null to never answer (the request hangs). */
    public interface Behaviour extends Function<JsonObject, Integer> {}

    public static final Behaviour ACCEPT = e -> 200;

    private final Vertx vertx;
    private final BackOfficeSignature signature;
    private final EventSchemaValidator schemas = new EventSchemaValidator();
    private final boolean checkSchemas;
    private volatile Behaviour behaviour = ACCEPT;
    private HttpServer server;

    /** Events stored, by id, in arrival order of their first copy. */
    public final Map<String, JsonObject> stored = new ConcurrentHashMap<>();
    /** Every id as it arrived, copies included. */
    public final List<String> arrivals = new CopyOnWriteArrayList<>();
    /** Requests refused because their signature or schema was wrong. */
    public final List<String> refusedAsInvalid = new CopyOnWriteArrayList<>();
    /** Requests left hanging (Behaviour answered null). */
    public final List<HttpServerRequest> hanging = new CopyOnWriteArrayList<>();
    public final AtomicInteger requests = new AtomicInteger();

    public FakeBackOffice(Vertx vertx, String secret, boolean checkSchemas) {
        this.vertx = vertx;
        this.signature = new BackOfficeSignature(secret);
        this.checkSchemas = checkSchemas;
    }

    public Future<FakeBackOffice> listen(int port) {
        return vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1").map(s -> {
            server = s;
            return this;
        });
    }

    public int port() {
        return server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port() + "/events";
    }

    public void behave(Behaviour b) {
        behaviour = b;
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            requests.incrementAndGet();
            byte[] bytes = body.getBytes();
            String id = req.getHeader(BackOfficeSignature.EVENT_ID);
            if (!signature.verify(req.getHeader(BackOfficeSignature.TIMESTAMP), req.getHeader(BackOfficeSignature.SIGNATURE),
                    bytes, Instant.now())) {
                refusedAsInvalid.add("bad signature: " + id);
                req.response().setStatusCode(401).end();
                return;
            }
            JsonObject event = new JsonObject(body);
            if (!event.getString("id").equals(id)) {
                refusedAsInvalid.add("header id " + id + " is not the body's " + event.getString("id"));
                req.response().setStatusCode(400).end();
                return;
            }
            if (checkSchemas) {
                List<String> problems = schemas.problems(body.toString());
                if (!problems.isEmpty()) {
                    refusedAsInvalid.add(String.join("; ", problems));
                    req.response().setStatusCode(422).end();
                    return;
                }
            }
            Integer status = behaviour.apply(event);
            if (status == null) {
                hanging.add(req);
                return;
            }
            if (status >= 200 && status < 300) {
                arrivals.add(id);
                stored.putIfAbsent(id, event);
            }
            req.response().setStatusCode(status).end();
        });
    }

    /** Times an id arrived and was acknowledged. */
    public long copies(String id) {
        return arrivals.stream().filter(id::equals).count();
    }

    @Override
    public void close() {
        // A hanging request would hold a graceful close of both ends until its client gives up.
        hanging.forEach(r -> r.connection().close());
        if (server != null) {
            server.close();
        }
    }
}
