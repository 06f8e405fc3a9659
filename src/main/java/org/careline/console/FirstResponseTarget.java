package org.careline.console;

import org.careline.flow.ConversationState;
import org.careline.flow.OfficeHours;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * When staff should first answer a chat handed to them: an urgent one within {@code urgent} of clock time
 * (danger does not wait for office hours), the others within {@code other} of office time — a request made
 * on Friday evening is due on Monday morning, not on Saturday.
 */
record FirstResponseTarget(Duration urgent, Duration other, OfficeHours hours, ZoneId zone) {

    /** How many periods a search may cross before giving up (hours that never open). */
    private static final int MAX_PERIODS = 200;

    Instant due(ConversationState.Escalation e, Instant openedAt) {
        if (e != null && e.urgent()) {
            return openedAt.plus(urgent);
        }
        return plusOfficeTime(openedAt, other);
    }

    /** {@code from} plus {@code amount} counted only while the office is open. */
    Instant plusOfficeTime(Instant from, Duration amount) {
        ZonedDateTime t = from.atZone(zone);
        Duration left = amount;
        for (int i = 0; i < MAX_PERIODS; i++) {
            if (!hours.isOpen(t)) {
                ZonedDateTime next = hours.nextOpening(t);
                if (!next.isAfter(t)) {
                    break;
                }
                t = next;
                continue;
            }
            ZonedDateTime end = t.with(periodEnd(t.toLocalTime()));
            Duration available = Duration.between(t, end);
            if (available.compareTo(left) >= 0) {
                return t.plus(left).toInstant();
            }
            left = left.minus(available);
            t = end;
        }
        return t.plus(left).toInstant();
    }

    private LocalTime periodEnd(LocalTime time) {
        for (OfficeHours.Period p : hours.periods()) {
            if (!time.isBefore(p.from()) && time.isBefore(p.to())) {
                return p.to();
            }
        }
        return time;
    }
}
