package org.careline.cases;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.redis.LuaScript;
import org.careline.redis.RedisKeys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outbox in Redis, as the delivery worker and the operator see it. Events are written elsewhere, in the
 * same script as the state that caused them ({@code ConversationStore}); this class takes them for delivery,
 * acknowledges and removes them, schedules retries and keeps the dead letters.
 *
 * <p>Layout (keys in {@link RedisKeys}): one stream per person, in the person's cluster slot, read through a
 * consumer group; a retry record beside it; one index of person pseudonyms scored by when to look next; one
 * dead-letter stream. Only the head of a person's stream is ever taken, so a person's events reach the back
 * office in the order they happened, and while the head waits for a retry nothing behind it moves.
 */
public final class OutboxStore {

    static final String GROUP = "delivery";

    /**
     * Acknowledges and removes a delivered entry (if any), then takes the person's next one. KEYS: stream,
     * retry record. ARGV: group, consumer, now ms, claim timeout ms, delivered entry id or ''.
     * ARGV[6] 'ack-only' stops after the acknowledgement (an instance shutting down).
     * Answers {'empty'} (and deletes the stream: nothing of the person stays behind), {'busy'} (another
     * instance has the head in hand), {'wait', at} (the head waits for its retry) or {'entry', id, fields,
     * attempt}. The head is taken when nobody has it, when its retry is due (whoever took it last), or when
     * the instance that took it has been silent for the claim timeout (XAUTOCLAIM: it crashed).
     */
    private static final LuaScript NEXT = new LuaScript("""
            local stream, retry = KEYS[1], KEYS[2]
            local group, me, now, minIdle, ack = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
            if ack ~= '' then
              redis.call('XACK', stream, group, ack)
              redis.call('XDEL', stream, ack)
              if redis.call('HGET', retry, 'entry') == ack then
                redis.call('DEL', retry)
              end
            end
            if ARGV[6] == 'ack-only' then
              if redis.call('XLEN', stream) == 0 then
                redis.call('DEL', stream, retry)
              end
              return {'busy'}
            end
            for _ = 1, 3 do
              if redis.call('XLEN', stream) == 0 then
                redis.call('DEL', stream, retry)
                return {'empty'}
              end
              redis.pcall('XGROUP', 'CREATE', stream, group, '0')
              local head = redis.call('XPENDING', stream, group, '-', '+', 1)[1]
              if not head then
                local read = redis.call('XREADGROUP', 'GROUP', group, me, 'COUNT', 1, 'STREAMS', stream, '>')
                if not read then
                  -- Entries behind the group's last id: read from the start of what is left.
                  redis.call('XGROUP', 'SETID', stream, group, '0')
                  read = redis.call('XREADGROUP', 'GROUP', group, me, 'COUNT', 1, 'STREAMS', stream, '>')
                end
                if not read then
                  return {'busy'}
                end
                local e = read[1][2][1]
                return {'entry', e[1], e[2], 1}
              end
              local id, idle, count = head[1], head[3], head[4]
              local claimed
              if redis.call('HGET', retry, 'entry') == id then
                local at = tonumber(redis.call('HGET', retry, 'at'))
                if at > now then
                  return {'wait', tostring(at)}
                end
                -- Taking a due retry removes its record, so a third instance does not take it as well.
                redis.call('DEL', retry)
                claimed = redis.call('XCLAIM', stream, group, me, 0, id)
              elseif idle >= minIdle then
                claimed = redis.call('XAUTOCLAIM', stream, group, me, minIdle, '0-0', 'COUNT', 1)[2]
              else
                return {'busy'}
              end
              if claimed[1] and claimed[1][2] then
                return {'entry', claimed[1][1], claimed[1][2], count + 1}
              end
              -- A pending entry that no longer exists: let it go and look again.
              redis.call('XACK', stream, group, id)
            end
            return {'busy'}
            """);

