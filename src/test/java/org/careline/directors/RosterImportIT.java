package org.careline.directors;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import org.careline.redis.RedisKeys;
import org.careline.testing.Await;
import org.careline.testing.BackOfficeClient;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** PUT /api/backoffice/roster over real HTTP into a real Redis. One class: the roster is one per district. */
class RosterImportIT {

    static final String SECRET = "roster-it-secret";
    static TestAccount account;
    static RunningCareLine careline;
    static BackOfficeClient backOffice;
    static RedisAPI redis;

    static final String JSON = """
            {"towns":[{"id":"T1","name":"寺巷街道"}],
             "communities":[{"id":"C1","name":"寺巷社区","townId":"T1"},{"id":"C2","name":"口岸社区","townId":"T1"}],
             "people":[{"id":"P1","role":"director","name":"李主任","phone":"13800000001","communityId":"C1"},
                       {"id":"P2","role":"supervisor","name":"陈督导","phone":"13800000003","townId":"T1"}],
             "children":[{"id":"K1","name":"小宇","birthDate":"2016-04-12","tags":["留守儿童","低保"],"grade":"yellow",
                          "communityId":"C1","registeredOn":"2024-09-02","lastVisitOn":"2026-11-08"},
                         {"id":"K2","name":"小航","birthDate":"2012-08-03","tags":["孤儿"],"grade":"green",
                          "communityId":"C2","registeredOn":"2023-02-10"}]}
            """;

    /** The same roster as {@link #JSON}, rows in another order, as a spreadsheet saves it (BOM, CRLF, quotes). */
    static final String CSV = "\uFEFFkind,id,name,townId,communityId,phone,birthDate,tags,grade,registeredOn,lastVisitOn\r\n"
            + "child,K2,小航,,C2,,2012-08-03,孤儿,green,2023-02-10,\r\n"
            + "town,T1,寺巷街道,,,,,,,,\r\n"
            + "community,C1,寺巷社区,T1,,,,,,,\r\n"
            + "community,C2,\"口岸社区\",T1,,,,,,,\r\n"
            + "director,P1,李主任,,C1,13800000001,,,,,\r\n"
            + "supervisor,P2,陈督导,T1,,13800000003,,,,,\r\n"
            + "child,K1,小宇,,C1,,2016-04-12,留守儿童;低保,yellow,2024-09-02,2026-11-08\r\n";

    @BeforeAll
    static void start() {
        account = TestAccount.start("wxrosterit0001", "roster-it-token");
        redis = account.redis();
        careline = account.startCareLine(Map.of("CARELINE_BACKOFFICE_SECRET", SECRET,
                "CARELINE_MEDIA_DIR", "target/tmp/media-roster-it"));
        backOffice = new BackOfficeClient(careline.adminUrl(), SECRET);
    }

    @AfterAll
    static void stop() {
        if (careline != null) {
            careline.close();
        }
        if (account != null) {
            account.close();
        }
    }

    static final java.util.concurrent.atomic.AtomicLong CLOCK = new java.util.concurrent.atomic.AtomicLong();

    /** Each request signed at a new second: one signature is not used by two events. */
    static BackOfficeClient.Answer put(String contentType, String body) {
        long ts = Math.max(java.time.Instant.now().getEpochSecond() - 200, CLOCK.incrementAndGet());
        CLOCK.set(ts);
        return backOffice.send("PUT", "/api/backoffice/roster", contentType, body, BackOfficeClient.newEventId(), ts);
    }

    static String current() {
        var r = Await.result(redis.get(RedisKeys.rosterCurrent()));
        return r == null ? null : r.toString();
    }

