package org.careline.conversation;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.careline.cases.CaseEvent;
import org.careline.cases.EventSchemas;
import org.careline.flow.ConversationState;
import org.careline.flow.Effect;
import org.careline.flow.FlowEngine;
import org.careline.flow.Input;
import org.careline.flow.OfficeHours;
import org.careline.flow.Step;
import org.careline.flow.StepContext;
import org.careline.privacy.Redaction;
import org.careline.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one orchestrator of an inbound message (DESIGN §2 step 3): take the person's turn, load their
 * conversation, run one step of the pure engine, save the new state together with the events it caused,
 * and hand back the texts to show. Replies are returned, not sent: the caller decides between a passive
 * reply and the customer-service API.
 */
public final class ConversationService {

    private static final Logger log = LoggerFactory.getLogger(ConversationService.class);
    private static final DateTimeFormatter CASE_DAY = DateTimeFormatter.ofPattern("yyMMdd");

    private final ConversationStore store;
    private final UserQueue queue;
    private final Supplier<FlowEngine> engine;
    private final Clock clock;
    private final Settings settings;

    /** What the orchestrator needs from configuration. */
    public record Settings(Duration idleTimeout, Duration retention, ZoneId zone, OfficeHours officeHours,
                           Duration dedupWindow) {}

    private final MeterRegistry meters;
    /** The step timers, looked up once (not per message). */
    private final io.micrometer.core.instrument.Timer stepSaved;
    private final io.micrometer.core.instrument.Timer stepFailed;
    private final SystemTexts texts;
    private final DirectorDesk directors;
    private final PersonalFiles files;

    private final org.careline.cases.CasePayload.AttachmentLinks attachmentLinks;

    public ConversationService(ConversationStore store, UserQueue queue, Supplier<FlowEngine> engine, Clock clock,
                               Settings settings, MeterRegistry meters, SystemTexts texts) {
        this(store, queue, engine, clock, settings, meters, texts, null);
    }

    /** @param attachmentLinks where the back office fetches the photos and voice notes CareLine keeps */
    public ConversationService(ConversationStore store, UserQueue queue, Supplier<FlowEngine> engine, Clock clock,
                               Settings settings, MeterRegistry meters, SystemTexts texts,
                               org.careline.cases.CasePayload.AttachmentLinks attachmentLinks) {
        this(store, queue, engine, clock, settings, meters, texts, attachmentLinks, DirectorDesk.NONE);
    }

    /** @param directors the roster as directors and supervisors meet it: their children, binding codes, visits */
    public ConversationService(ConversationStore store, UserQueue queue, Supplier<FlowEngine> engine, Clock clock,
                               Settings settings, MeterRegistry meters, SystemTexts texts,
                               org.careline.cases.CasePayload.AttachmentLinks attachmentLinks, DirectorDesk directors) {
        this(store, queue, engine, clock, settings, meters, texts, attachmentLinks, directors, PersonalFiles.NONE);
    }

