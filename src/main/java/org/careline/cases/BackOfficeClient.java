package org.careline.cases;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * POSTs one outbox event to the back office (DESIGN §3): the envelope {@code {id, type, occurredAt,
 * schemaVersion, data}} signed with {@link BackOfficeSignature}, and says what the answer means.
 */
public final class BackOfficeClient {

    /** Outcome of one POST: the verdict, the HTTP status (0 when none came) and a short reason for the log. */
    public record Outcome(DeliveryPolicy.Verdict verdict, int status, String reason) {}

    private final WebClient client;
    private final String url;
    private final BackOfficeSignature signature;
    private final long timeoutMillis;
    private final LongSupplier epochSeconds;

    public BackOfficeClient(Vertx vertx, String url, String secret, Duration timeout, int connections,
                            LongSupplier epochSeconds) {
        this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .setUserAgent("CareLine-outbox"), new PoolOptions().setHttp1MaxSize(connections));
        this.url = url;
        this.signature = new BackOfficeSignature(secret);
        this.timeoutMillis = timeout.toMillis();
        this.epochSeconds = epochSeconds;
    }

    /** The body the back office receives for a stored outbox entry (fields {@code id, type, time, v, event}). */
    public static Buffer envelope(Map<String, String> fields) {
        JsonObject stored = new JsonObject(fields.get("event"));
        JsonObject body = new JsonObject()
                .put("id", stored.getString("id"))
                .put("type", stored.getString("type"))
                .put("occurredAt", stored.getString("time"))
                .put("schemaVersion", Integer.parseInt(fields.getOrDefault("v", "1")))
                .put("data", stored.getJsonObject("data", new JsonObject()));
        return body.toBuffer();
    }

    /** One try. A network failure or timeout completes as a {@code RETRY} outcome, never as a failed future. */
    public Future<Outcome> post(OutboxStore.Entry entry) {
        Buffer body;
        try {
            body = envelope(entry.fields());
        } catch (RuntimeException e) {
            // A stored event that no longer parses will not parse tomorrow either.
            return Future.succeededFuture(new Outcome(DeliveryPolicy.Verdict.PERMANENT, 0, "unreadable event: " + e));
        }
        long ts = epochSeconds.getAsLong();
        return client.postAbs(url)
                .timeout(timeoutMillis)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader(BackOfficeSignature.EVENT_ID, entry.eventId())
                .putHeader(BackOfficeSignature.TIMESTAMP, Long.toString(ts))
                .putHeader(BackOfficeSignature.SIGNATURE, signature.sign(ts, body.getBytes()))
                .sendBuffer(body)
                .map(r -> new Outcome(DeliveryPolicy.verdict(r.statusCode()), r.statusCode(), "HTTP " + r.statusCode()))
                .otherwise(e -> new Outcome(DeliveryPolicy.Verdict.RETRY, 0, e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage())));
    }

    public void close() {
        client.close();
    }
}
