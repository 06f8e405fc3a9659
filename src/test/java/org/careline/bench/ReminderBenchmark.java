package org.careline.bench;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import org.careline.directors.Roster;
import org.careline.directors.RosterStore;
import org.careline.redis.RedisKeys;
import org.careline.testing.Await;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reminder sweep of a big city: 100,000 children in 2,000 communities (one director each, all bound) and
 * 100 towns (a supervisor each). Goal: under 30 s and under 200 MB of Redis memory. Not part of the test run
 * (the name ends in Benchmark):
 * {@code mvn -q test -Dtest=ReminderBenchmark -Dsurefire.failIfNoSpecifiedTests=false}. Prints the figures and
 * writes them to {@code target/benchmark-reminders.txt}.
 */
class ReminderBenchmark {

    static final int CHILDREN = 100_000;
    static final int COMMUNITIES = 2_000;
    static final int TOWNS = 100;
    static final String ADMIN = "bench-admin-token-0123456789";

    @Test
    void sweepOfACity() throws Exception {
        try (TestAccount account = TestAccount.start("wxreminderbench", "bench-token")) {
            RedisAPI api = account.redis();
            long empty = usedMemory(api);
            LocalDate today = LocalDate.of(2026, 3, 2);
            Roster roster = city(today);
            long t0 = System.nanoTime();
            Await.result(new RosterStore(api).replace(roster, Instant.now()));
            double importSeconds = (System.nanoTime() - t0) / 1e9;
            // Everyone bound (as if each had sent 绑定 <code>).
            List<String> bindings = new ArrayList<>(List.of(RedisKeys.bindings()));
            roster.people().forEach(p -> {
                bindings.add(p.id());
                bindings.add("o-bench-" + p.id());
            });
            Await.result(api.hset(bindings));
            long afterImport = usedMemory(api);

            RunningCareLine c = account.startCareLine(Map.of("CARELINE_ADMIN_TOKEN", ADMIN,
                    "CARELINE_LOG_LEVEL", "WARN",
                    "CARELINE_DIRECTORS_DIGEST_TEMPLATE", "tpl-digest", "CARELINE_DIRECTORS_OVERDUE_TEMPLATE", "tpl-overdue",
                    "CARELINE_DIRECTORS_REMINDER_TIME", "23:59"));
            try {
                Instant asOf = today.atTime(8, 0).atZone(ZoneId.of("Asia/Shanghai")).toInstant();
                long t1 = System.nanoTime();
                WeChatClient.Reply r = new WeChatClient(c.adminUrl(), "bench-token", null).rawWithHeader("POST",
                        "/api/admin/reminders/run?asOf=" + asOf, "Authorization", "Bearer " + ADMIN);
                double sweepSeconds = (System.nanoTime() - t1) / 1e9;
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                JsonObject result = new JsonObject(r.body());
                long afterSweep = usedMemory(api);
                long peak = peakMemory(api);
                String report = String.format("""
                        reminder sweep benchmark (%s)
                        roster: %,d children, %,d communities/directors, %,d towns/supervisors; import %.1f s
                        sweep: %.1f s (goal < 30 s): %d template messages sent, %d visit.overdue events
                        Redis used_memory: empty %.1f MB, after import %.1f MB, after sweep %.1f MB, peak %.1f MB (goal < 200 MB)
                        templates received by the fake WeChat API: %d
                        """, Instant.now(), CHILDREN, COMMUNITIES, TOWNS, importSeconds, sweepSeconds,
                        result.getInteger("sent"), result.getInteger("overdue"), empty / 1e6, afterImport / 1e6,
                        afterSweep / 1e6, peak / 1e6,
                        account.platform().sent().stream().filter(m -> "template".equals(m.type())).count());
                System.out.println(report);
                Files.writeString(Path.of("target/benchmark-reminders.txt"), report);
            } finally {
                c.close();
            }
        }
    }

    /** Ages, grades and last visits spread so that about a third is due within a week or overdue. */
    static Roster city(LocalDate today) {
        List<Roster.Town> towns = new ArrayList<>();
        List<Roster.Community> communities = new ArrayList<>();
        List<Roster.Person> people = new ArrayList<>();
        List<Roster.Child> children = new ArrayList<>();
        String[] grades = {"red", "orange", "yellow", "green", "green", "yellow"};
        String[][] tags = {{"left-behind"}, {"minimum-income", "left-behind"}, {"orphan"}, {"serious-illness"},
                {"guardianship-missing", "low-income"}, {"other"}};
        for (int t = 0; t < TOWNS; t++) {
            towns.add(new Roster.Town("T" + t, "第" + t + "街道"));
            people.add(new Roster.Person("S" + t, "supervisor", "督导员" + t, "13900000000", null, "T" + t));
        }
        for (int k = 0; k < COMMUNITIES; k++) {
            String town = "T" + (k % TOWNS);
            communities.add(new Roster.Community("C" + k, "第" + k + "社区", town));
            people.add(new Roster.Person("D" + k, "director", "主任" + k, "13800000000", "C" + k, null));
        }
        for (int i = 0; i < CHILDREN; i++) {
            int g = i % grades.length;
            children.add(new Roster.Child("K" + i, "孩子" + i, today.minusYears(3 + i % 14).minusDays(i % 300),
                    List.of(tags[(i / 7) % tags.length]), grades[g], "C" + (i % COMMUNITIES),
                    today.minusYears(1), today.minusDays((i / COMMUNITIES + i) % 40)));
        }
        return new Roster(towns, communities, people, children);
    }

    static long usedMemory(RedisAPI api) {
        return info(api, "used_memory");
    }

    static long peakMemory(RedisAPI api) {
        return info(api, "used_memory_peak");
    }

    static long info(RedisAPI api, String field) {
        String info = Await.result(api.info(List.of("memory"))).toString();
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim());
            }
        }
        throw new IllegalStateException(field + " not in INFO memory");
    }
}
