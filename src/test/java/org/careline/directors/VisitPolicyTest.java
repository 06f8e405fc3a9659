package org.careline.directors;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VisitPolicyTest {

    static final WorkingDays DAYS = WorkingDays.load(Path.of("config/holidays"));
    static final VisitPolicy SHIPPED = VisitPolicy.load(Path.of("config/visit-policy.yaml"));
    static final LocalDate TODAY = LocalDate.of(2026, 3, 10);

    static LocalDate due(VisitPolicy p, List<String> tags, String grade, String registered, String last) {
        return p.nextDue(tags, grade, registered == null ? null : LocalDate.parse(registered),
                last == null ? null : LocalDate.parse(last), TODAY, DAYS).dueOn();
    }

    @ParameterizedTest(name = "{0}: visited 2026-03-02, next due {1}")
    @CsvSource({"red, 2026-03-09", "orange, 2026-03-16", "yellow, 2026-04-01", "green, 2026-04-01"})
    @DisplayName("Each colour grade sets its interval: red 7 days, orange 14, yellow and green 30")
    void grades(String grade, String expected) {
        assertThat(due(SHIPPED, List.of(), grade, "2025-01-01", "2026-03-02")).isEqualTo(expected);
    }

    @Test
    @DisplayName("Every tag of the shipped policy is monthly, by code or by its Chinese name")
    void everyTagMonthly() {
        for (ChildTag tag : ChildTag.values()) {
            assertThat(due(SHIPPED, List.of(tag.code()), "green", "2025-01-01", "2026-03-02"))
                    .as(tag.code()).isEqualTo("2026-04-01");
            assertThat(due(SHIPPED, List.of(tag.label()), "green", "2025-01-01", "2026-03-02"))
                    .as(tag.label()).isEqualTo("2026-04-01");
        }
    }

    @Test
    @DisplayName("A tag with its own interval applies, and with several tags and a grade the strictest rule wins")
    void strictestRule() {
        VisitPolicy p = new VisitPolicy(30, 5, Map.of("red", 7, "orange", 14, "yellow", 30, "green", 30),
                Map.of("orphan", 20, "severe-disability", 10, "left-behind", 25), List.of(), 7, 7);
        assertThat(p.nextDue(List.of("孤儿"), "green", null, LocalDate.of(2026, 3, 2), TODAY, DAYS))
                .isEqualTo(new VisitPolicy.Due(LocalDate.of(2026, 3, 22), "tag:orphan"));
        assertThat(p.nextDue(List.of("left-behind", "重残", "orphan"), "yellow", null, LocalDate.of(2026, 3, 2), TODAY, DAYS))
                .isEqualTo(new VisitPolicy.Due(LocalDate.of(2026, 3, 12), "tag:severe-disability"));
        assertThat(p.nextDue(List.of("left-behind", "重残"), "red", null, LocalDate.of(2026, 3, 2), TODAY, DAYS))
                .isEqualTo(new VisitPolicy.Due(LocalDate.of(2026, 3, 9), "grade:red"));
        assertThat(p.nextDue(List.of("other"), null, null, LocalDate.of(2026, 3, 2), TODAY, DAYS))
                .isEqualTo(new VisitPolicy.Due(LocalDate.of(2026, 4, 1), "every-child"));
    }

    @Test
    @DisplayName("A newly registered child is due within 5 working days, counted over weekends")
    void newChildOverWeekend() {
        // Registered Thursday 2026-03-05: Fri 6, Mon 9, Tue 10, Wed 11, Thu 12.
        assertThat(SHIPPED.nextDue(List.of(), "red", LocalDate.of(2026, 3, 5), null, TODAY, DAYS))
                .isEqualTo(new VisitPolicy.Due(LocalDate.of(2026, 3, 12), "new-child"));
    }

    @Test
    @DisplayName("Working days skip the Spring Festival and count the Saturdays made working days (调休)")
    void newChildOverSpringFestival() {
        // Registered Friday 2026-02-13: Sat 14 is worked (调休), 15–23 are off, then Tue 24, Wed 25, Thu 26, Fri 27.
        assertThat(due(SHIPPED, List.of(), "green", "2026-02-13", null)).isEqualTo("2026-02-27");
        assertThat(DAYS.isWorkingDay(LocalDate.of(2026, 2, 14))).isTrue();
        assertThat(DAYS.isWorkingDay(LocalDate.of(2026, 2, 28))).isTrue();
        assertThat(DAYS.isWorkingDay(LocalDate.of(2026, 2, 23))).isFalse();
        // National Day: 1–7 October off, Saturday 10 October worked.
        assertThat(DAYS.plusWorkingDays(LocalDate.of(2026, 9, 30), 1)).isEqualTo("2026-10-08");
        assertThat(DAYS.plusWorkingDays(LocalDate.of(2026, 10, 9), 1)).isEqualTo("2026-10-10");
        assertThat(DAYS.isWorkingDay(LocalDate.of(2026, 9, 20))).isTrue();
    }

    @Test
    @DisplayName("A child re-registered after an old visit counts as new; one on file with no dates is due today")
    void reRegisteredAndUnknown() {
        assertThat(due(SHIPPED, List.of(), "green", "2026-03-02", "2025-12-01")).isEqualTo("2026-03-09");
        assertThat(due(SHIPPED, List.of(), "green", null, null)).isEqualTo(TODAY.toString());
    }

    @Test
    @DisplayName("Twice-yearly screening: a child seen in one half-year is due by the end of the next, whatever the interval")
    void screening() {
        VisitPolicy lax = new VisitPolicy(366, 5, Map.of(), Map.of(), List.of(MonthDay.of(6, 30), MonthDay.of(12, 31)), 7, 7);
        assertThat(lax.nextDue(List.of(), null, null, LocalDate.of(2026, 3, 2), TODAY, DAYS))
                .isEqualTo(new VisitPolicy.Due(LocalDate.of(2026, 12, 31), "screening"));
        assertThat(lax.nextDue(List.of(), null, null, LocalDate.of(2026, 6, 30), TODAY, DAYS).dueOn()).isEqualTo("2026-12-31");
        assertThat(lax.nextDue(List.of(), null, null, LocalDate.of(2026, 7, 1), TODAY, DAYS).dueOn()).isEqualTo("2027-06-30");
        assertThat(lax.nextDue(List.of(), null, null, LocalDate.of(2026, 12, 31), TODAY, DAYS).dueOn()).isEqualTo("2027-06-30");
        // The monthly rule is always stricter than the half-year.
        assertThat(SHIPPED.nextDue(List.of(), "green", null, LocalDate.of(2026, 6, 20), TODAY, DAYS).rule()).isEqualTo("every-child");
    }

    @Test
    @DisplayName("The shipped file holds DESIGN's defaults; a bad value names the file and key")
    void shippedFileAndErrors() throws Exception {
        assertThat(SHIPPED.everyChild()).isEqualTo(30);
        assertThat(SHIPPED.grades()).containsEntry("red", 7).containsEntry("orange", 14).containsEntry("yellow", 30);
        assertThat(SHIPPED.newChildWorkingDays()).isEqualTo(5);
        assertThat(SHIPPED.overdueAlertDays()).isEqualTo(7);
        Path bad = java.nio.file.Files.createTempFile(Path.of("target"), "policy-", ".yaml");
        java.nio.file.Files.writeString(bad, "grades:\n  purple: 3\n");
        assertThatThrownBy(() -> VisitPolicy.load(bad)).hasMessageContaining("grades.purple");
        java.nio.file.Files.writeString(bad, "tags:\n  孤儿: 0\n");
        assertThatThrownBy(() -> VisitPolicy.load(bad)).hasMessageContaining("tags.孤儿");
    }

    @Test
    @DisplayName("A year without a holiday file uses weekends and is warned about; 2027 is flagged provisional")
    void missingYear() {
        assertThat(DAYS.warnings(2026)).isEmpty();
        assertThat(DAYS.warnings(2027)).singleElement().asString().contains("provisional");
        assertThat(DAYS.warnings(2031)).singleElement().asString().contains("no holiday file for 2031");
        assertThat(DAYS.isWorkingDay(LocalDate.of(2031, 1, 6))).isTrue();
        assertThat(DAYS.isWorkingDay(LocalDate.of(2031, 1, 5))).isFalse();
        assertThat(DAYS.isWorkingDay(LocalDate.of(2027, 10, 1))).isFalse();
    }
}
