package org.careline.directors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When a child must next be visited (DESIGN §5, {@code config/visit-policy.yaml}): every child at least every
 * {@code everyChild} days, more often by colour grade or category tag (the strictest rule wins), a newly
 * registered child within a few working days, and at least once in every half-year (一年两排). Pure: due dates
 * are computed from the roster and the last visit whenever they are needed, so a change of policy, roster or
 * visit shows at once and nothing stored goes stale.
 *
 * @param everyChild          days between visits for every child on file
 * @param newChildWorkingDays a child registered and not yet visited is due this many working days after registration
 * @param grades              days by colour grade (red, orange, yellow, green)
 * @param tags                days by category tag code ({@link ChildTag#code()})
 * @param screening           last days of the screening periods (二排: 06-30 and 12-31)
 * @param remindDaysAhead     a director's digest lists children due within this many days
 * @param overdueAlertDays    overdue by more than this: the supervisor is told
 */
public record VisitPolicy(int everyChild, int newChildWorkingDays, Map<String, Integer> grades,
                          Map<String, Integer> tags, List<MonthDay> screening, int remindDaysAhead,
                          int overdueAlertDays) {

    /** The due date and the rule that set it ({@code new-child}, {@code grade:red}, {@code tag:orphan}, {@code every-child}, {@code screening}). */
    public record Due(LocalDate dueOn, String rule) {}

    public VisitPolicy {
        grades = Map.copyOf(grades);
        tags = Map.copyOf(tags);
        screening = screening.stream().sorted().toList();
    }

    /** DESIGN §5's defaults. */
    public static VisitPolicy defaults() {
        return new VisitPolicy(30, 5, Map.of("red", 7, "orange", 14, "yellow", 30, "green", 30), Map.of(),
                List.of(MonthDay.of(6, 30), MonthDay.of(12, 31)), 7, 7);
    }

    public static VisitPolicy load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not readable YAML (" + e.getMessage() + ")");
        }
        if (root == null) {
            throw new IllegalArgumentException(file + ": empty");
        }
        VisitPolicy d = defaults();
        Map<String, Integer> grades = new LinkedHashMap<>(d.grades());
        root.path("grades").fields().forEachRemaining(e -> {
            if (!RosterReader.GRADES.contains(e.getKey())) {
                throw new IllegalArgumentException(file + ": grades." + e.getKey() + ": not a colour grade (red, orange, yellow, green)");
            }
            grades.put(e.getKey(), days(file, "grades." + e.getKey(), e.getValue()));
        });
        Map<String, Integer> tags = new LinkedHashMap<>();
        root.path("tags").fields().forEachRemaining(e -> {
            ChildTag tag = ChildTag.of(e.getKey()).orElseThrow(() -> new IllegalArgumentException(
                    file + ": tags." + e.getKey() + ": not a category tag of the roster"));
            tags.put(tag.code(), days(file, "tags." + e.getKey(), e.getValue()));
        });
        List<MonthDay> screening = new ArrayList<>();
        JsonNode s = root.path("screeningDeadlines");
        if (s.isMissingNode()) {
            screening.addAll(d.screening());
        }
        for (JsonNode md : s) {
            try {
                screening.add(MonthDay.parse("--" + md.asText().strip()));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(file + ": screeningDeadlines: '" + md.asText() + "' is not MM-DD");
            }
        }
        return new VisitPolicy(intOr(file, root, "everyChild", d.everyChild()),
                intOr(file, root, "newChildWorkingDays", d.newChildWorkingDays()), grades, tags, screening,
                intOr(file, root, "remindDaysAhead", d.remindDaysAhead()),
                intOr(file, root, "overdueAlertDays", d.overdueAlertDays()));
    }

    private static int intOr(Path file, JsonNode root, String key, int otherwise) {
        JsonNode v = root.path(key);
        return v.isMissingNode() ? otherwise : days(file, key, v);
    }

    private static int days(Path file, String key, JsonNode v) {
        if (!v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 366) {
            throw new IllegalArgumentException(file + ": " + key + ": expected a number of days from 1 to 366, got '" + v.asText() + "'");
        }
        return v.asInt();
    }

    /**
     * The next due date of a child.
     *
     * @param tags         category tags (codes or Chinese names)
     * @param grade        colour grade, may be null
     * @param registeredOn when the child was put on file, may be null
     * @param lastVisit    the last visit (the roster's or one logged here, whichever is later), may be null
     * @param today        used only when neither a visit nor a registration date is known: due today
     */
    public Due nextDue(Collection<String> tags, String grade, LocalDate registeredOn, LocalDate lastVisit,
                       LocalDate today, WorkingDays workingDays) {
        if (lastVisit == null || registeredOn != null && lastVisit.isBefore(registeredOn)) {
            // Never visited since being put on file: the first visit within N working days (新登记).
            return registeredOn == null ? new Due(today, "new-child")
                    : new Due(workingDays.plusWorkingDays(registeredOn, newChildWorkingDays), "new-child");
        }
        int days = everyChild;
        String rule = "every-child";
        Integer byGrade = grade == null ? null : grades.get(grade);
        if (byGrade != null && byGrade < days) {
            days = byGrade;
            rule = "grade:" + grade;
        }
        if (tags != null) {
            for (String given : tags) {
                String code = ChildTag.of(given).map(ChildTag::code).orElse(given);
                Integer byTag = this.tags.get(code);
                if (byTag != null && byTag < days) {
                    days = byTag;
                    rule = "tag:" + code;
                }
            }
        }
        LocalDate due = lastVisit.plusDays(days);
        LocalDate screened = screeningDue(lastVisit);
        if (screened != null && screened.isBefore(due)) {
            return new Due(screened, "screening");
        }
        return new Due(due, rule);
    }

    /** The last day of the screening period after the one holding {@code lastVisit}. */
    LocalDate screeningDue(LocalDate lastVisit) {
        if (screening.isEmpty()) {
            return null;
        }
        LocalDate periodEnd = null;
        for (int year = lastVisit.getYear(); periodEnd == null; year++) {
            for (MonthDay md : screening) {
                LocalDate end = md.atYear(year);
                if (!end.isBefore(lastVisit)) {
                    periodEnd = end;
                    break;
                }
            }
        }
        for (int year = periodEnd.getYear(); ; year++) {
            for (MonthDay md : screening) {
                LocalDate end = md.atYear(year);
                if (end.isAfter(periodEnd)) {
                    return end;
                }
            }
        }
    }
}