    /** @param files the photos and voice notes kept for the person, deleted with the rest of their data */
    public ConversationService(ConversationStore store, UserQueue queue, Supplier<FlowEngine> engine, Clock clock,
                               Settings settings, MeterRegistry meters, SystemTexts texts,
                               org.careline.cases.CasePayload.AttachmentLinks attachmentLinks, DirectorDesk directors,
                               PersonalFiles files) {
        this.files = files;
        this.directors = directors;
        this.attachmentLinks = attachmentLinks;
        this.meters = meters;
        this.stepSaved = meters.timer("careline.conversation.step", "outcome", "saved");
        this.stepFailed = meters.timer("careline.conversation.step", "outcome", "failed");
        this.texts = texts;
        this.store = store;
        this.queue = queue;
        this.engine = engine;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * How a message turned out when its turn began: either it is a retry of one already claimed
     * ({@code seen}: being processed, or answered), or it is this caller's, and {@code replies} completes
     * with the texts to show (possibly none) once the step is saved.
     */
    public record Turn(ReplyRecord seen, Future<List<String>> replies) {
        static Turn retry(ReplyRecord seen) {
            return new Turn(seen, null);
        }

        static Turn mine(Future<List<String>> replies) {
            return new Turn(null, replies);
        }
    }

    /**
     * Takes one message in the person's turn. For an ordinary message that is two Redis round trips: one
     * script claims the message (WeChat's retries), takes the person's lock and loads the conversation; one
     * saves the step with its reply for retries and gives the lock back.
     *
     * @param passive asked just before the save: true when the reply will reach WeChat in the callback's
     *                answer (or a retry's), false when "success" was answered and it goes through the
     *                customer-service API — a retry then answers "success" too
     */
    public Future<Turn> handle(Incoming message, BooleanSupplier passive) {
        String openid = message.openid();
        if (message.unsubscribe()) {
            // The person left: keep nothing of the conversation (PIPL; DESIGN §4 "Unsubscribe"). Running it
            // again for a retry is harmless.
            return Future.succeededFuture(Turn.mine(queue.run(openid, () -> store.load(openid).compose(snapshot -> {
                ConversationState s = snapshot.state();
                if (s != null && s.escalation() != null && s.escalation().alarm()) {
                    // A child's safety outranks the deletion: an open alarm stays with staff (who can still report
                    // to the police) until they close it; then the data goes.
                    return keepAlarmAfterUnfollow(openid, s).map(v -> List.<String>of());
                }
                return store.forget(openid).compose(v -> files.eraseOf(openid))
                        .onSuccess(v -> log.info("unsubscribed {}: conversation data and {} kept file(s) deleted",
                                Redaction.openid(openid), v))
                        .map(v -> List.<String>of());
            }))));
        }
        Optional<Input> input = Optional.ofNullable(message.input());
        if (input.isEmpty()) {
            // Nothing the conversation reacts to (a template-send report, say): nothing to remember either.
            return Future.succeededFuture(Turn.mine(Future.succeededFuture(List.of())));
        }
        Timer.Sample sample = Timer.start(meters);
        Promise<Turn> turn = Promise.promise();
        String key = message.dedupKey();
        String token = UUID.randomUUID().toString();
        queue.inTurn(openid, () -> queue.whileLockedElsewhere(() -> store.begin(openid, key, token), ConversationStore.Begin::busy)
                .compose(begin -> {
                    if (begin.seen() != null) {
                        turn.tryComplete(Turn.retry(begin.seen()));
                        return Future.<List<String>>succeededFuture();
                    }
                    Promise<List<String>> replies = Promise.promise();
                    turn.tryComplete(Turn.mine(replies.future()));
                    Future<List<String>> stepped;
                    try {
                        stepped = step(message, input.get(), followingAgain(begin.snapshot()), token, passive);
                    } catch (RuntimeException e) {
                        stepped = Future.failedFuture(e);
                    }
                    stepped.onComplete(replies);
                    return stepped;
                }, e -> {
                    turn.tryFail(e);
                    return Future.failedFuture(e);
                })
                .onFailure(e -> store.abandon(openid, key, token))
                .onComplete(ar -> sample.stop(ar.succeeded() ? stepSaved : stepFailed)));
        return turn.future();
    }

    /** What is remembered of a message now: a retry waits on it while the first try runs. */
    public Future<ReplyRecord> reply(String openid, String dedupKey) {
        return store.reply(openid, dedupKey);
    }

    /**
     * Staff resolved the chat: the bot takes over again (the next message starts afresh) and the back office
     * hears of it. Runs in the person's turn, so it never races a message being handled.
     *
     * @return false when the conversation was not with staff
     */
    /**
     * A person asked for their data to be deleted: done in their turn, like every message, so that a message
     * being handled at that moment cannot write their conversation back afterwards.
     *
     * @return how many of the person's cases were deleted
     */
    public Future<Integer> erase(String openid) {
        return queue.run(openid, () -> store.caseIds(openid).compose(caseIds -> {
            // The back office keeps the case files and must act on the request too: it knows cases by number
            // and people by the handle every earlier event carried. Delivered after what was already waiting,
            // then the person's outbox is deleted like any delivered one.
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("openidHash", Redaction.openid(openid));
            data.put("caseIds", caseIds);
            data.put("requestedAt", clock.instant().toString());
            ConversationStore.Changes erased = new ConversationStore.Changes();
            outbox(erased, openid, CaseEvent.PERSON_ERASED, data, clock.instant());
            return store.indexOutbox(openid)
                    .compose(v -> store.erase(openid, caseIds, erased))
                    .compose(n -> store.indexOutbox(openid).map(n))
                    // The photos and voice notes too: their signed links stop working with the files.
                    .compose(n -> files.eraseOf(openid).map(n));
        }));
    }

    /** Marks the field an unfollow with an open alarm leaves in the state: the data goes once staff close it. */
    static final String UNSUBSCRIBED_AT = "unsubscribed_at";

    /** A person who unfollowed with an alarm open and writes again is following again: their data stays. */
    private static ConversationStore.Snapshot followingAgain(ConversationStore.Snapshot snapshot) {
        ConversationState s = snapshot.state();
        if (s == null || s.fields() == null || !s.fields().containsKey(UNSUBSCRIBED_AT)) {
            return snapshot;
        }
        Map<String, String> fields = new LinkedHashMap<>(s.fields());
        fields.remove(UNSUBSCRIBED_AT);
        return new ConversationStore.Snapshot(new ConversationState(s.flow(), s.node(), s.status(), fields, s.stack(),
                s.history(), s.attempts(), s.flowsVersion(), s.startedAt(), s.updatedAt(), s.escalation(),
                s.closedAlarm()),
                snapshot.profile(), snapshot.cases(), snapshot.staffRepliedAt());
    }

    private Future<Void> keepAlarmAfterUnfollow(String openid, ConversationState s) {
        Instant now = clock.instant();
        Map<String, String> fields = new LinkedHashMap<>(s.fields() == null ? Map.of() : s.fields());
        fields.put(UNSUBSCRIBED_AT, now.toString());
        ConversationState kept = new ConversationState(s.flow(), s.node(), s.status(), fields, s.stack(), s.history(),
                s.attempts(), s.flowsVersion(), s.startedAt(), now, s.escalation(), s.closedAlarm());
        ConversationStore.Changes changes = new ConversationStore.Changes();
        changes.command(RedisKeys.conversation(openid), "SET", RedisKeys.conversation(openid), Json.write(kept),
                "PX", Long.toString(settings.retention().toMillis()));
        String transcript = RedisKeys.transcript(openid);
        changes.command(transcript, "LPUSH", transcript,
                Json.write(Map.of("from", "user", "text", "[取消关注]", "at", now.toString())));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("openidHash", Redaction.openid(openid));
        data.put("reason", s.escalation().reason());
        data.put("urgent", s.escalation().urgent());
        data.put("level", s.escalation().level().name().toLowerCase(java.util.Locale.ROOT));
        data.put("fields", Map.of(UNSUBSCRIBED_AT, now.toString()));
        data.put("flow", s.flow());
        outbox(changes, openid, CaseEvent.ESCALATION_UPDATED, data, now);
        return store.indexOutbox(openid)
                .compose(v -> store.apply(changes))
                .compose(v -> store.indexOutbox(openid))
                .onSuccess(v -> log.warn("{} unfollowed with an open {} alarm: kept for staff until they close it",
                        Redaction.openid(openid), s.escalation().level()));
    }

    public Future<Boolean> resolve(String openid, String resolvedBy) {
        return resolve(openid, resolvedBy, null);
    }

    /**
     * As {@link #resolve(String, String)}, with what staff wrote about how it ended ({@code resolution}, in the
     * {@code escalation.resolved} event when given).
     */
    public Future<Boolean> resolve(String openid, String resolvedBy, String resolution) {
        return queue.run(openid, () -> store.load(openid).compose(snapshot -> {
            ConversationState s = snapshot.state();
            if (s == null || s.status() != ConversationState.Status.ESCALATED && s.escalation() == null) {
                return Future.succeededFuture(false);
            }
            Instant now = clock.instant();
            ConversationState back = FlowEngine.resolved(s, now);
            ConversationStore.Changes changes = new ConversationStore.Changes();
            String ttl = Long.toString(settings.retention().toMillis());
            changes.command(RedisKeys.conversation(openid),
                    "SET", RedisKeys.conversation(openid), Json.write(back), "PX", ttl);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("openidHash", Redaction.openid(openid));
            data.put("resolvedBy", resolvedBy);
            if (resolution != null) {
                data.put("resolution", resolution);
            }
            outbox(changes, openid, CaseEvent.ESCALATION_RESOLVED, data, now);
            // Who had the chat, and what they recorded, belonged to this escalation.
            changes.command(RedisKeys.staffHandling(openid), "DEL", RedisKeys.staffHandling(openid));
            return store.indexOutbox(openid)
                    .compose(v -> store.apply(changes))
                    .compose(v -> store.indexOutbox(openid))
                    .compose(v -> store.leaveStaffQueue(openid))
                    // The person had unfollowed while the alarm was open: now it is closed, nothing is kept.
                    .compose(v -> s.fields() != null && s.fields().containsKey(UNSUBSCRIBED_AT)
                            ? store.forget(openid).compose(f -> files.eraseOf(openid)).<Void>mapEmpty()
                            : Future.<Void>succeededFuture())
                    .map(v -> {
                        log.info("escalation of {} resolved; the bot answers again", Redaction.openid(openid));
                        return true;
                    });
        }));
    }

    /**
     * A line staff add to the person's transcript — {@code reply} (sent to them), {@code notice} (a template
     * message) or {@code note} (private) — marked as staff's and naming who wrote it. In the person's turn, so
     * it lands after the message it answers and before the next. The first reply is the first response.
     */
    public Future<Void> addStaffLine(String openid, String kind, String by, String text) {
        return queue.run(openid, () -> {
            Instant now = clock.instant();
            Map<String, String> line = new LinkedHashMap<>();
            line.put("at", now.toString());
            line.put("from", "staff");
            line.put("kind", kind);
            line.put("by", by);
            line.put("text", text);
            ConversationStore.Changes changes = new ConversationStore.Changes();
            String key = RedisKeys.transcript(openid);
            changes.command(key, "LPUSH", key, Json.write(line));
            changes.command(key, "LTRIM", key, "0", Integer.toString(RedisKeys.TRANSCRIPT_MAX - 1));
            changes.command(key, "PEXPIRE", key, Long.toString(settings.retention().toMillis()));
            if ("reply".equals(kind)) {
                String staff = RedisKeys.staffHandling(openid);
                changes.command(staff, "HSETNX", staff, "firstReplyAt", now.toString());
                // Someone is reading now, whatever the office hours: the bot must not say otherwise.
                changes.command(staff, "HSET", staff, "lastReplyAt", now.toString());
            }
            return store.apply(changes);
        });
    }

    /**
     * Staff record the police report of an urgent chat (mandatory report, 未成年人保护法 Art. 11): who, when,
     * the report number; the back office hears of it ({@code escalation.updated}). In the person's turn.
     *
     * @return false when the person has no urgent escalation open
     */
    public Future<Boolean> recordPoliceReport(String openid, String by, String reportNumber) {
        return queue.run(openid, () -> store.load(openid).compose(snapshot -> {
            ConversationState s = snapshot.state();
            if (s == null || s.escalation() == null || !s.escalation().urgent()) {
                return Future.succeededFuture(false);
            }
            Instant now = clock.instant();
            ConversationStore.Changes changes = new ConversationStore.Changes();
            String staff = RedisKeys.staffHandling(openid);
            // Recorded for this escalation whoever has the chat (or nobody yet): the console reads what the
            // staff hash holds only when it names this escalation, so it must name it even before a claim.
            String forEscalation = s.escalation().openedAt() == null ? "escalated" : s.escalation().openedAt().toString();
            changes.command(staff, "HSET", staff, "policeReportNumber", reportNumber, "policeReportBy", by,
                    "policeReportAt", now.toString(), "openedAt", forEscalation);
            changes.command(staff, "PEXPIRE", staff, Long.toString(settings.retention().toMillis()));
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("reported", true);
            report.put("reportNumber", reportNumber);
            report.put("recordedBy", by);
            report.put("recordedAt", now.toString());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("openidHash", Redaction.openid(openid));
            data.put("policeReport", report);
            outbox(changes, openid, CaseEvent.ESCALATION_UPDATED, data, now);
            return store.staffHandling(openid).compose(held -> {
                if (!held.isEmpty() && !forEscalation.equals(held.get("openedAt"))) {
                    // What is left of an earlier escalation (its claim, its report) does not carry over.
                    return store.forgetStaffHandling(openid);
                }
                return Future.<Void>succeededFuture();
            }).compose(v -> store.indexOutbox(openid)).compose(v -> store.apply(changes)).map(v -> true);
        }));
    }

    /**
     * Staff take back a chat whose alarm is still open after the person typed 结束人工 (status {@code bot}): the
     * status is {@code escalated} again, so the bot stays silent while staff answer. In the person's turn.
     *
     * @return true when the status changed
     */
    public Future<Boolean> takeBackFromBot(String openid) {
        return queue.run(openid, () -> store.load(openid).compose(snapshot -> {
            ConversationState s = snapshot.state();
            if (s == null || s.escalation() == null || s.status() == ConversationState.Status.ESCALATED) {
                return Future.succeededFuture(false);
            }
            ConversationState back = new ConversationState(s.flow(), s.node(), ConversationState.Status.ESCALATED,
                    s.fields(), s.stack(), s.history(), s.attempts(), s.flowsVersion(), s.startedAt(), clock.instant(),
                    s.escalation(), s.closedAlarm());
            ConversationStore.Changes changes = new ConversationStore.Changes();
            changes.command(RedisKeys.conversation(openid), "SET", RedisKeys.conversation(openid), Json.write(back),
                    "PX", Long.toString(settings.retention().toMillis()));
            return store.apply(changes).map(v -> true);
        }));
    }

    private Future<List<String>> step(Incoming message, Input input, ConversationStore.Snapshot snapshot,
                                      String token, BooleanSupplier passive) {
        Instant now = clock.instant();
        FlowEngine flows = engine.get();
        String role = snapshot.profile() == null ? null : snapshot.profile().role();
        // Only a bound director or supervisor has children to see (their community or town, never more).
        Future<List<StepContext.ChildOnList>> children = "director".equals(role) || "supervisor".equals(role)
                ? directors.children(snapshot.profile(), now) : Future.succeededFuture(List.of());
        return children.compose(kids -> {
            CaseNumbers draw = new CaseNumbers(List.of());
            Step first = flows.step(snapshot.state(), input, context(now, snapshot, draw).with(kids, Map.of()));
            List<String> codes = first.effects().stream().filter(e -> e instanceof Effect.BindDirector)
                    .map(e -> ((Effect.BindDirector) e).fields().get("binding_code")).filter(java.util.Objects::nonNull)
                    .toList();
            if (draw.drawn == 0 && codes.isEmpty()) {
                return save(message, snapshot, first, now, token, passive);
            }
            // The engine is pure, so it runs again once we know the case numbers it needs and what its binding
            // code is (looked up, and used up when good, before the save; a retry of the same person finds it
            // used by them and gets the same answer).
            Future<List<String>> ids = draw.drawn == 0 ? Future.succeededFuture(List.of()) : nextCaseNumbers(now, draw.drawn);
            Future<Map<String, StepContext.Binding>> bindings = codes.isEmpty() ? Future.succeededFuture(Map.of())
                    : directors.redeem(message.openid(), snapshot.profile(), codes.get(0), now)
                    .map(b -> Map.of(codes.get(0), b));
            return Future.all(ids, bindings).compose(all -> {
                Step real = flows.step(snapshot.state(), input, context(now, snapshot, new CaseNumbers(all.resultAt(0)))
                        .with(kids, all.resultAt(1)));
                return save(message, snapshot, real, now, token, passive);
            });
        });
    }

    /**
     * Staff unbound a director or supervisor (or their roster entry was bound on another phone): done in the
     * person's turn, like a message.
     */
    public Future<Void> unbind(String openid) {
        return queue.run(openid, () -> store.clearProfile(openid));
    }

    private StepContext context(Instant now, ConversationStore.Snapshot snapshot, CaseNumbers caseNumbers) {
        List<StepContext.CaseSummary> cases = snapshot.cases().stream()
                .map(c -> new StepContext.CaseSummary(c.caseId(), c.kind(), c.status().name(),
                        statusText(c), c.updatedAt()))
                .toList();
        return new StepContext(now, settings.zone(), caseNumbers, snapshot.profile(), cases,
                settings.idleTimeout(), settings.officeHours()).withStaffRepliedAt(snapshot.staffRepliedAt());
    }

    /** The status as a family reads it, with the back office's message when it sent one. */
    private String statusText(org.careline.cases.CaseRecord c) {
        String status = texts.status(c.status(), c.kind());
        return c.statusNote() == null || c.statusNote().isBlank() ? status : status + "。" + c.statusNote();
    }

    private Future<List<String>> nextCaseNumbers(Instant now, int count) {
        String day = CASE_DAY.format(now.atZone(settings.zone()));
        return store.reserveCaseNumbers(day, count).map(last -> {
            List<String> ids = new ArrayList<>();
            for (long n = last - count + 1; n <= last; n++) {
                ids.add(String.format("CL%s%03d", day, n));
            }
            return ids;
        });
    }

    private Future<List<String>> save(Incoming message, ConversationStore.Snapshot snapshot, Step step,
                                      Instant now, String token, BooleanSupplier passive) {
        String openid = message.openid();
        StepChanges planned = StepChanges.of(openid, snapshot.state(), step, message.transcript(), message.media(),
                now, settings.retention(), settings.zone(), () -> UUID.randomUUID().toString(), attachmentLinks);
        ConversationStore.Changes changes = planned.changes();
        List<String> replies = planned.replies();
        List<String> caseIds = planned.caseIds();
        boolean escalated = planned.escalated();
        boolean deescalated = planned.closed();
        int events = planned.events();
        planned.openedCases().forEach(kind -> meters.counter("careline.cases.opened", "kind", kind).increment());
        planned.openedAlarms().forEach(urgent -> meters.counter("careline.escalations", "urgent",
                Boolean.toString(urgent)).increment());

        Future<Void> before = Future.succeededFuture();
        if (events > 0) {
            // The index comes first: if we die between the two writes the worker finds an empty stream,
            // which is harmless; the other order could strand events nobody looks for.
            before = store.indexOutbox(openid);
        }
        for (String id : caseIds) {
            before = before.compose(v -> store.ownCase(id, openid));
        }
        boolean escalatedNow = escalated;
        ConversationState.Escalation open = step.state() == null ? null : step.state().escalation();
        double score = queueScore(open, now);
        Future<Void> saved = before.compose(v -> store.finish(openid, message.dedupKey(), token, changes,
                ReplyRecord.answered(replies, !passive.getAsBoolean()), settings.dedupWindow()));
        // The staff queue is one key for all people (another Redis Cluster slot), so it cannot join the
        // script. The step is saved by now: a failure here must not make WeChat's retry run it again.
        ConversationState after = step.state();
        if (escalatedNow) {
            // Severity before arrival order: urgent chats sort ahead of every ordinary one. LT keeps the
            // lower score, so a later 人工 never downgrades an urgent chat nor moves it back in the queue.
            saved = saved.compose(v -> store.queueForStaff(openid, score, false)
                    .recover(e -> secondaryFailed("staff queue", openid, e)));
        } else if (deescalated) {
            saved = saved.compose(v -> store.leaveStaffQueue(openid)
                    .recover(e -> secondaryFailed("staff queue", openid, e)));
        } else if (after != null && (after.escalation() != null
                || after.status() == ConversationState.Status.ESCALATED && after.updatedAt() != null)) {
            // Each message of an escalated chat puts it back in the queue if an earlier write was lost
            // (NX: an entry that is there keeps its place and its urgency).
            double ordinary = queueScore(after.escalation(), after.updatedAt() == null ? now : after.updatedAt());
            saved = saved.compose(v -> store.queueForStaff(openid, ordinary, true)
                    .recover(e -> secondaryFailed("staff queue", openid, e)));
        }
        if (events > 0) {
            saved = saved.compose(v -> store.indexOutbox(openid)
                    .recover(e -> secondaryFailed("outbox index", openid, e)));
        }
        StepChanges.DirectorChanges directorChanges = planned.directors();
        if (directorChanges.any()) {
            // The bindings index and the visits ledger are not the person's keys (other cluster slots): written
            // after the save; a failure is logged (the events are already in the outbox).
            saved = saved.compose(v -> directors.saved(openid, directorChanges.bound(), directorChanges.unbound(),
                    directorChanges.visits()).compose(previous -> previous == null || previous.equals(openid)
                    ? Future.<Void>succeededFuture() : unbind(previous))
                    .recover(e -> secondaryFailed("director bindings or visits", openid, e)));
        }
        return saved.map(v -> {
            ConversationState s = step.state();
            log.info("step {} {} -> {}/{} {} effects={} cases={}", Redaction.openid(openid), message.dedupKey()
                            .startsWith("m:") ? message.dedupKey() : message.kind(),
                    s == null ? "-" : s.flow(), s == null ? "-" : s.node(), s == null ? "-" : s.status(),
                    step.effects().stream().map(e -> e.getClass().getSimpleName()).toList(), caseIds);
            return replies;
        });
    }

    /**
     * Severity before arrival order (crisis lines triage so): a life at risk now, then danger, then a
     * possible danger, then a request for a person; within a level, the longest waiting first.
     */
    static double queueScore(ConversationState.Escalation e, Instant now) {
        int tier = e == null ? ConversationState.Escalation.Level.STAFF.ordinal() : e.level().ordinal();
        Instant since = e == null || e.openedAt() == null ? now : e.openedAt();
        return tier * 1e13 + since.toEpochMilli();
    }

    private static Future<Void> secondaryFailed(String what, String openid, Throwable e) {
        log.warn("step of {} saved, but the {} was not updated: {}", Redaction.openid(openid), what, e.toString());
        return Future.succeededFuture();
    }

    private static void outbox(ConversationStore.Changes changes, String openid, String type,
                               Map<String, Object> data, Instant now) {
        CaseEvent event = new CaseEvent(UUID.randomUUID().toString(), type, now, data);
        String key = RedisKeys.outbox(openid);
        changes.command(key, "XADD", key, "*", "id", event.id(), "type", event.type(),
                "time", event.time().toString(), "v", Integer.toString(EventSchemas.version(type)),
                "event", Json.write(event));
    }

    /** Hands out case numbers to the engine; the first run only counts how many it wants. */
    private static final class CaseNumbers implements Supplier<String> {
        private final Iterator<String> ids;
        private int drawn;

        CaseNumbers(List<String> ids) {
            this.ids = ids.iterator();
        }

        @Override
        public String get() {
            drawn++;
            return ids.hasNext() ? ids.next() : "CL-PENDING-" + drawn;
        }
    }
}
