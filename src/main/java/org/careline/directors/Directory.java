package org.careline.directors;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.conversation.DirectorDesk;
import org.careline.flow.StepContext;
import org.careline.redis.RedisKeys;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The roster as a bound director or supervisor meets it in a conversation: the children they may see (a
 * director their community, a supervisor their town's overdue children — nobody else's), binding codes, and
 * the visits they log. The only writer of the visits ledger ({@link RedisKeys#lastVisits}).
 */
public final class Directory implements DirectorDesk {

    private final RosterStore roster;
    private final RedisAPI redis;
    private final BindingCodes codes;
    private final VisitPolicy policy;
    private final WorkingDays days;
    private final ZoneId zone;

    public Directory(RosterStore roster, RedisAPI redis, BindingCodes codes, VisitPolicy policy, WorkingDays days,
                     ZoneId zone) {
        this.roster = roster;
        this.redis = redis;
        this.codes = codes;
        this.policy = policy;
        this.days = days;
        this.zone = zone;
    }

    @Override
    public Future<List<StepContext.ChildOnList>> children(StepContext.Profile profile, Instant now) {
        if (profile == null || profile.rosterId() == null) {
            return Future.succeededFuture(List.of());
        }
        LocalDate today = LocalDate.ofInstant(now, zone);
        return roster.person(profile.rosterId()).compose(person -> {
            if (person == null || !person.getString("role", "").equals(profile.role())) {
                // Left the roster, or changed role: nothing to see until staff sort it out.
                return Future.succeededFuture(List.<StepContext.ChildOnList>of());
            }
            if ("director".equals(profile.role())) {
                return communityList(person.getString("communityId"), today, false);
            }
            return roster.communitiesOf(person.getString("townId")).compose(communities -> {
                List<Future<List<StepContext.ChildOnList>>> each = new ArrayList<>();
                communities.forEach(c -> each.add(communityList(c.getString("id"), today, true)));
                return Future.all(each).map(all -> {
                    List<StepContext.ChildOnList> out = new ArrayList<>();
                    for (int i = 0; i < all.size(); i++) {
                        out.addAll(all.<List<StepContext.ChildOnList>>resultAt(i));
                    }
                    out.sort(URGENT_FIRST);
                    return out;
                });
            });
        });
    }

    private static final Comparator<StepContext.ChildOnList> URGENT_FIRST =
            Comparator.comparing(StepContext.ChildOnList::dueOn).thenComparing(StepContext.ChildOnList::id);

    /** One community's children, most urgent first; {@code overdueOnly}: a supervisor's view. */
    private Future<List<StepContext.ChildOnList>> communityList(String communityId, LocalDate today, boolean overdueOnly) {
        return roster.community(communityId).compose(community -> roster.childrenOf(communityId)
                .compose(children -> lastVisits(children).map(visits -> {
                    String name = community == null ? "" : community.getString("name");
                    List<StepContext.ChildOnList> out = new ArrayList<>();
                    for (JsonObject c : children) {
                        ChildDue d = ChildDue.of(c, visits.get(c.getString("id")), today, policy, days);
                        if (overdueOnly && d.daysOverdue() <= 0) {
                            continue;
                        }
                        out.add(d.onList(today, name, overdueOnly || d.dueWithin(policy.remindDaysAhead())));
                    }
                    out.sort(URGENT_FIRST);
                    return out;
                })));
    }

    private Future<Map<String, String>> lastVisits(List<JsonObject> children) {
        if (children.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        List<String> args = new ArrayList<>();
        args.add(RedisKeys.lastVisits());
        children.forEach(c -> args.add(c.getString("id")));
        return redis.hmget(args).map(r -> {
            Map<String, String> out = new java.util.HashMap<>();
            for (int i = 0; i < children.size(); i++) {
                Response v = r.get(i);
                if (v != null) {
                    out.put(children.get(i).getString("id"), v.toString());
                }
            }
            return out;
        });
    }

    @Override
    public Future<StepContext.Binding> redeem(String openid, StepContext.Profile profile, String code, Instant now) {
        return codes.redeem(openid, profile, code, now);
    }

    /** Every last visit logged here, by child id (for the sweep). */
    Future<Map<String, String>> allLastVisits() {
        return redis.hgetall(RedisKeys.lastVisits()).map(r -> {
            Map<String, String> out = new java.util.HashMap<>();
            for (int i = 0; r != null && i + 1 < r.size(); i += 2) {
                out.put(r.get(i).toString(), r.get(i + 1).toString());
            }
            return out;
        });
    }

    /** Keeps the later of the date there and this one (a visit logged late never moves the due date back). */
    private static final org.careline.redis.LuaScript LATER = new org.careline.redis.LuaScript("""
            local cur = redis.call('HGET', KEYS[1], ARGV[1])
            if not cur or cur < ARGV[2] then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
              return 1
            end
            return 0
            """);

    @Override
    public Future<String> saved(String openid, StepContext.Binding bound, String unbound, List<Map<String, String>> visits) {
        Future<Void> done = Future.succeededFuture();
        for (Map<String, String> v : visits) {
            String child = v.get("child_id");
            String date = v.get("visit_date");
            if (child != null && date != null) {
                // The next due date follows from this at once: due dates are computed, never stored.
                done = done.compose(x -> LATER.run(redis, List.of(RedisKeys.lastVisits()), List.of(child, date)).mapEmpty());
            }
        }
        if (unbound != null && !unbound.isEmpty()) {
            done = done.compose(x -> codes.forget(unbound, openid));
        }
        if (bound == null) {
            return done.map(x -> null);
        }
        return done.compose(x -> codes.remember(bound.rosterId(), openid));
    }
}
