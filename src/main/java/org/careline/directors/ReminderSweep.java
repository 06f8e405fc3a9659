package org.careline.directors;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import org.careline.cases.CaseEvent;
import org.careline.conversation.ConversationStore;
import org.careline.redis.RedisKeys;
import org.careline.wechat.WeChatApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The daily reminder run (DESIGN §5, issue 10): for one day, every child's due date under the policy; each
 * bound director with children due within a week or overdue gets one digest (a template message that points
 * at 走访名单); each child overdue by more than the alert threshold gets one {@code visit.overdue} event per
 * overdue period, and its town's supervisor is told. Safe with any number of instances: one sweeps at a time
 * (a lock), every digest is claimed per director per day before it is sent, every overdue event is written
 * once per child and due date in the same script as its ledger entry.
 */
public final class ReminderSweep {

    private static final Logger log = LoggerFactory.getLogger(ReminderSweep.class);
    /** A sweep of a whole city takes seconds; a crashed sweeper's lock frees itself after this. */
    static final Duration LOCK = Duration.ofMinutes(10);
    /** A claimed digest is remembered past the end of its day (and any clock skew between instances). */
    static final Duration CLAIM = Duration.ofDays(3);
    /** Roster children read per HSCAN, and writes or sends in flight at once. */
    static final int PAGE = 2000;
    static final int IN_FLIGHT = 64;
    private static final DateTimeFormatter TEMPLATE_DATE = DateTimeFormatter.ofPattern("yyyy年M月d日");

    /** What a run did: templates sent, overdue events written; {@code busy}: another instance is sweeping. */
    public record Result(int sent, int overdue, boolean complete, boolean busy) {
        public JsonObject json() {
            return new JsonObject().put("sent", sent).put("overdue", overdue);
        }
    }

    /** Template ids and field specs; an empty id sends nothing of that kind. */
    public record Templates(String digest, String digestFields, String overdue, String overdueFields) {}

    private final RedisAPI redis;
    private final RosterStore roster;
    private final Directory directory;
    private final BindingCodes codes;
    private final ConversationStore events;
    private final WeChatApi wechat;
    private final VisitPolicy policy;
    private final WorkingDays days;
    private final ZoneId zone;
    private final Templates templates;

    public ReminderSweep(RedisAPI redis, RosterStore roster, Directory directory, BindingCodes codes,
                         ConversationStore events, WeChatApi wechat, VisitPolicy policy, WorkingDays days, ZoneId zone,
                         Templates templates) {
        this.redis = redis;
        this.roster = roster;
        this.directory = directory;
        this.codes = codes;
        this.events = events;
        this.wechat = wechat;
        this.policy = policy;
        this.days = days;
        this.zone = zone;
        this.templates = templates;
    }

    /** Whether the day of {@code now} has been swept to the end already (by any instance). */
    public Future<Boolean> sweptOn(Instant now) {
        return redis.exists(List.of(RedisKeys.remindersSwept(LocalDate.ofInstant(now, zone).toString())))
                .map(r -> r.toInteger() > 0);
    }

    /** Runs the sweep as of {@code asOf}: its day in the bureau's time zone. */
    public Future<Result> run(Instant asOf) {
        LocalDate today = LocalDate.ofInstant(asOf, zone);
        String token = UUID.randomUUID().toString();
        return redis.set(List.of(RedisKeys.remindersLock(), token, "NX", "PX", Long.toString(LOCK.toMillis())))
                .compose(ok -> {
                    if (ok == null) {
                        return Future.succeededFuture(new Result(0, 0, false, true));
                    }
                    long started = System.nanoTime();
                    return sweep(today, asOf)
                            .compose(r -> r.complete()
                                    ? redis.set(List.of(RedisKeys.remindersSwept(today.toString()), asOf.toString(),
                                    "PX", Long.toString(CLAIM.toMillis()))).map(v -> r) : Future.succeededFuture(r))
                            .onSuccess(r -> log.info("reminders for {}: {} sent, {} overdue events, {} ms{}", today,
                                    r.sent(), r.overdue(), (System.nanoTime() - started) / 1_000_000,
                                    r.complete() ? "" : " (some sends failed: the next check tries them again)"))
                            .eventually(() -> redis.eval(List.of(RELEASE, "1", RedisKeys.remindersLock(), token)));
                });
    }

    private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    /** Per community: how many children are due within the window, and how many overdue. */
    private static final class Counts {
        int dueSoon;
        int overdue;
    }

