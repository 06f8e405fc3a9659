package org.careline.console;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A member of staff's browser, as far as the console API sees it: a cookie jar and the CSRF token. */
final class StaffClient {

    record Answer(int status, String body, HttpResponse<String> raw) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final String baseUrl;
    private final HttpClient http;
    String csrfToken;

    StaffClient(String baseUrl) {
        this.baseUrl = baseUrl;
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    Answer signIn(String username, String password) {
        Answer a = send("POST", "/console/api/session", new JsonObject().put("username", username)
                .put("password", password).encode(), false);
        if (a.status() == 200) {
            csrfToken = a.json().getString("csrfToken");
        }
        return a;
    }

    static StaffClient signedIn(String baseUrl, String username, String password) {
        StaffClient c = new StaffClient(baseUrl);
        Answer a = c.signIn(username, password);
        if (a.status() != 200) {
            throw new AssertionError("sign-in of " + username + ": HTTP " + a.status() + " " + a.body());
        }
        return c;
    }

    Answer get(String path) {
        return send("GET", path, null, false);
    }

    Answer post(String path, JsonObject body) {
        return send("POST", path, body == null ? "{}" : body.encode(), true);
    }

    Answer postWithoutCsrf(String path, JsonObject body) {
        return send("POST", path, body == null ? "{}" : body.encode(), false);
    }

    Answer put(String path, JsonObject body) {
        return send("PUT", path, body.encode(), true);
    }

    /** The end of a live-update stream, as {@link #events} puts it in the queue. */
    static final String STREAM_ENDED = "<stream ended>";

    /**
     * Opens {@code GET /console/api/events}; every line the server sends lands in the queue, then
     * {@link #STREAM_ENDED} when the server ends the stream.
     */
    java.util.concurrent.BlockingQueue<String> events() {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/console/api/events")).GET().build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).whenComplete((r, e) -> {
            if (r != null) {
                try {
                    r.body().forEach(lines::add);
                } catch (RuntimeException ignored) {
                    // the connection went: the stream ended
                }
            }
            lines.add(STREAM_ENDED);
        });
        return lines;
    }

    /** Asserts 200 and answers the JSON body. */
    JsonObject ok(Answer a) {
        if (a.status() / 100 != 2) {
            throw new AssertionError("HTTP " + a.status() + ": " + a.body());
        }
        return a.json();
    }

    private Answer send(String method, String path, String body, boolean csrf) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(15));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .header("Content-Type", "application/json");
        }
        if (csrf && csrfToken != null) {
            b.header("X-CSRF-Token", csrfToken);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
