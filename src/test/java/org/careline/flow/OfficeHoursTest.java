package org.careline.flow;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OfficeHoursTest {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    static final OfficeHours HOURS = OfficeHours.parse("工作日 8:30–12:00、14:00–17:30");

    static ZonedDateTime at(String localDateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), SHANGHAI);
    }

    @Test
    @DisplayName("Working days and their periods are open; lunch, nights and weekends are not")
    void open() {
        assertThat(HOURS.isOpen(at("2026-11-03T09:00"))).isTrue();
        assertThat(HOURS.isOpen(at("2026-11-03T12:30"))).isFalse();
        assertThat(HOURS.isOpen(at("2026-11-03T14:00"))).isTrue();
        assertThat(HOURS.isOpen(at("2026-11-03T22:00"))).isFalse();
        assertThat(HOURS.isOpen(at("2026-11-07T10:00"))).isFalse();
    }

    @Test
    @DisplayName("When staff are back is said as people say it")
    void whenBack() {
        assertThat(HOURS.whenBack(at("2026-11-03T12:30"))).isEqualTo("今天 14:00");
        assertThat(HOURS.whenBack(at("2026-11-03T22:00"))).isEqualTo("明天 8:30");
        assertThat(HOURS.whenBack(at("2026-11-07T02:00"))).isEqualTo("周一 8:30");
        assertThat(HOURS.whenBack(at("2026-11-08T02:00"))).isEqualTo("明天 8:30");
    }

    @Test
    @DisplayName("Office hours without a period are refused at start-up")
    void invalid() {
        assertThatThrownBy(() -> OfficeHours.parse("工作日")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OfficeHours.parse("工作日 17:30–8:30")).isInstanceOf(IllegalArgumentException.class);
        assertThat(OfficeHours.parse("每天 0:00–23:59").isOpen(at("2026-11-08T03:00"))).isTrue();
    }

    @Test
    @DisplayName("At night, a chat a caseworker wrote into within the last half hour counts as read now; an older reply does not")
    void staffWritingAtNight() {
        java.time.Instant night = at("2026-11-03T23:10").toInstant();
        StepContext nobody = new StepContext(night, SHANGHAI, () -> "C-1", StepContext.Profile.family(),
                java.util.List.of(), java.time.Duration.ofMinutes(30), HOURS);
        assertThat(nobody.staffOnDuty()).isFalse();
        assertThat(nobody.withStaffRepliedAt(night.minusSeconds(5 * 60)).staffOnDuty()).isTrue();
        assertThat(nobody.withStaffRepliedAt(night.minusSeconds(31 * 60)).staffOnDuty()).isFalse();
        // Kept when the engine adds the director's children and bindings.
        assertThat(nobody.withStaffRepliedAt(night.minusSeconds(60)).with(java.util.List.of(), java.util.Map.of())
                .staffOnDuty()).isTrue();
    }
}