    @Test
    @DisplayName("A roster imports from JSON; the same again changes nothing; the same in CSV is the same version")
    void importsJsonThenCsvIdempotently() {
        var first = put("application/json", JSON);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        JsonObject imported = new JsonObject(first.body());
        String version = imported.getString("version");
        assertThat(imported.getJsonObject("counts").getInteger("children")).isEqualTo(2);
        assertThat(imported.getJsonObject("counts").getInteger("directors")).isEqualTo(1);
        assertThat(current()).isEqualTo(version);

        var again = put("application/json", JSON);
        assertThat(new JsonObject(again.body()).getString("version")).isEqualTo(version);
        assertThat(new JsonObject(again.body()).getBoolean("unchanged")).isTrue();

        var csv = put("text/csv; charset=utf-8", CSV);
        assertThat(csv.status()).as(csv.body()).isEqualTo(200);
        assertThat(new JsonObject(csv.body()).getString("version")).isEqualTo(version);
        assertThat(new JsonObject(csv.body()).getBoolean("unchanged")).isTrue();

        RosterStore store = careline.main().services().roster;
        var children = Await.result(store.childrenOf("C1"));
        assertThat(children).singleElement().satisfies(c -> {
            assertThat(c.getString("id")).isEqualTo("K1");
            assertThat(c.getJsonArray("tags")).containsExactly("left-behind", "minimum-income");
            assertThat(c.getString("lastVisitOn")).isEqualTo("2026-11-08");
        });
        assertThat(Await.result(store.person("P1")).getString("communityId")).isEqualTo("C1");
        assertThat(Await.result(store.person("P2")).getString("townId")).isEqualTo("T1");
        assertThat(Await.result(store.child("nobody"))).isNull();

        // A changed roster is a new version; the old one's keys are let go.
        var changed = put("application/json", JSON.replace("\"yellow\"", "\"red\""));
        String next = new JsonObject(changed.body()).getString("version");
        assertThat(next).isNotEqualTo(version);
        assertThat(Await.result(store.childrenOf("C1")).get(0).getString("grade")).isEqualTo("red");
        assertThat(Await.result(redis.pttl(RedisKeys.roster(version, "children"))).toLong()).isPositive();
        assertThat(Await.result(redis.pttl(RedisKeys.roster(next, "children"))).toLong()).isEqualTo(-1);
    }

    @Test
    @DisplayName("A roster with bad rows is refused whole (422), with every row's error, and the roster in force stays")
    void badRowsRefusedWhole() {
        put("application/json", JSON);
        String before = current();
        String bad = """
                {"towns":[{"id":"T1","name":"寺巷街道"}],
                 "communities":[{"id":"C1","name":"寺巷社区","townId":"T1"},{"id":"C9","name":"某社区","townId":"T7"}],
                 "people":[{"id":"P1","role":"director","name":"","phone":"13800000001","communityId":"C1"},
                           {"id":"P1","role":"director","name":"王主任","phone":"12345","communityId":"C1"}],
                 "children":[{"id":"K1","name":"小宇","birthDate":"2016-13-40","tags":["留守儿童","外星人"],"grade":"purple",
                              "communityId":"C5","registeredOn":"2024-09-02"},
                             {"id":"320123201601011234","name":"小明","birthDate":"2016-01-01","grade":"red",
                              "communityId":"C1","registeredOn":"2024-09-02"}]}
                """;
        var answer = put("application/json", bad);
        assertThat(answer.status()).isEqualTo(422);
        JsonArray errors = new JsonObject(answer.body()).getJsonArray("errors");
        List<String> found = errors.stream().map(o -> (JsonObject) o)
                .map(e -> e.getString("path") + " " + e.getString("field") + ": " + e.getString("message"))
                .collect(Collectors.toList());
        assertThat(found).contains(
                "communities[1] townId: unknown town 'T7'",
                "people[0] name: missing",
                "people[1] id: duplicate person id 'P1'",
                "people[1] phone: not a phone number (11-digit mobile or area code + number)",
                "children[0] birthDate: not a date YYYY-MM-DD: '2016-13-40'",
                "children[0] tags: unknown category '外星人'",
                "children[0] grade: unknown grade 'purple' (red, orange, yellow, green)",
                "children[0] communityId: unknown community 'C5'",
                "children[1] id: looks like an ID number: use the back office's pseudonymous id");
        assertThat(answer.body()).doesNotContain("12345");
        assertThat(current()).isEqualTo(before);

        var csv = put("text/csv", "kind,id,name,townId,communityId,birthDate,grade,registeredOn\n"
                + "town,T1,寺巷街道,,,,,\n"
                + "child,K1,,,C1,2016-04-12,yellow,2024-09-02\n"
                + "child,K1,小宇,,C1,2016/04/12,yellow,2024-09-02\n");
        assertThat(csv.status()).isEqualTo(422);
        List<String> csvErrors = new JsonObject(csv.body()).getJsonArray("errors").stream().map(o -> (JsonObject) o)
                .map(e -> e.getInteger("row") + " " + e.getString("field") + ": " + e.getString("message")).toList();
        assertThat(csvErrors).contains("3 name: missing", "3 communityId: unknown community 'C1'",
                "4 id: duplicate child id 'K1'", "4 birthDate: not a date YYYY-MM-DD: '2016/04/12'");
        assertThat(current()).isEqualTo(before);
    }
}
