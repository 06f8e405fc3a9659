package org.careline.console;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live updates of the inbox by server-sent events. While a console is open, the open chats are compared
 * once a second with what was seen before; a new chat, a new message, a claim or a reply is pushed as
 * {@code event: inbox} with the ids that changed, and the page fetches what it shows. Watching the staff
 * queue in Redis, rather than hooking the message path, sees the changes made by every instance alike.
 */
final class ConsoleEvents {

    private static final Logger log = LoggerFactory.getLogger(ConsoleEvents.class);
    static final long POLL_MS = 1000;

    private final Vertx vertx;
    private final EscalationInbox inbox;
    /**
     * A stream is ended by the server before the internal port's request timeout would cut it; the browser's
     * EventSource reconnects at once and the page refetches, so nothing is missed.
     */
    private final Duration streamFor;
    private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
    private Map<String, String> seen;
    private long timer = -1;
    private boolean busy;

    ConsoleEvents(Vertx vertx, EscalationInbox inbox, Duration streamFor) {
        this.vertx = vertx;
        this.inbox = inbox;
        this.streamFor = streamFor;
    }

    void subscribe(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        response.write("retry: 1000\n\nevent: ready\ndata: {}\n\n");
        streams.add(response);
        response.closeHandler(v -> streams.remove(response));
        vertx.setTimer(streamFor.toMillis(), t -> {
            if (streams.remove(response) && !response.ended() && !response.closed()) {
                response.end();
            }
        });
        if (timer < 0) {
            timer = vertx.setPeriodic(POLL_MS, t -> poll());
        }
    }

    /** Something changed here (a claim, a reply): look now rather than at the next tick. */
    void changed() {
        if (!streams.isEmpty()) {
            poll();
        }
    }

    private void poll() {
        if (streams.isEmpty()) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            seen = null;
            return;
        }
        if (busy) {
            return;
        }
        busy = true;
        inbox.all().onComplete(ar -> {
            busy = false;
            if (ar.failed()) {
                log.debug("console events: inbox not read: {}", ar.cause().toString());
                return;
            }
            Map<String, String> now = new LinkedHashMap<>();
            Map<String, Boolean> urgent = new HashMap<>();
            for (EscalationInbox.Item item : ar.result()) {
                now.put(item.id(), item.fingerprint());
                urgent.put(item.id(), item.urgent());
            }
            Map<String, String> before = seen;
            seen = now;
            if (before == null) {
                // The first look after a quiet time: what changed since a page fetched is unknown, so all refetch.
                send("inbox", new JsonObject().put("added", new JsonArray()).put("changed", new JsonArray(List.copyOf(now.keySet())))
                        .put("removed", new JsonArray()).put("urgentAdded", false));
                return;
            }
            if (before.equals(now)) {
                return;
            }
            JsonArray added = new JsonArray();
            JsonArray changed = new JsonArray();
            JsonArray removed = new JsonArray();
            boolean urgentAdded = false;
            for (Map.Entry<String, String> e : now.entrySet()) {
                String old = before.get(e.getKey());
                if (old == null) {
                    added.add(e.getKey());
                    urgentAdded |= urgent.get(e.getKey());
                } else if (!old.equals(e.getValue())) {
                    changed.add(e.getKey());
                }
            }
            before.keySet().stream().filter(id -> !now.containsKey(id)).forEach(removed::add);
            send("inbox", new JsonObject().put("added", added).put("changed", changed).put("removed", removed)
                    .put("urgentAdded", urgentAdded));
        });
    }

    private void send(String event, JsonObject data) {
        String frame = "event: " + event + "\ndata: " + data.encode() + "\n\n";
        for (HttpServerResponse r : List.copyOf(streams)) {
            if (r.closed() || r.ended()) {
                streams.remove(r);
            } else {
                r.write(frame);
            }
        }
    }
}