    private Future<Result> sweep(LocalDate today, Instant asOf) {
        return roster.current().compose(version -> {
            if (version == null) {
                return Future.succeededFuture(new Result(0, 0, true, false));
            }
            Future<Map<String, JsonObject>> towns = roster.all(version, "towns");
            Future<Map<String, JsonObject>> communities = roster.all(version, "communities");
            Future<Map<String, JsonObject>> people = roster.all(version, "people");
            Future<Map<String, String>> bindings = codes.all();
            Future<Map<String, String>> visits = directory.allLastVisits();
            return Future.all(towns, communities, people, bindings, visits).compose(all -> {
                Map<String, Counts> perCommunity = new HashMap<>();
                List<ChildDue> alerts = new ArrayList<>();
                return scan(version, "0", visits.result(), today, perCommunity, alerts)
                        .compose(v -> notify(today, asOf, towns.result(), communities.result(), people.result(),
                                bindings.result(), perCommunity, alerts));
            });
        });
    }

    private Future<Void> scan(String version, String cursor, Map<String, String> visits, LocalDate today,
                              Map<String, Counts> perCommunity, List<ChildDue> alerts) {
        return roster.children(version, cursor, PAGE).compose(page -> {
            for (JsonObject c : page.children()) {
                ChildDue d = ChildDue.of(c, visits.get(c.getString("id")), today, policy, days);
                Counts counts = perCommunity.computeIfAbsent(d.communityId(), k -> new Counts());
                if (d.daysOverdue() > 0) {
                    counts.overdue++;
                } else if (d.dueWithin(policy.remindDaysAhead())) {
                    counts.dueSoon++;
                }
                if (d.daysOverdue() > policy.overdueAlertDays()) {
                    alerts.add(d);
                }
            }
            return "0".equals(page.next()) ? Future.succeededFuture()
                    : scan(version, page.next(), visits, today, perCommunity, alerts);
        });
    }

    private Future<Result> notify(LocalDate today, Instant asOf, Map<String, JsonObject> towns,
                                  Map<String, JsonObject> communities, Map<String, JsonObject> people,
                                  Map<String, String> bindings, Map<String, Counts> perCommunity, List<ChildDue> alerts) {
        int[] sent = {0};
        int[] overdue = {0};
        boolean[] complete = {true};
        // 1. Each director's digest: claimed, then sent; a failed send gives its claim back.
        List<Function<Void, Future<Void>>> digests = new ArrayList<>();
        for (JsonObject p : people.values()) {
            if (!"director".equals(p.getString("role"))) {
                continue;
            }
            Counts c = perCommunity.get(p.getString("communityId"));
            String openid = bindings.get(p.getString("id"));
            if (c == null || c.dueSoon + c.overdue == 0 || openid == null || templates.digest().isEmpty()) {
                continue;
            }
            JsonObject community = communities.get(p.getString("communityId"));
            Map<String, String> values = new LinkedHashMap<>();
            values.put("community", (community == null ? "" : community.getString("name")) + "走访提醒");
            values.put("summary", summary(c));
            values.put("date", TEMPLATE_DATE.format(today));
            values.put("action", "回复“名单”查看并登记");
            digests.add(v -> send(p.getString("id"), openid, today, templates.digest(),
                    ReminderTemplates.fill(templates.digestFields(), values), "digest")
                    .map(ok -> {
                        if (ok == null) {
                            complete[0] = false;
                        } else if (ok) {
                            sent[0]++;
                        }
                        return null;
                    }));
        }
        return inBatches(digests).compose(v -> {
            // 2. Overdue beyond the threshold: one event per child per overdue period.
            Map<String, List<ChildDue>> newPerTown = new LinkedHashMap<>();
            List<Function<Void, Future<Void>>> writes = new ArrayList<>();
            for (ChildDue d : alerts) {
                JsonObject community = communities.get(d.communityId());
                String townId = community == null ? null : community.getString("townId");
                String director = directorOf(people, d.communityId());
                writes.add(x -> events.appendEventOnce(RedisKeys.REMINDERS_OWNER, d.id(), d.due().dueOn().toString(),
                        overdueEvent(d, townId, director, asOf)).map(written -> {
                    if (written) {
                        overdue[0]++;
                        synchronized (newPerTown) {
                            newPerTown.computeIfAbsent(townId, k -> new ArrayList<>()).add(d);
                        }
                    }
                    return null;
                }));
            }
            return inBatches(writes).map(x -> newPerTown);
        }).compose(newPerTown -> {
            // 3. The supervisor of each town with newly overdue children is told once.
            List<Function<Void, Future<Void>>> notices = new ArrayList<>();
            for (JsonObject p : people.values()) {
                List<ChildDue> fresh = newPerTown.get(p.getString("townId"));
                String openid = bindings.get(p.getString("id"));
                if (!"supervisor".equals(p.getString("role")) || fresh == null || openid == null
                        || templates.overdue().isEmpty()) {
                    continue;
                }
                JsonObject town = towns.get(p.getString("townId"));
                Map<String, String> values = new LinkedHashMap<>();
                values.put("town", (town == null ? "" : town.getString("name")) + "走访逾期");
                values.put("summary", "新增逾期超" + policy.overdueAlertDays() + "天" + fresh.size() + "人");
                values.put("date", TEMPLATE_DATE.format(today));
                values.put("action", "回复“名单”查看");
                notices.add(x -> send(p.getString("id"), openid, today, templates.overdue(),
                        ReminderTemplates.fill(templates.overdueFields(), values), "overdue").map(ok -> {
                    if (ok == null) {
                        complete[0] = false;
                    } else if (ok) {
                        sent[0]++;
                    }
                    return null;
                }));
            }
            return inBatches(notices);
        }).map(v -> new Result(sent[0], overdue[0], complete[0], false));
    }

