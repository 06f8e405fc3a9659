package org.careline.console;

import org.careline.flow.ConversationState.Escalation;
import org.careline.flow.OfficeHours;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;

class FirstResponseTargetTest {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    final FirstResponseTarget target = new FirstResponseTarget(Duration.ofMinutes(15), Duration.ofHours(3),
            OfficeHours.parse("工作日 8:30–12:00、14:00–17:30"), SHANGHAI);

    static Instant at(String local) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(local), SHANGHAI).toInstant();
    }

    static Escalation escalation(Escalation.Level level, Instant opened) {
        return new Escalation(level, "test", opened, opened);
    }

    @Test
    @DisplayName("An urgent chat is due 15 minutes after it arrived, at night and at weekends too")
    void urgentInClockTime() {
        Instant saturdayNight = at("2026-12-05T23:10:00");
        assertThat(target.due(escalation(Escalation.Level.URGENT, saturdayNight), saturdayNight))
                .isEqualTo(at("2026-12-05T23:25:00"));
    }

    @Test
    @DisplayName("An ordinary chat's 3 hours count office time only: over lunch, and from Friday evening to Monday")
    void othersInOfficeHours() {
        Instant wednesdayMorning = at("2026-12-02T10:00:00");
        assertThat(target.due(escalation(Escalation.Level.STAFF, wednesdayMorning), wednesdayMorning))
                .as("2 h before lunch, 1 h after").isEqualTo(at("2026-12-02T15:00:00"));
        Instant fridayEvening = at("2026-12-04T19:00:00");
        assertThat(target.due(escalation(Escalation.Level.CHECK, fridayEvening), fridayEvening))
                .isEqualTo(at("2026-12-07T11:30:00"));
        Instant fridayLate = at("2026-12-04T16:30:00");
        assertThat(target.due(escalation(Escalation.Level.STAFF, fridayLate), fridayLate))
                .as("1 h on Friday, 2 h on Monday").isEqualTo(at("2026-12-07T10:30:00"));
    }
}