    /**
     * Takes up to ARGV[2] people whose outbox is due by ARGV[1] and moves them to ARGV[3] (a lease), so that
     * other instances look elsewhere meanwhile. KEYS: the index.
     */
    private static final LuaScript CLAIM_DUE = new LuaScript("""
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
            for _, p in ipairs(due) do
              redis.call('ZADD', KEYS[1], 'XX', ARGV[3], p)
            end
            return due
            """);

    /** Removes a dead letter and answers its fields, or nothing when it is gone. KEYS: dead. ARGV: id. */
    private static final LuaScript TAKE_DEAD = new LuaScript("""
            local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])[1]
            if not e then
              return false
            end
            redis.call('XDEL', KEYS[1], ARGV[1])
            return e[2]
            """);

    private final RedisAPI redis;
    private final java.time.Clock clock;

    public OutboxStore(RedisAPI redis, java.time.Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** The clock every outbox time is read from (also the worker's, the monitor's and the admin routes'). */
    public java.time.Clock clock() {
        return clock;
    }

    /** An outbox entry taken for delivery: stream id, the stored fields, and which attempt this is (1 = first). */
    public record Entry(String streamId, Map<String, String> fields, int attempt) {
        public String eventId() {
            return fields.get("id");
        }

        public String type() {
            return fields.get("type");
        }

        /** When the event was written (the stream id's milliseconds). */
        public long writtenAtMillis() {
            return streamMillis(streamId);
        }
    }

    /** What {@link #next} found. */
    public record Take(Kind kind, Entry entry, long waitUntil) {
        public enum Kind { ENTRY, EMPTY, BUSY, WAIT }
    }

    /**
     * Acknowledges and deletes {@code deliveredId} (null for none) and takes the person's next entry for
     * {@code consumer}, in one round trip.
     */
    public Future<Take> next(String person, String consumer, long nowMillis, long claimTimeoutMillis,
                             String deliveredId) {
        return NEXT.run(redis, List.of(RedisKeys.outboxOf(person), RedisKeys.outboxRetryOf(person)),
                List.of(GROUP, consumer, Long.toString(nowMillis), Long.toString(claimTimeoutMillis),
                        deliveredId == null ? "" : deliveredId, "")).map(r -> switch (r.get(0).toString()) {
                    case "entry" -> new Take(Take.Kind.ENTRY,
                            new Entry(r.get(1).toString(), fields(r.get(2)), r.get(3).toInteger()), 0);
                    case "wait" -> new Take(Take.Kind.WAIT, null, Long.parseLong(r.get(1).toString()));
                    case "empty" -> new Take(Take.Kind.EMPTY, null, 0);
                    default -> new Take(Take.Kind.BUSY, null, 0);
                });
    }

    /** Acknowledges and deletes a delivered entry without taking another (an instance shutting down). */
    public Future<Void> acknowledge(String person, String deliveredId) {
        return NEXT.run(redis, List.of(RedisKeys.outboxOf(person), RedisKeys.outboxRetryOf(person)),
                List.of(GROUP, "-", "0", "0", deliveredId, "ack-only")).mapEmpty();
    }

    /** People due by {@code nowMillis}, at most {@code limit}, leased to the caller until {@code leaseUntil}. */
    public Future<List<String>> claimDue(long nowMillis, int limit, long leaseUntilMillis) {
        return CLAIM_DUE.run(redis, List.of(RedisKeys.outboxIndex()),
                List.of(Long.toString(nowMillis), Integer.toString(limit), Long.toString(leaseUntilMillis)))
                .map(r -> {
                    List<String> out = new ArrayList<>(r.size());
                    r.forEach(p -> out.add(p.toString()));
                    return out;
                });
    }

    /**
     * The head entry failed and waits until {@code atMillis}: recorded beside the stream (so any instance may
     * take it then) and in the index (so one looks).
     */
    public Future<Void> scheduleRetry(String person, String streamId, long atMillis) {
        String at = Long.toString(atMillis);
        return redis.hset(List.of(RedisKeys.outboxRetryOf(person), "entry", streamId, "at", at))
                .compose(v -> reschedule(person, atMillis));
    }

    /** Look at this person again at {@code atMillis}. */
    public Future<Void> reschedule(String person, long atMillis) {
        return redis.zadd(List.of(RedisKeys.outboxIndex(), Long.toString(atMillis), person)).mapEmpty();
    }

    /**
     * The person's outbox was found empty (and deleted): out of the index. An event written meanwhile puts
     * them back: its writer indexes after the write too, and the check below covers a write in between.
     */
    public Future<Void> drained(String person) {
        return redis.zrem(List.of(RedisKeys.outboxIndex(), person))
                .compose(v -> redis.exists(List.of(RedisKeys.outboxOf(person))))
                .compose(n -> n.toInteger() == 0 ? Future.<Void>succeededFuture()
                        : redis.zadd(List.of(RedisKeys.outboxIndex(), "NX", Long.toString(clock.millis()),
                        person)).mapEmpty());
    }

    /**
     * Copies an entry to the dead letters with why it failed. The caller then acknowledges it in the person's
     * stream (another slot: a crash in between leaves a second copy on replay, which the event id makes harmless).
     */
    public Future<String> deadLetter(String person, Entry entry, String reason, long nowMillis) {
        List<String> cmd = new ArrayList<>(List.of(RedisKeys.outboxDeadLetters(), "*", "person", person,
                "entry", entry.streamId()));
        entry.fields().forEach((k, v) -> {
            cmd.add(k);
            cmd.add(v);
        });
        cmd.addAll(List.of("reason", reason, "attempts", Integer.toString(entry.attempt()),
                "failedAt", Long.toString(nowMillis)));
        return redis.xadd(cmd).map(Response::toString);
    }

    /** One dead letter as stored (with the event, so personal data: the admin view masks it). */
    public record DeadLetter(String id, Map<String, String> fields) {
        public String person() {
            return fields.get("person");
        }
    }

    public Future<List<DeadLetter>> deadLetters(int limit) {
        return redis.xrange(List.of(RedisKeys.outboxDeadLetters(), "-", "+", "COUNT", Integer.toString(limit)))
                .map(OutboxStore::deadLetters);
    }

    public Future<Long> deadLetterCount() {
        return redis.xlen(RedisKeys.outboxDeadLetters()).map(Response::toLong);
    }

    /**
     * Puts a dead letter back at the end of its person's outbox with its event id unchanged (the receiver's
     * idempotency key), attempts counted afresh. False when there is no such dead letter.
     */
    public Future<Boolean> replay(String deadId) {
        return TAKE_DEAD.run(redis, List.of(RedisKeys.outboxDeadLetters()), List.of(deadId)).compose(r -> {
            if (r == null) {
                return Future.succeededFuture(false);
            }
            Map<String, String> f = fields(r);
            String person = f.get("person");
            List<String> cmd = new ArrayList<>(List.of(RedisKeys.outboxOf(person), "*"));
            for (String k : List.of("id", "type", "time", "v", "event")) {
                if (f.get(k) != null) {
                    cmd.add(k);
                    cmd.add(f.get(k));
                }
            }
            String now = Long.toString(clock.millis());
            // Indexed before and after the write, as a conversation's events are.
            return redis.zadd(List.of(RedisKeys.outboxIndex(), "NX", now, person))
                    .compose(v -> redis.xadd(cmd))
                    .compose(v -> redis.zadd(List.of(RedisKeys.outboxIndex(), "NX", now, person)))
                    .map(v -> true);
        });
    }

    /** Replays every dead letter, oldest first; answers how many. */
    public Future<Integer> replayAll() {
        return deadLetters(REPLAY_BATCH).compose(batch -> {
            Future<Integer> done = Future.succeededFuture(0);
            for (DeadLetter d : batch) {
                done = done.compose(n -> replay(d.id()).map(ok -> ok ? n + 1 : n));
            }
            return done.compose(n -> batch.size() < REPLAY_BATCH ? Future.succeededFuture(n)
                    : replayAll().map(more -> n + more));
        });
    }

    private static final int REPLAY_BATCH = 500;

    /**
     * Drops a dead letter for good, keeping a record of which event, why and when (no event data). Answers
     * the dropped letter, or null when there was none.
     */
    public Future<DeadLetter> discard(String deadId, String reason, long nowMillis) {
        return TAKE_DEAD.run(redis, List.of(RedisKeys.outboxDeadLetters()), List.of(deadId)).compose(r -> {
            if (r == null) {
                return Future.succeededFuture(null);
            }
            DeadLetter d = new DeadLetter(deadId, fields(r));
            return redis.xadd(List.of(RedisKeys.outboxDiscarded(), "MAXLEN", "~", "10000", "*",
                    "eventId", String.valueOf(d.fields().get("id")), "type", String.valueOf(d.fields().get("type")),
                    "failure", String.valueOf(d.fields().get("reason")), "reason", reason,
                    "at", Long.toString(nowMillis))).map(v -> d);
        });
    }

    /** Deletes the dead letters of one person (erasure); answers how many. */
    public static Future<Integer> forgetDeadLetters(RedisAPI redis, String person) {
        return redis.xrange(List.of(RedisKeys.outboxDeadLetters(), "-", "+")).compose(r -> {
            List<String> ids = new ArrayList<>();
            for (DeadLetter d : deadLetters(r)) {
                if (person.equals(d.person())) {
                    ids.add(d.id());
                }
            }
            if (ids.isEmpty()) {
                return Future.succeededFuture(0);
            }
            List<String> cmd = new ArrayList<>(List.of(RedisKeys.outboxDeadLetters()));
            cmd.addAll(ids);
            return redis.xdel(cmd).map(Response::toInteger);
        });
    }

    /**
     * What waits: people with an outbox, events in them, and the age of the oldest. Reads every indexed
     * stream's length and first entry (at most {@code maxPeople} of them; more makes {@code partial} true).
     */
    public record Stats(long people, long depth, long oldestWrittenAtMillis, long deadLetters, boolean partial) {}

    public Future<Stats> stats(int maxPeople) {
        return redis.zcard(RedisKeys.outboxIndex()).compose(card -> redis.zrange(List.of(RedisKeys.outboxIndex(),
                "0", Integer.toString(maxPeople - 1))).compose(people -> {
            List<Future<long[]>> each = new ArrayList<>();
            for (Response p : people) {
                String stream = RedisKeys.outboxOf(p.toString());
                each.add(redis.xlen(stream).compose(len -> len.toLong() == 0
                        ? Future.succeededFuture(new long[] {0, Long.MAX_VALUE})
                        : redis.xrange(List.of(stream, "-", "+", "COUNT", "1")).map(first -> new long[] {len.toLong(),
                        first.size() == 0 ? Long.MAX_VALUE : streamMillis(first.get(0).get(0).toString())})));
            }
            return Future.all(each).compose(all -> deadLetterCount().map(dead -> {
                long depth = 0;
                long oldest = Long.MAX_VALUE;
                long withEvents = 0;
                for (int i = 0; i < all.size(); i++) {
                    long[] s = all.resultAt(i);
                    depth += s[0];
                    oldest = Math.min(oldest, s[1]);
                    withEvents += s[0] > 0 ? 1 : 0;
                }
                boolean partial = card.toLong() > maxPeople;
                return new Stats(partial ? card.toLong() : withEvents, depth, oldest == Long.MAX_VALUE ? 0 : oldest,
                        dead, partial);
            }));
        }));
    }

    private static List<DeadLetter> deadLetters(Response r) {
        List<DeadLetter> out = new ArrayList<>();
        for (Response e : r) {
            out.add(new DeadLetter(e.get(0).toString(), fields(e.get(1))));
        }
        return out;
    }

    private static Map<String, String> fields(Response flat) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            out.put(flat.get(i).toString(), flat.get(i + 1).toString());
        }
        return out;
    }

    static long streamMillis(String streamId) {
        int dash = streamId.indexOf('-');
        return Long.parseLong(dash < 0 ? streamId : streamId.substring(0, dash));
    }
}