    private static String summary(Counts c) {
        if (c.overdue > 0 && c.dueSoon > 0) {
            return "逾期" + c.overdue + "人，7天内到期" + c.dueSoon + "人";
        }
        return c.overdue > 0 ? "逾期" + c.overdue + "人" : "7天内到期" + c.dueSoon + "人";
    }

    private static String directorOf(Map<String, JsonObject> people, String communityId) {
        for (JsonObject p : people.values()) {
            if ("director".equals(p.getString("role")) && communityId.equals(p.getString("communityId"))) {
                return p.getString("id");
            }
        }
        return null;
    }

    private CaseEvent overdueEvent(ChildDue d, String townId, String directorId, Instant asOf) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("childId", d.id());
        data.put("communityId", d.communityId());
        data.put("townId", townId);
        data.put("directorId", directorId);
        data.put("grade", d.grade());
        data.put("lastVisitOn", d.lastVisit() == null ? null : d.lastVisit().toString());
        data.put("dueOn", d.due().dueOn().toString());
        data.put("daysOverdue", d.daysOverdue());
        return new CaseEvent(UUID.randomUUID().toString(), CaseEvent.VISIT_OVERDUE, asOf, data);
    }

    /**
     * Claims the day's reminder of one person and sends it. Completes true (sent now), false (claimed by
     * another run already), or null (the send failed: the claim is given back for the next check).
     */
    private Future<Boolean> send(String rosterId, String openid, LocalDate today, String templateId,
                                 Map<String, String> data, String kind) {
        String claim = RedisKeys.reminderClaim(today.toString(), kind + ":" + rosterId);
        return redis.set(List.of(claim, "1", "NX", "PX", Long.toString(CLAIM.toMillis()))).compose(ok -> {
            if (ok == null) {
                return Future.succeededFuture(false);
            }
            // client_msg_id: should a crash make us send it again within 10 minutes, WeChat drops the copy.
            return wechat.sendTemplate(openid, templateId, null, data, kind + "-" + rosterId + "-" + today)
                    .map(r -> r == WeChatApi.SendResult.SENT ? Boolean.TRUE : null)
                    .recover(e -> Future.succeededFuture(null))
                    .compose(r -> {
                        if (r != null) {
                            return Future.succeededFuture(true);
                        }
                        log.warn("{} reminder for roster person {} not sent; it is tried again at the next check", kind, rosterId);
                        return redis.del(List.of(claim)).map(v -> (Boolean) null);
                    });
        });
    }

    /** Runs the tasks with at most {@link #IN_FLIGHT} in flight. */
    private static Future<Void> inBatches(List<Function<Void, Future<Void>>> tasks) {
        Future<Void> done = Future.succeededFuture();
        for (int i = 0; i < tasks.size(); i += IN_FLIGHT) {
            List<Function<Void, Future<Void>>> batch = tasks.subList(i, Math.min(tasks.size(), i + IN_FLIGHT));
            done = done.compose(v -> {
                List<Future<Void>> running = new ArrayList<>();
                batch.forEach(t -> running.add(t.apply(null)));
                return Future.all(running).mapEmpty();
            });
        }
        return done;
    }
}
