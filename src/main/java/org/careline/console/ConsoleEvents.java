package org.careline.console;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.careline.flow.ConversationState.Escalation.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live updates of the inbox by server-sent events. While a console is open, the open chats are compared
 * once a second with what was seen before; a new chat, a new message, a claim or a reply is pushed as
 * {@code event: inbox} with the ids that changed, and the page fetches what it shows. Watching the staff
 * queue in Redis, rather than hooking the message path, sees the changes made by every instance alike.
 * Each stream belongs to a session: it is checked at every look and the stream ends as soon as the session
 * does (signed out everywhere, account disabled), and whether a change is worth an alert depends on whose
 * chat it is.
 */
final class ConsoleEvents {

    private static final Logger log = LoggerFactory.getLogger(ConsoleEvents.class);
    static final long POLL_MS = 1000;

    /** What a look at one chat remembers, to tell what changed. */
    private record Seen(String fingerprint, Level level, Instant lastMessageAt, String assignee, boolean urgent) {
        static Seen of(EscalationInbox.Item item) {
            return new Seen(item.fingerprint(), item.escalation().level(), item.escalation().lastMessageAt(),
                    item.assignee(), item.urgent());
        }
    }

    private final Vertx vertx;
    private final EscalationInbox inbox;
    private final StaffAccounts accounts;
    /**
     * A stream is ended by the server before the internal port's request timeout would cut it; the browser's
     * EventSource reconnects at once and the page refetches, so nothing is missed.
     */
    private final Duration streamFor;
    private final Map<HttpServerResponse, StaffSession> streams = new ConcurrentHashMap<>();
    /** Streams that have not had a look yet: their first event says every chat may have changed. */
    private final java.util.Set<HttpServerResponse> fresh = ConcurrentHashMap.newKeySet();
    private Map<String, Seen> seen;
    private long timer = -1;
    private boolean busy;

    ConsoleEvents(Vertx vertx, EscalationInbox inbox, StaffAccounts accounts, Duration streamFor) {
        this.vertx = vertx;
        this.inbox = inbox;
        this.accounts = accounts;
        this.streamFor = streamFor;
    }

    void subscribe(RoutingContext ctx) {
        StaffSession session = ctx.get(ConsoleApi.STAFF);
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        response.write("retry: 1000\n\nevent: ready\ndata: {}\n\n");
        streams.put(response, session);
        fresh.add(response);
        response.closeHandler(v -> {
            streams.remove(response);
            fresh.remove(response);
        });
        vertx.setTimer(streamFor.toMillis(), t -> end(response));
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

    private void end(HttpServerResponse response) {
        fresh.remove(response);
        if (streams.remove(response) != null && !response.ended() && !response.closed()) {
            response.end();
        }
    }

    /** Ends the streams whose session has ended; answers the ones still good. */
    private Future<Map<HttpServerResponse, StaffSession>> liveStreams() {
        List<Map.Entry<HttpServerResponse, StaffSession>> all = new ArrayList<>(streams.entrySet());
        List<Future<Boolean>> checks = new ArrayList<>();
        all.forEach(e -> checks.add(accounts.stillValid(e.getValue()).otherwise(true)));
        return Future.join(checks).map(done -> {
            Map<HttpServerResponse, StaffSession> live = new LinkedHashMap<>();
            for (int i = 0; i < all.size(); i++) {
                if (Boolean.TRUE.equals(done.resultAt(i))) {
                    live.put(all.get(i).getKey(), all.get(i).getValue());
                } else {
                    log.info("console events: the session of '{}' ended; its live stream is closed",
                            all.get(i).getValue().username());
                    end(all.get(i).getKey());
                }
            }
            return live;
        });
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
        liveStreams().compose(live -> inbox.all().map(items -> {
            look(live, items);
            return null;
        })).onComplete(ar -> {
            busy = false;
            if (ar.failed()) {
                log.debug("console events: inbox not read: {}", ar.cause().toString());
            }
        });
    }

    private void look(Map<HttpServerResponse, StaffSession> live, List<EscalationInbox.Item> items) {
        Map<String, Seen> now = new LinkedHashMap<>();
        items.forEach(item -> now.put(item.id(), Seen.of(item)));
        Map<String, Seen> before = seen;
        seen = now;
        // A stream's first look: what changed since its page fetched is unknown, so it refetches all.
        JsonObject all = new JsonObject().put("added", new JsonArray()).put("changed", new JsonArray(List.copyOf(now.keySet())))
                .put("removed", new JsonArray()).put("urgentAdded", false).put("alert", false).put("urgentAlert", false)
                .put("initial", true);
        Map<HttpServerResponse, StaffSession> told = new LinkedHashMap<>();
        live.forEach((r, s) -> {
            if (fresh.remove(r) | before == null) {
                send(r, all);
            } else {
                told.put(r, s);
            }
        });
        live = told;
        if (before == null || before.equals(now)) {
            return;
        }
        JsonArray added = new JsonArray();
        JsonArray changed = new JsonArray();
        JsonArray removed = new JsonArray();
        boolean urgentAdded = false;
        for (Map.Entry<String, Seen> e : now.entrySet()) {
            Seen old = before.get(e.getKey());
            if (old == null) {
                added.add(e.getKey());
                urgentAdded |= e.getValue().urgent();
            } else if (!old.fingerprint().equals(e.getValue().fingerprint())) {
                changed.add(e.getKey());
            }
        }
        before.keySet().stream().filter(id -> !now.containsKey(id)).forEach(removed::add);
        JsonObject common = new JsonObject().put("added", added).put("changed", changed).put("removed", removed)
                .put("urgentAdded", urgentAdded);
        for (Map.Entry<HttpServerResponse, StaffSession> stream : live.entrySet()) {
            String me = stream.getValue().username();
            // A new chat alerts everyone; in a chat already with someone, new danger alerts its assignee,
            // and a chat becoming critical alerts everyone.
            boolean alert = !added.isEmpty();
            boolean urgentAlert = urgentAdded;
            for (Object id : changed) {
                Seen old = before.get((String) id);
                Seen cur = now.get((String) id);
                boolean mine = me.equals(cur.assignee());
                boolean rose = cur.level().ordinal() < old.level().ordinal();
                boolean becameCritical = rose && cur.level() == Level.CRITICAL;
                boolean newMessage = !Objects.equals(old.lastMessageAt(), cur.lastMessageAt());
                if (becameCritical || mine && (rose || newMessage)) {
                    alert = true;
                    urgentAlert |= becameCritical || rose && cur.urgent() || cur.urgent() && newMessage;
                }
            }
            send(stream.getKey(), common.copy().put("alert", alert).put("urgentAlert", urgentAlert));
        }
    }

    private void send(HttpServerResponse r, JsonObject data) {
        if (r.closed() || r.ended()) {
            streams.remove(r);
        } else {
            r.write("event: inbox\ndata: " + data.encode() + "\n\n");
        }
    }
}
