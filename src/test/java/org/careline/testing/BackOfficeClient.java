package org.careline.testing;

import org.careline.cases.BackOfficeSignature;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Plays the bureau's back office: signs requests to CareLine's inbound endpoints as the contract says. */
public final class BackOfficeClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String secret;

    public BackOfficeClient(String baseUrl, String secret) {
        this.baseUrl = baseUrl;
        this.secret = secret;
    }

    public record Answer(int status, String body) {}

    public static String newEventId() {
        return "evt-" + UUID.randomUUID();
    }

    public Answer send(String method, String path, String contentType, String body) {
        return send(method, path, contentType, body, newEventId(), Instant.now().getEpochSecond());
    }

    /** Signed with this client's secret at {@code timestamp}. */
    public Answer send(String method, String path, String contentType, String body, String eventId, long timestamp) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String signature = new BackOfficeSignature(secret).sign(timestamp, bytes);
        return raw(method, path, contentType, bytes, eventId, Long.toString(timestamp), signature);
    }

    /** Exactly these headers (null leaves one out). */
    public Answer raw(String method, String path, String contentType, byte[] body, String eventId, String timestamp,
                      String signature) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType);
        if (eventId != null) {
            b.header(BackOfficeSignature.EVENT_ID, eventId);
        }
        if (timestamp != null) {
            b.header(BackOfficeSignature.TIMESTAMP, timestamp);
        }
        if (signature != null) {
            b.header(BackOfficeSignature.SIGNATURE, signature);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Answer get(String path, String header, String value) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20)).GET();
        if (header != null) {
            b.header(header, value);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
