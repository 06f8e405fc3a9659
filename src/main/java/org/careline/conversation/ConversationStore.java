package org.careline.conversation;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.cases.CaseEvent;
import org.careline.cases.CaseRecord;
import org.careline.flow.ConversationState;
import org.careline.flow.StepContext;
import org.careline.redis.LuaScript;
import org.careline.redis.RedisKeys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One person's conversation in Redis: read in one round trip, written in one Lua script so that the new
 * state, the transcript lines, new cases and their outbox events land together or not at all.
 */
public final class ConversationStore {

    /**
     * Reads state, profile, the ten newest cases and when staff last replied and claimed the chat, in one round
     * trip (all keys share the person's slot).
     */
    private static final LuaScript LOAD = new LuaScript("""
            local conv = redis.call('GET', KEYS[1])
            local profile = redis.call('HGETALL', KEYS[2])
            local ids = redis.call('ZREVRANGE', KEYS[3], 0, 9)
            local cases = {}
            for i, id in ipairs(ids) do
              cases[i] = redis.call('GET', ARGV[1] .. id) or ''
            end
            local staff = redis.call('HMGET', KEYS[4], 'lastReplyAt', 'claimedAt')
            return {conv or '', profile, cases, staff[1] or '', staff[2] or ''}
            """);

    /**
     * Applies a list of commands atomically. Redis runs a script without interleaving anything else, so
     * a crash of CareLine mid-save cannot leave a state without its events or the other way round.
     */
    private static final LuaScript APPLY = new LuaScript("""
            local i, n = 1, 0
            while i <= #ARGV do
              local len = tonumber(ARGV[i])
              redis.call(unpack(ARGV, i + 1, i + len))
              i = i + len + 1
              n = n + 1
            end
            return n
            """);

    /**
     * The first round trip of a message (DESIGN §2 steps 2–3): claim it for WeChat's retries, take the
     * person's lock, and read what the step needs. Every key is the person's (one cluster slot).
     * KEYS: dedup, lock, conv, profile, cases, staff. ARGV: processing record, lease ms, lock token, lock ttl ms,
     * case-key prefix. Answers {'seen', record} for a message another turn holds or has answered;
     * {'busy'} when another instance holds the person's lock (the claim stays ours: calling again with the
     * same record and token goes on from there); else {'mine', conv, profile, cases, staff's last reply, claim}.
     */
    private static final LuaScript BEGIN = new LuaScript("""
            local seen = redis.call('GET', KEYS[1])
            if seen and seen ~= ARGV[1] then
              return {'seen', seen}
            end
            if not seen then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            end
            local holder = redis.call('GET', KEYS[2])
            if holder and holder ~= ARGV[3] then
              return {'busy'}
            end
            redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
            local conv = redis.call('GET', KEYS[3])
            local profile = redis.call('HGETALL', KEYS[4])
            local ids = redis.call('ZREVRANGE', KEYS[5], 0, 9)
            local cases = {}
            for i, id in ipairs(ids) do
              cases[i] = redis.call('GET', ARGV[5] .. id) or ''
            end
            local staff = redis.call('HMGET', KEYS[6], 'lastReplyAt', 'claimedAt')
            return {'mine', conv or '', profile, cases, staff[1] or '', staff[2] or ''}
            """);

    /**
     * The last round trip: the step's changes, the reply kept for retries, the lock given back — together.
     * KEYS: dedup, lock, then the keys the changes touch. ARGV: reply record, dedup window ms, lock token,
     * then the changes' commands, each as its length and its words (no JSON to decode: Lua's cjson cost more
     * than the commands). Refuses to write when another turn holds the lock (ours expired during a very long
     * step, and someone else has stepped the conversation since).
     */
    private static final LuaScript FINISH = new LuaScript("""
            local holder = redis.call('GET', KEYS[2])
            if holder and holder ~= ARGV[3] then
              return redis.error_reply('LOCKLOST the person was locked by another turn')
            end
            local i = 4
            while i <= #ARGV do
              local len = tonumber(ARGV[i])
              redis.call(unpack(ARGV, i + 1, i + len))
              i = i + len + 1
            end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            if holder then
              redis.call('DEL', KEYS[2])
            end
            return 1
            """);

