package org.careline.directors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.redis.RedisKeys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The roster in Redis, the only code writing it. A roster is written whole under a version named by its
 * content hash ({@link RedisKeys#roster}), then {@link RedisKeys#rosterCurrent} is switched to it in one
 * command: a reader sees the old roster or the new one, never half of each. The same roster imported twice
 * is the same version, so a re-import changes nothing.
 */
public final class RosterStore {

    /** Readers that fetched the old version just before a switch may still read it this long. */
    static final Duration OLD_VERSION_KEPT = Duration.ofHours(1);

    /**
     * KEYS: the version's keys, meta first. ARGV[1]: JSON {hashes: {key: {id: json}}, sets: {key: [id]},
     * meta: {field: value}}. Rewrites every key of the version and keeps it (PERSIST).
     */
    private static final String WRITE = """
            local data = cjson.decode(ARGV[1])
            for _, key in ipairs(KEYS) do
              redis.call('DEL', key)
            end
            for key, entries in pairs(data['hashes']) do
              for id, json in pairs(entries) do
                redis.call('HSET', key, id, json)
              end
            end
            for key, members in pairs(data['sets']) do
              for _, id in ipairs(members) do
                redis.call('SADD', key, id)
              end
            end
            for field, value in pairs(data['meta']) do
              redis.call('HSET', KEYS[1], field, value)
            end
            return #KEYS
            """;

    /** KEYS: meta of a version. ARGV: ms. Lets every key of that version expire (the list is in its meta). */
    private static final String RETIRE = """
            local keys = redis.call('HGET', KEYS[1], 'keys')
            if not keys then return 0 end
            local list = cjson.decode(keys)
            for _, key in ipairs(list) do
              redis.call('PEXPIRE', key, ARGV[1])
            end
            return #list
            """;

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final RedisAPI redis;

    public RosterStore(RedisAPI redis) {
        this.redis = redis;
    }

    /** What an import did: the version now in force, whether it was already, and how many of each. */
    public record Imported(String version, boolean unchanged, Map<String, Integer> counts) {
        public JsonObject json() {
            return new JsonObject().put("version", version).put("unchanged", unchanged)
                    .put("counts", new JsonObject(new LinkedHashMap<>(counts)));
        }
    }

    /** Makes {@code roster} the roster in force. */
    public Future<Imported> replace(Roster roster, Instant now) {
        Roster sorted = sorted(roster);
        String canonical = write(sorted);
        String version = sha256(canonical).substring(0, 16);
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("towns", sorted.towns().size());
        counts.put("communities", sorted.communities().size());
        counts.put("directors", (int) sorted.people().stream().filter(p -> "director".equals(p.role())).count());
        counts.put("supervisors", (int) sorted.people().stream().filter(p -> "supervisor".equals(p.role())).count());
        counts.put("children", sorted.children().size());
        return current().compose(current -> {
            if (version.equals(current)) {
                return Future.succeededFuture(new Imported(version, true, counts));
            }
            return writeVersion(version, sorted, now)
                    .compose(v -> redis.getset(RedisKeys.rosterCurrent(), version))
                    .compose(old -> old == null || old.toString().equals(version) ? Future.succeededFuture()
                            : redis.eval(List.of(RETIRE, "1", RedisKeys.roster(old.toString(), "meta"),
                            Long.toString(OLD_VERSION_KEPT.toMillis()))).mapEmpty())
                    .map(v -> new Imported(version, false, counts));
        });
    }

    private Future<Void> writeVersion(String version, Roster r, Instant now) {
        Map<String, Map<String, String>> hashes = new LinkedHashMap<>();
        Map<String, List<String>> sets = new LinkedHashMap<>();
        String towns = RedisKeys.roster(version, "towns");
        String communities = RedisKeys.roster(version, "communities");
        String people = RedisKeys.roster(version, "people");
        String children = RedisKeys.roster(version, "children");
        for (Roster.Town t : r.towns()) {
            hashes.computeIfAbsent(towns, k -> new TreeMap<>()).put(t.id(), write(t));
        }
        for (Roster.Community c : r.communities()) {
            hashes.computeIfAbsent(communities, k -> new TreeMap<>()).put(c.id(), write(c));
            sets.computeIfAbsent(RedisKeys.roster(version, "town-communities:" + c.townId()), k -> new ArrayList<>())
                    .add(c.id());
        }
        for (Roster.Person p : r.people()) {
            hashes.computeIfAbsent(people, k -> new TreeMap<>()).put(p.id(), write(p));
        }
        for (Roster.Child c : r.children()) {
            hashes.computeIfAbsent(children, k -> new TreeMap<>()).put(c.id(), write(c));
            sets.computeIfAbsent(RedisKeys.roster(version, "community-children:" + c.communityId()),
                    k -> new ArrayList<>()).add(c.id());
        }
        List<String> keys = new ArrayList<>();
        keys.add(RedisKeys.roster(version, "meta"));
        keys.addAll(hashes.keySet());
        keys.addAll(sets.keySet());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("importedAt", now.toString());
        meta.put("keys", write(keys));
        Map<String, Object> data = new LinkedHashMap<>();
        // cjson turns an empty table into {}: a roster always has towns, so hashes is never empty; sets may be.
        data.put("hashes", hashes);
        data.put("sets", sets.isEmpty() ? Map.of("", List.of()) : sets);
        data.put("meta", meta);
        List<String> args = new ArrayList<>();
        args.add(WRITE);
        args.add(Integer.toString(keys.size()));
        args.addAll(keys);
        args.add(write(data));
        return redis.eval(args).mapEmpty();
    }

    /** The version in force, or null before any import. */
    public Future<String> current() {
        return redis.get(RedisKeys.rosterCurrent()).map(r -> r == null ? null : r.toString());
    }

    /** A person (director, supervisor) by roster id, as JSON; null when unknown. Names and phones: never log. */
    public Future<JsonObject> person(String id) {
        return inForce("people", id);
    }

    public Future<JsonObject> child(String id) {
        return inForce("children", id);
    }

    public Future<JsonObject> community(String id) {
        return inForce("communities", id);
    }

    /** The children on file in one community, as JSON objects, ordered by id. */
    public Future<List<JsonObject>> childrenOf(String communityId) {
        return current().compose(version -> {
            if (version == null) {
                return Future.succeededFuture(List.of());
            }
            return redis.smembers(RedisKeys.roster(version, "community-children:" + communityId)).compose(ids -> {
                if (ids == null || ids.size() == 0) {
                    return Future.succeededFuture(List.<JsonObject>of());
                }
                List<String> args = new ArrayList<>();
                args.add(RedisKeys.roster(version, "children"));
                for (Response id : ids) {
                    args.add(id.toString());
                }
                return redis.hmget(args).map(values -> {
                    List<JsonObject> out = new ArrayList<>();
                    for (Response v : values) {
                        if (v != null) {
                            out.add(new JsonObject(v.toString()));
                        }
                    }
                    out.sort(Comparator.comparing(o -> o.getString("id")));
                    return out;
                });
            });
        });
    }

    public Future<JsonObject> town(String id) {
        return inForce("towns", id);
    }

    /** The communities of one town, as JSON objects, ordered by id. */
    public Future<List<JsonObject>> communitiesOf(String townId) {
        return current().compose(version -> {
            if (version == null) {
                return Future.succeededFuture(List.of());
            }
            return redis.smembers(RedisKeys.roster(version, "town-communities:" + townId)).compose(ids -> {
                if (ids == null || ids.size() == 0) {
                    return Future.succeededFuture(List.<JsonObject>of());
                }
                List<String> args = new ArrayList<>();
                args.add(RedisKeys.roster(version, "communities"));
                ids.forEach(id -> args.add(id.toString()));
                return redis.hmget(args).map(values -> {
                    List<JsonObject> out = new ArrayList<>();
                    values.forEach(v -> {
                        if (v != null) {
                            out.add(new JsonObject(v.toString()));
                        }
                    });
                    out.sort(Comparator.comparing(o -> o.getString("id")));
                    return out;
                });
            });
        });
    }

    /**
     * Every row of one part of a roster version ({@code towns}, {@code communities}, {@code people}) by id: for
     * the reminder sweep, which reads a version it fetched once (an import meanwhile leaves it readable an hour).
     */
    public Future<Map<String, JsonObject>> all(String version, String part) {
        return redis.hgetall(RedisKeys.roster(version, part)).map(r -> {
            Map<String, JsonObject> out = new LinkedHashMap<>();
            // RESP2 (RedisConnector): a flat list of id, JSON, id, JSON …
            for (int i = 0; r != null && i + 1 < r.size(); i += 2) {
                out.put(r.get(i).toString(), new JsonObject(r.get(i + 1).toString()));
            }
            return out;
        });
    }

    /** One page of the children of a version: {@code next} is "0" after the last page. */
    public record ChildrenPage(String next, List<JsonObject> children) {}

    public Future<ChildrenPage> children(String version, String cursor, int count) {
        return redis.hscan(List.of(RedisKeys.roster(version, "children"), cursor, "COUNT", Integer.toString(count)))
                .map(r -> {
                    List<JsonObject> out = new ArrayList<>();
                    Response pairs = r.get(1);
                    for (int i = 0; i + 1 < pairs.size(); i += 2) {
                        out.add(new JsonObject(pairs.get(i + 1).toString()));
                    }
                    return new ChildrenPage(r.get(0).toString(), out);
                });
    }

    /** Counts of the roster in force, without names: for the admin view and the sandbox page. */
    public Future<JsonObject> summary() {
        return current().compose(version -> {
            if (version == null) {
                return Future.succeededFuture(new JsonObject().put("version", (String) null));
            }
            List<Future<Response>> lengths = new ArrayList<>();
            for (String part : List.of("towns", "communities", "people", "children")) {
                lengths.add(redis.hlen(RedisKeys.roster(version, part)));
            }
            return Future.all(lengths).compose(all -> redis.hget(RedisKeys.roster(version, "meta"), "importedAt")
                    .map(at -> new JsonObject().put("version", version)
                            .put("importedAt", at == null ? null : at.toString())
                            .put("towns", all.<Response>resultAt(0).toInteger())
                            .put("communities", all.<Response>resultAt(1).toInteger())
                            .put("people", all.<Response>resultAt(2).toInteger())
                            .put("children", all.<Response>resultAt(3).toInteger())));
        });
    }

    private Future<JsonObject> inForce(String part, String id) {
        return current().compose(version -> version == null ? Future.succeededFuture(null)
                : redis.hget(RedisKeys.roster(version, part), id)
                .map(r -> r == null ? null : new JsonObject(r.toString())));
    }

    /** Rows sorted by id: the same roster in another order is the same version. */
    static Roster sorted(Roster r) {
        List<Roster.Town> towns = new ArrayList<>(r.towns());
        towns.sort(Comparator.comparing(Roster.Town::id));
        List<Roster.Community> communities = new ArrayList<>(r.communities());
        communities.sort(Comparator.comparing(Roster.Community::id));
        List<Roster.Person> people = new ArrayList<>(r.people());
        people.sort(Comparator.comparing(Roster.Person::id));
        List<Roster.Child> children = new ArrayList<>(r.children());
        children.sort(Comparator.comparing(Roster.Child::id));
        return new Roster(towns, communities, people, children);
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
