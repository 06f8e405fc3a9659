package org.careline.conversation;

import org.careline.cases.CaseEvent;
import org.careline.cases.CasePayload;
import org.careline.cases.CaseRecord;
import org.careline.cases.CaseStatus;
import org.careline.cases.EventSchemas;
import org.careline.flow.ConversationState;
import org.careline.flow.Effect;
import org.careline.flow.Step;
import org.careline.privacy.Redaction;
import org.careline.redis.RedisKeys;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What one step of the engine changes in Redis, worked out from its effects without touching Redis: the new
 * state, the transcript lines, new cases and every outbox event, as the commands of one atomic save; and
 * what must happen around that save (the outbox index, case owners, the staff queue). Pure, so it is
 * tested without Redis; {@link ConversationService} hands the result to {@link ConversationStore}.
 *
 * @param changes        the commands of the atomic save (all keys share the person's hash tag)
 * @param replies        the texts to show the person, in order
 * @param caseIds        cases and change reports opened in this step
 * @param openedCases    the kind of each case opened (for metrics)
 * @param openedAlarms   for each escalation opened in this step, whether it is urgent (for metrics)
 * @param escalated      an escalation was opened or raised: the staff queue must hold the person
 * @param closed         the person closed an ordinary escalation: the staff queue entry goes
 * @param events         how many outbox events the save appends
 */
record StepChanges(ConversationStore.Changes changes, List<String> replies, List<String> caseIds,
                   List<String> openedCases, List<Boolean> openedAlarms, boolean escalated, boolean closed,
                   int events, DirectorChanges directors) {

    /**
     * What a step changed about a director or supervisor, for the writes outside the person's slot that follow
     * the save: the bindings index and the visits ledger.
     *
     * @param bound   bound in this step (null if not)
     * @param unbound the roster id unbound in this step ("" when unknown; null if none)
     * @param visits  the fields of each visit logged in this step
     */
    record DirectorChanges(org.careline.flow.StepContext.Binding bound, String unbound, List<Map<String, String>> visits) {
        boolean any() {
            return bound != null || unbound != null || !visits.isEmpty();
        }
    }

    /**
     * @param before   the state before the step (null for a new person)
     * @param userText what the transcript shows of the person's message
     * @param eventIds draws the id (idempotency key) of each outbox event
     */
    static StepChanges of(String openid, ConversationState before, Step step, String userText, Instant now,
                          Duration retention, ZoneId zone, Supplier<String> eventIds) {
        return of(openid, before, step, userText, now, retention, zone, eventIds, null);
    }

    /** @param links where case attachments kept by CareLine are fetched (null: media ids only) */
    static StepChanges of(String openid, ConversationState before, Step step, String userText, Instant now,
                          Duration retention, ZoneId zone, Supplier<String> eventIds, CasePayload.AttachmentLinks links) {
        return of(openid, before, step, userText, null, now, retention, zone, eventIds, links);
    }

    /** @param media the photo or voice note the message carried, linked from its transcript line (null: none) */
    static StepChanges of(String openid, ConversationState before, Step step, String userText,
                          Incoming.Attachment media, Instant now, Duration retention, ZoneId zone,
                          Supplier<String> eventIds, CasePayload.AttachmentLinks links) {
        ConversationStore.Changes changes = new ConversationStore.Changes();
        String ttl = Long.toString(retention.toMillis());
        changes.command(RedisKeys.conversation(openid),
                "SET", RedisKeys.conversation(openid), Json.write(step.state()), "PX", ttl);
        Builder b = new Builder(changes, openid, now, zone, eventIds, links);
        for (Effect effect : step.effects()) {
            b.add(effect, before);
        }
        transcript(changes, openid, userText, media, b.replies, now, ttl);
        return new StepChanges(changes, List.copyOf(b.replies), List.copyOf(b.caseIds), List.copyOf(b.openedCases),
                List.copyOf(b.openedAlarms), b.escalated, b.closed, b.events,
                new DirectorChanges(b.bound, b.unbound, List.copyOf(b.visits)));
    }

    /** The mutable part of {@link #of}: one effect at a time. */
    private static final class Builder {
        private final ConversationStore.Changes changes;
        private final String openid;
        private final Instant now;
        private final ZoneId zone;
        private final Supplier<String> eventIds;
        private final CasePayload.AttachmentLinks links;
        final List<String> replies = new ArrayList<>();
        final List<String> caseIds = new ArrayList<>();
        final List<String> openedCases = new ArrayList<>();
        final List<Boolean> openedAlarms = new ArrayList<>();
        final List<Map<String, String>> visits = new ArrayList<>();
        boolean escalated;
        boolean closed;
        int events;
        org.careline.flow.StepContext.Binding bound;
        String unbound;

        Builder(ConversationStore.Changes changes, String openid, Instant now, ZoneId zone, Supplier<String> eventIds,
                CasePayload.AttachmentLinks links) {
            this.links = links;
            this.changes = changes;
            this.openid = openid;
            this.now = now;
            this.zone = zone;
            this.eventIds = eventIds;
        }

        void add(Effect effect, ConversationState before) {
            if (effect instanceof Effect.Reply r) {
                replies.add(r.text());
            } else if (effect instanceof Effect.OpenCase c) {
                openCase(c.caseId(), c.kind(), c.fields(), CaseEvent.CASE_CREATED);
            } else if (effect instanceof Effect.ReportChange c) {
                openCase(c.caseId(), "report-change", c.fields(), CaseEvent.CHANGE_REPORTED);
            } else if (effect instanceof Effect.Escalate e) {
                Map<String, Object> data = person();
                data.put("reason", e.reason());
                data.put("urgent", e.urgent());
                data.put("level", e.level());
                data.put("fields", CasePayload.fields(e.fields()));
                data.put("flow", before == null ? null : before.flow());
                CasePayload.putPoliceReport(data, e.fields());
                // An alarm is opened once; more danger later raises it (escalation.updated), never a second one.
                outbox(e.opened() ? CaseEvent.ESCALATION_OPENED : CaseEvent.ESCALATION_UPDATED, data);
                if (e.opened()) {
                    openedAlarms.add(e.urgent());
                }
                escalated = true;
            } else if (effect instanceof Effect.EscalationMessage m) {
                Map<String, Object> data = person();
                data.put("text", m.text());
                data.put("at", now.toString());
                outbox(CaseEvent.ESCALATION_MESSAGE, data);
            } else if (effect instanceof Effect.EscalationNote n) {
                // E.g. whether and when the police were called (mandatory report, 未成年人保护法 Art. 11).
                Map<String, Object> data = person();
                data.put("fields", CasePayload.fields(n.fields()));
                CasePayload.putPoliceReport(data, n.fields());
                outbox(CaseEvent.ESCALATION_UPDATED, data);
            } else if (effect instanceof Effect.EscalationClosed c) {
                Map<String, Object> data = person();
                data.put("resolvedBy", c.by());
                outbox(CaseEvent.ESCALATION_RESOLVED, data);
                closed = true;
            } else if (effect instanceof Effect.BindDirector d) {
                if (d.binding() != null && "ok".equals(d.binding().result())) {
                    bind(d.binding());
                }
            } else if (effect instanceof Effect.UnbindDirector u) {
                // The person is a family again; the bindings index is cleared by the orchestrator after the save.
                changes.command(RedisKeys.profile(openid), "DEL", RedisKeys.profile(openid));
                unbound = u.rosterId() == null ? "" : u.rosterId();
            } else if (effect instanceof Effect.LogVisit v) {
                Map<String, Object> data = person();
                data.putAll(v.fields());
                outbox(CaseEvent.VISIT_LOGGED, data);
                visits.add(v.fields());
            }
        }

        /**
         * The profile says who the person is from now on (role, community or town, roster id) and the back
         * office hears of it; the code itself is not repeated in the event.
         */
        private void bind(org.careline.flow.StepContext.Binding b) {
            String key = RedisKeys.profile(openid);
            changes.command(key, "DEL", key);
            changes.command(key, "HSET", key, "role", b.role(), "rosterId", b.rosterId(),
                    "community", b.community() == null ? "" : b.community(), "town", b.town() == null ? "" : b.town());
            Map<String, Object> data = person();
            data.put("roster_id", b.rosterId());
            data.put("role", b.role());
            outbox(CaseEvent.DIRECTOR_BOUND, data);
            bound = b;
        }

        /** Events name the person by a hashed handle only: the back office links them to the case file. */
        private Map<String, Object> person() {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("openidHash", Redaction.openid(openid));
            return data;
        }

        private void openCase(String caseId, String kind, Map<String, String> fields, String eventType) {
            CaseRecord record = new CaseRecord(caseId, kind, CaseStatus.RECEIVED, null, openid, fields, now, now);
            String key = RedisKeys.caseRecord(openid, caseId);
            changes.command(key, "SET", key, Json.write(record));
            changes.command(RedisKeys.userCases(openid),
                    "ZADD", RedisKeys.userCases(openid), Long.toString(now.toEpochMilli()), caseId);
            outbox(eventType, CasePayload.of(record, zone, links));
            caseIds.add(caseId);
            openedCases.add(kind);
        }

        private void outbox(String type, Map<String, Object> data) {
            CaseEvent event = new CaseEvent(eventIds.get(), type, now, data);
            String key = RedisKeys.outbox(openid);
            changes.command(key, "XADD", key, "*", "id", event.id(), "type", event.type(),
                    "time", event.time().toString(), "v", Integer.toString(EventSchemas.version(event.type())),
                    "event", Json.write(event));
            events++;
        }
    }

    private static void transcript(ConversationStore.Changes changes, String openid, String userText,
                                   Incoming.Attachment media, List<String> replies, Instant now, String ttl) {
        String key = RedisKeys.transcript(openid);
        String at = IsoInstant.format(now);
        String text = userText == null ? "" : userText;
        List<String> cmd = new ArrayList<>(3 + replies.size());
        cmd.add("LPUSH");
        cmd.add(key);
        cmd.add(media == null ? Json.object("at", at, "from", "user", "text", text)
                : Json.object("at", at, "from", "user", "text", text, "media", media.file(), "mediaKind", media.kind()));
        for (String reply : replies) {
            cmd.add(Json.object("at", at, "from", "bot", "text", reply));
        }
        changes.command(key, cmd.toArray(String[]::new));
        changes.command(key, "LTRIM", key, "0", Integer.toString(RedisKeys.TRANSCRIPT_MAX - 1));
        changes.command(key, "PEXPIRE", key, ttl);
    }
}