    /** A turn that failed: its claim and lock are given back so that WeChat's retry runs the message. */
    private static final LuaScript ABANDON = new LuaScript("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
            end
            if redis.call('GET', KEYS[2]) == ARGV[2] then
              redis.call('DEL', KEYS[2])
            end
            return 1
            """);

    /**
     * An event written once per period of its subject, with its ledger entry, in one script (both keys in the
     * owner's slot). KEYS: ledger, outbox. ARGV: subject, period, id, type, time, event JSON.
     */
    private static final LuaScript ONCE = new LuaScript("""
            if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
              return 0
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('XADD', KEYS[2], '*', 'id', ARGV[3], 'type', ARGV[4], 'time', ARGV[5], 'event', ARGV[6])
            return 1
            """);

    private final RedisAPI redis;
    private final Duration retention;
    private final java.time.Clock clock;

    public ConversationStore(RedisAPI redis, Duration retention) {
        this(redis, retention, java.time.Clock.systemUTC());
    }

    public ConversationStore(RedisAPI redis, Duration retention, java.time.Clock clock) {
        this.redis = redis;
        this.retention = retention;
        this.clock = clock;
    }

    /**
     * What the orchestrator needs before a step. {@code state} is null for a new person; {@code staffRepliedAt}
     * (when someone on staff last claimed the person's chat or wrote to them from the console) is null when
     * nobody has.
     */
    public record Snapshot(ConversationState state, StepContext.Profile profile, List<CaseRecord> cases,
                           Instant staffRepliedAt) {}

    public Future<Snapshot> load(String openid) {
        return LOAD.run(redis, List.of(RedisKeys.conversation(openid), RedisKeys.profile(openid),
                RedisKeys.userCases(openid), RedisKeys.staffHandling(openid)), List.of(RedisKeys.caseRecord(openid, "")))
                .map(r -> snapshot(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)));
    }

    /** What the first round trip of a message found. Exactly one of the three holds. */
    public record Begin(Snapshot snapshot, ReplyRecord seen, boolean busy) {}

    /**
     * Claims message {@code dedupKey} of this person under {@code token}, takes their lock and loads their
     * conversation, in one round trip. Calling it again with the same token after {@code busy} goes on.
     */
    public Future<Begin> begin(String openid, String dedupKey, String token) {
        List<String> keys = List.of(RedisKeys.dedup(openid, dedupKey), RedisKeys.userLock(openid),
                RedisKeys.conversation(openid), RedisKeys.profile(openid), RedisKeys.userCases(openid),
                RedisKeys.staffHandling(openid));
        List<String> args = List.of(Json.write(ReplyRecord.processing(token)),
                Long.toString(RedisKeys.PROCESSING_LEASE.toMillis()), token,
                Long.toString(RedisKeys.USER_LOCK_TTL.toMillis()), RedisKeys.caseRecord(openid, ""));
        return BEGIN.run(redis, keys, args).map(r -> switch (r.get(0).toString()) {
            case "seen" -> new Begin(null, readReply(r.get(1).toString()), false);
            case "busy" -> new Begin(null, null, true);
            default -> new Begin(snapshot(r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)), null, false);
        });
    }

    /** Saves a step's changes, keeps its reply for {@code window} and releases the lock, in one round trip. */
    public Future<Void> finish(String openid, String dedupKey, String token, Changes changes, ReplyRecord reply,
                               Duration window) {
        List<String> keys = new ArrayList<>(List.of(RedisKeys.dedup(openid, dedupKey), RedisKeys.userLock(openid)));
        for (String key : changes.keys()) {
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        List<String> args = new ArrayList<>(List.of(Json.write(reply), Long.toString(window.toMillis()), token));
        changes.appendFlat(args);
        return FINISH.run(redis, keys, args).mapEmpty();
    }

    /** Gives back the claim and the lock of a turn that failed (whichever of them it still holds). */
    public Future<Void> abandon(String openid, String dedupKey, String token) {
        return ABANDON.run(redis, List.of(RedisKeys.dedup(openid, dedupKey), RedisKeys.userLock(openid)),
                List.of(Json.write(ReplyRecord.processing(token)), token)).mapEmpty();
    }

    /** What is remembered of a message now (null once forgotten or never seen); read while a retry waits. */
    public Future<ReplyRecord> reply(String openid, String dedupKey) {
        return redis.get(RedisKeys.dedup(openid, dedupKey)).map(r -> r == null ? null : readReply(r.toString()));
    }

    private static ReplyRecord readReply(String json) {
        return Json.read(json, ReplyRecord.class);
    }

    private static Snapshot snapshot(Response convR, Response profileR, Response casesR, Response staffReplyR,
                                     Response claimedR) {
        // Read from the reply's bytes: no String decoded and copied first (a state is read with every message).
        byte[] conv = convR.toBytes();
        ConversationState state = conv.length == 0 ? null : readState(conv);
        List<CaseRecord> cases = new ArrayList<>();
        for (Response c : casesR) {
            byte[] json = c == null ? new byte[0] : c.toBytes();
            if (json.length > 0) {
                cases.add(Json.read(json, CaseRecord.class));
            }
        }
        // Someone on staff is with the person since they claimed the chat or last wrote, whichever is later.
        Instant replied = instant(staffReplyR);
        Instant claimed = instant(claimedR);
        Instant staffActive = replied == null || claimed != null && claimed.isAfter(replied) ? claimed : replied;
        return new Snapshot(state, profile(profileR), cases, staffActive);
    }

    /** A stored time, or null when there is none or it does not read (as if nobody had claimed or replied). */
    private static Instant instant(Response r) {
        String text = r == null ? "" : r.toString();
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** A state that no longer parses (a format change) is treated as no state: the person starts afresh. */
    private static ConversationState readState(byte[] json) {
        try {
            return Json.read(json, ConversationState.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static StepContext.Profile profile(Response hash) {
        if (hash == null || hash.size() == 0) {
            return StepContext.Profile.family();
        }
        String role = "family";
        String community = null;
        String town = null;
        String rosterId = null;
        for (int i = 0; i + 1 < hash.size(); i += 2) {
            String k = hash.get(i).toString();
            String v = hash.get(i + 1).toString();
            switch (k) {
                case "role" -> role = v;
                case "community" -> community = v;
                case "town" -> town = v;
                case "rosterId" -> rosterId = v;
                default -> { }
            }
        }
        return new StepContext.Profile(role, community, town, rosterId);
    }

    /** Applies a {@link Changes} atomically. */
    public Future<Void> apply(Changes changes) {
        if (changes.isEmpty()) {
            return Future.succeededFuture();
        }
        List<String> args = new ArrayList<>();
        changes.appendFlat(args);
        return APPLY.run(redis, changes.keys(), args).mapEmpty();
    }

    public Duration retention() {
        return retention;
    }

    /**
     * Puts the person (by pseudonym) in the outbox index, due now unless already there: a retry scheduled
     * later keeps its time, so a new event never hurries the one waiting before it. Called before the events
     * are written (if we die between the two writes the worker finds an empty stream, which is harmless; the
     * other order could strand events) and again after (a worker that found the stream empty just before
     * our write may have taken the person out of the index).
     */
    public Future<Void> indexOutbox(String openid) {
        return redis.zadd(List.of(RedisKeys.outboxIndex(), "NX", Long.toString(clock.millis()),
                RedisKeys.person(openid))).mapEmpty();
    }

    /**
     * Appends {@code event} to {@code owner}'s outbox unless it was already written for this {@code period} of
     * {@code subject} (e.g. {@code visit.overdue} once per child per overdue period, however many instances
     * sweep). Completes with whether it was written now.
     */
    public Future<Boolean> appendEventOnce(String owner, String subject, String period,
                                           org.careline.cases.CaseEvent event) {
        return indexOutbox(owner).compose(v -> ONCE.run(redis,
                List.of(RedisKeys.eventLedger(owner), RedisKeys.outbox(owner)),
                List.of(subject, period, event.id(), event.type(), event.time().toString(), Json.write(event))))
                .map(r -> r.toInteger() == 1);
    }

    /** The person is no longer a bound director or supervisor (unbound by staff, or bound on another phone). */
    public Future<Void> clearProfile(String openid) {
        return redis.del(List.of(RedisKeys.profile(openid))).mapEmpty();
    }

    /** Remembers whose a case is (the transcript link of case events). Another cluster slot: a write of its own. */
    public Future<Void> ownCase(String caseId, String openid) {
        return redis.set(List.of(RedisKeys.caseOwner(caseId), openid)).mapEmpty();
    }

    /**
     * Puts the person in the staff queue at {@code score} (severity, then waiting time). {@code onlyIfMissing}
     * (NX) re-adds an entry an earlier write lost without moving one that is there; otherwise LT keeps the lower
     * score, so a later request never downgrades an urgent chat nor moves it back.
     */
    public Future<Void> queueForStaff(String openid, double score, boolean onlyIfMissing) {
        return redis.zadd(List.of(RedisKeys.escalationInbox(), onlyIfMissing ? "NX" : "LT", Double.toString(score), openid))
                .mapEmpty();
    }

    /** Takes the person out of the staff queue (their escalation was closed). */
    public Future<Void> leaveStaffQueue(String openid) {
        return redis.zrem(List.of(RedisKeys.escalationInbox(), openid)).mapEmpty();
    }

    /** Reserves {@code count} case numbers of {@code day}; completes with the last one reserved. */
    public Future<Long> reserveCaseNumbers(String day, int count) {
        return redis.incrby(RedisKeys.caseSequence(day), Integer.toString(count)).map(Response::toLong);
    }

    /** Reads one case of a person. */
    public Future<CaseRecord> caseRecord(String openid, String caseId) {
        return redis.get(RedisKeys.caseRecord(openid, caseId))
                .map(r -> r == null ? null : Json.read(r.toString(), CaseRecord.class));
    }

    /** Deletes everything kept about a person's conversation (unsubscribe, or a request to delete). */
    public Future<Void> forget(String openid) {
        List<String> keys = new ArrayList<>(List.of(RedisKeys.personalKeys(openid)));
        return forgetConsoleId(openid).compose(v -> redis.del(keys))
                .compose(v -> redis.zrem(List.of(RedisKeys.escalationInbox(), openid)))
                .mapEmpty();
    }

    /** The person's case numbers, oldest first. */
    public Future<List<String>> caseIds(String openid) {
        return redis.zrange(List.of(RedisKeys.userCases(openid), "0", "-1")).map(r -> {
            List<String> ids = new ArrayList<>();
            r.forEach(id -> ids.add(id.toString()));
            return ids;
        });
    }

    /**
     * Deletes everything CareLine keeps about a person, cases included: a request to delete (PIPL Art. 47)
     * made to staff. In one script in the person's slot: conversation, profile, transcript, cases, and
     * {@code then} (the {@code person.erased} event). Then what lives in other slots: case owners, the staff
     * queue, remembered replies, dead letters. Events already in the outbox still reach the back office, which
     * holds the case file; the outbox is deleted once they have.
     *
     * @return how many of the person's cases were deleted
     */
    public Future<Integer> erase(String openid, List<String> caseIds, Changes then) {
        Changes all = new Changes();
        List<String> keys = new ArrayList<>(List.of(RedisKeys.personalKeys(openid)));
        keys.add(RedisKeys.userCases(openid));
        caseIds.forEach(id -> keys.add(RedisKeys.caseRecord(openid, id)));
        for (String key : keys) {
            all.command(key, "DEL", key);
        }
        for (int i = 0; i < then.ops().size(); i++) {
            List<String> op = then.ops().get(i);
            all.command(op.get(1), op.toArray(String[]::new));
        }
        Future<Void> deleted = forgetConsoleId(openid).compose(v -> apply(all));
        for (String id : caseIds) {
            // Case-owner keys live in other cluster slots: one DEL each.
            deleted = deleted.compose(v -> redis.del(List.of(RedisKeys.caseOwner(id))).mapEmpty());
        }
        return deleted.compose(v -> redis.zrem(List.of(RedisKeys.escalationInbox(), openid)))
                .compose(v -> forgetReplies(RedisKeys.dedupPrefix(openid) + "*", "0"))
                .compose(v -> org.careline.cases.OutboxStore.forgetDeadLetters(redis, RedisKeys.person(openid)))
                .map(v -> caseIds.size());
    }

    /**
     * Remembered replies (dedup keys) would expire with the dedup window anyway, but they hold what the bot
     * said to the person. Found with SCAN: erasure is rare, and the hot path stays free of a per-person list.
     */
    private Future<Void> forgetReplies(String pattern, String cursor) {
        return redis.scan(List.of(cursor, "MATCH", pattern, "COUNT", "1000")).compose(r -> {
            String next = r.get(0).toString();
            List<String> found = new ArrayList<>();
            r.get(1).forEach(k -> found.add(k.toString()));
            Future<Void> del = found.isEmpty() ? Future.succeededFuture() : redis.del(found).mapEmpty();
            return del.compose(v -> "0".equals(next) ? Future.<Void>succeededFuture() : forgetReplies(pattern, next));
        });
    }

    /** The transcript lines (JSON, oldest first) of the person who owns a case; null when unknown. */
    public Future<List<String>> transcriptOfCase(String caseId) {
        return redis.get(RedisKeys.caseOwner(caseId)).compose(owner -> {
            if (owner == null) {
                return Future.succeededFuture(null);
            }
            return redis.lrange(RedisKeys.transcript(owner.toString()), "0", "-1").map(r -> {
                List<String> lines = new ArrayList<>();
                for (Response line : r) {
                    lines.add(0, line.toString());
                }
                return lines;
            });
        });
    }

    /** Raw state JSON for the admin view. */
    public Future<ConversationState> state(String openid) {
        return redis.get(RedisKeys.conversation(openid)).map(r -> r == null ? null : readState(r.toBytes()));
    }

    /** The role a person has with the bureau ({@code family} unless bound as a director or supervisor). */
    public Future<String> role(String openid) {
        return redis.hget(RedisKeys.profile(openid), "role").map(r -> r == null ? "family" : r.toString());
    }

    /** Sets fields of a person's profile (the sandbox's personas; later the roster's bindings). */
    public Future<Void> setProfile(String openid, String... fieldsAndValues) {
        List<String> args = new ArrayList<>();
        args.add(RedisKeys.profile(openid));
        args.addAll(List.of(fieldsAndValues));
        return redis.hset(args).mapEmpty();
    }

    /** An open escalation as the staff queue lists it: whose, its state, and the newest transcript lines. */
    public record OpenEscalation(String openid, ConversationState state, List<String> lastLines) {}

    /**
     * How many transcript lines a listing of open escalations carries per person: enough to find the person's
     * last words behind menu answers, bot lines and staff notes.
     */
    static final int LAST_LINES = 20;

    /**
     * The open escalations in queue order (the staff queue's score: severity, then waiting time), at most
     * {@code limit}. An entry whose conversation is gone (deleted, expired) is left out.
     */
    public Future<List<OpenEscalation>> openEscalations(int limit) {
        return redis.zrange(List.of(RedisKeys.escalationInbox(), "0", Integer.toString(limit - 1))).compose(ids -> {
            List<Future<OpenEscalation>> each = new ArrayList<>();
            for (Response id : ids) {
                String openid = id.toString();
                each.add(state(openid).compose(st -> redis.lrange(RedisKeys.transcript(openid), "0",
                        Integer.toString(LAST_LINES - 1)).map(lines -> {
                    List<String> out = new ArrayList<>();
                    if (lines != null) {
                        for (Response line : lines) {
                            out.add(0, line.toString());
                        }
                    }
                    return new OpenEscalation(openid, st, out);
                })));
            }
            return Future.all(each).map(all -> {
                List<OpenEscalation> out = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    OpenEscalation e = all.resultAt(i);
                    if (e.state() != null) {
                        out.add(e);
                    }
                }
                return out;
            });
        });
    }

    /** Whose a case is: the openid that opened it, or null for a case CareLine does not know. */
    public Future<String> ownerOfCase(String caseId) {
        return redis.get(RedisKeys.caseOwner(caseId)).map(r -> r == null ? null : r.toString());
    }

    /** How many of the newest transcript lines are searched for the person's last message. */
    private static final int LAST_HEARD_LINES = 60;

    /**
     * When the person last wrote to (or clicked, followed) the account, from the newest transcript line that
     * is theirs; null when none is kept. WeChat's 48-hour customer-service window runs from that moment.
     * The state's {@code updatedAt} is not used: staff resolving a chat changes it without the person writing.
     */
    public Future<Instant> lastHeardFrom(String openid) {
        return redis.lrange(RedisKeys.transcript(openid), "0", Integer.toString(LAST_HEARD_LINES - 1)).map(lines -> {
            if (lines == null) {
                return null;
            }
            for (Response line : lines) {
                Map<?, ?> parsed = Json.read(line.toString(), Map.class);
                if ("user".equals(parsed.get("from")) && parsed.get("at") != null) {
                    return Instant.parse(parsed.get("at").toString());
                }
            }
            return null;
        });
    }

    /**
     * Saves a case as the back office changed it, with the event telling the back office so, in one script
     * (both keys are the person's). Call in the person's turn; the outbox index is written first, as for a step.
     */
    public Future<Void> updateCase(CaseRecord updated, CaseEvent event) {
        String openid = updated.openid();
        String key = RedisKeys.caseRecord(openid, updated.caseId());
        String outbox = RedisKeys.outbox(openid);
        Changes changes = new Changes()
                .command(key, "SET", key, Json.write(updated))
                .command(outbox, "XADD", outbox, "*", "id", event.id(), "type", event.type(),
                        "time", event.time().toString(), "event", Json.write(event));
        return indexOutbox(openid).compose(v -> apply(changes));
    }

    /** The commands of one atomic save, with the keys they touch declared (Redis Cluster requires it). */
    public static final class Changes {
        private final List<String> keys = new ArrayList<>();
        private final List<List<String>> ops = new ArrayList<>();

        public Changes command(String key, String... command) {
            if (!keys.contains(key)) {
                keys.add(key);
            }
            ops.add(List.of(command));
            return this;
        }

        boolean isEmpty() {
            return ops.isEmpty();
        }

        List<String> keys() {
            return keys;
        }

        List<List<String>> ops() {
            return ops;
        }

        /** Adds every command as its length followed by its words, the form FINISH and APPLY read. */
        void appendFlat(List<String> args) {
            for (List<String> op : ops) {
                args.add(Integer.toString(op.size()));
                args.addAll(op);
            }
        }

        @Override
        public String toString() {
            return "Changes" + Map.of("keys", keys.size(), "ops", ops.size());
        }
    }

    // ---- the staff console's writes to a person's data ----

    /**
     * Claims the person's open escalation (opened at {@code openedAt}) for {@code username}. A claim of an earlier
     * escalation of the same person no longer counts. {@code takeOver}: a supervisor reassigns a claimed chat.
     * KEYS: staff hash. ARGV: username, openedAt, now, takeOver (1/0), ttl ms. Answers the assignee after the call.
     */
    private static final LuaScript CLAIM = new LuaScript("""
            local who = redis.call('HGET', KEYS[1], 'assignee')
            local forOpened = redis.call('HGET', KEYS[1], 'openedAt')
            if who and forOpened == ARGV[2] and who ~= ARGV[1] and ARGV[4] ~= '1' then
              return who
            end
            if forOpened ~= ARGV[2] then
              redis.call('DEL', KEYS[1])
            end
            redis.call('HSET', KEYS[1], 'assignee', ARGV[1], 'claimedAt', ARGV[3], 'openedAt', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return ARGV[1]
            """);

    /**
     * Gives the open escalation (opened at {@code openedAt}) to {@code username}; answers who has it afterwards
     * (someone else when they claimed it first and {@code takeOver} is false).
     */
    public Future<String> claimForStaff(String openid, String username, String openedAt, java.time.Instant now,
                                       boolean takeOver) {
        return CLAIM.run(redis, List.of(RedisKeys.staffHandling(openid)), List.of(username, openedAt, now.toString(),
                takeOver ? "1" : "0", Long.toString(retention.toMillis()))).map(Response::toString);
    }

    /**
     * Releases the person's chat from {@code username} (their account was disabled): nobody has it then, and
     * what was recorded for the escalation (the police report) stays. Answers whether it was theirs.
     */
    public Future<Boolean> releaseForStaff(String openid, String username) {
        return RELEASE.run(redis, List.of(RedisKeys.staffHandling(openid)), List.of(username))
                .map(r -> r != null && r.toInteger() == 1);
    }

    private static final LuaScript RELEASE = new LuaScript("""
            if redis.call('HGET', KEYS[1], 'assignee') == ARGV[1] then
              redis.call('HDEL', KEYS[1], 'assignee', 'claimedAt')
              return 1
            end
            return 0
            """);

    /** Forgets who handled an earlier escalation of the person and what they recorded. */
    public Future<Void> forgetStaffHandling(String openid) {
        return redis.del(List.of(RedisKeys.staffHandling(openid))).mapEmpty();
    }

    /** Who on staff handles the person's escalation, and what they recorded (empty map when nobody). */
    public Future<Map<String, String>> staffHandling(String openid) {
        return redis.hgetall(RedisKeys.staffHandling(openid)).map(r -> {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            // RESP2 (see RedisConnector): field, value, field, value …
            for (int i = 0; r != null && i + 1 < r.size(); i += 2) {
                out.put(r.get(i).toString(), r.get(i + 1).toString());
            }
            return out;
        });
    }

    /**
     * The person's pseudonymous console id: the one they have, else {@code candidate} (SET NX, so two readers
     * agree). Both directions live as long as the conversation.
     */
    public Future<String> consoleId(String openid, String candidate) {
        String ttl = Long.toString(retention.toMillis());
        String key = RedisKeys.consoleId(openid);
        // Read on every listing of the inbox: one GET once the id exists.
        return redis.get(key).compose(known -> known != null ? Future.succeededFuture(known.toString())
                : redis.set(List.of(key, candidate, "NX", "PX", ttl))
                .compose(r -> redis.get(key))
                .compose(id -> {
                    String mine = id == null ? candidate : id.toString();
                    return redis.set(List.of(RedisKeys.consoleConversation(mine), openid, "PX", ttl)).map(v -> mine);
                }));
    }

    /** The openid behind a console id, or null (unknown, or the person's data was deleted since). */
    public Future<String> openidOfConsoleId(String consoleId) {
        return redis.get(RedisKeys.consoleConversation(consoleId)).compose(openid -> openid == null
                ? Future.succeededFuture(null)
                : redis.get(RedisKeys.consoleId(openid.toString())).map(back ->
                        back != null && back.toString().equals(consoleId) ? openid.toString() : null));
    }

    /** The reverse console mapping is another cluster slot: deleted on its own when the person's data goes. */
    private Future<Void> forgetConsoleId(String openid) {
        return redis.get(RedisKeys.consoleId(openid)).compose(id -> id == null ? Future.succeededFuture()
                : redis.del(List.of(RedisKeys.consoleConversation(id.toString()))).mapEmpty());
    }

    /** The whole transcript (JSON lines, oldest first). */
    public Future<List<String>> transcript(String openid) {
        return redis.lrange(RedisKeys.transcript(openid), "0", "-1").map(r -> {
            List<String> lines = new ArrayList<>();
            if (r != null) {
                for (Response line : r) {
                    lines.add(0, line.toString());
                }
            }
            return lines;
        });
    }
}
