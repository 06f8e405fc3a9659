package org.careline.flow;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When bureau staff read messages, parsed from the configured text ("工作日 8:30–12:00、14:00–17:30"), so that
 * a reply at night never implies that someone is reading now. 工作日 are Monday to Friday (the holiday file
 * with 调休 comes with the directors' reminders); 每天 means every day.
 *
 * @param text    the configured text, shown to people as it is
 * @param days    the days staff work
 * @param periods the periods of a working day, in order
 */
public record OfficeHours(String text, List<DayOfWeek> days, List<Period> periods) {

    /** One period of a working day, e.g. 8:30–12:00. */
    public record Period(LocalTime from, LocalTime to) {}

    private static final Pattern PERIOD = Pattern.compile("(\\d{1,2})[:：](\\d{2})\\s*[–—\\-~至到]+\\s*(\\d{1,2})[:：](\\d{2})");
    private static final String[] DAY_NAMES = {"周一", "周二", "周三", "周四", "周五", "周六", "周日"};

    /** @throws IllegalArgumentException when the text names no period such as 8:30–17:30 */
    public static OfficeHours parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("must name office hours such as 工作日 8:30–17:30");
        }
        List<Period> periods = new ArrayList<>();
        Matcher m = PERIOD.matcher(text);
        while (m.find()) {
            LocalTime from = LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            LocalTime to = LocalTime.of(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
            if (!to.isAfter(from)) {
                throw new IllegalArgumentException("period " + m.group() + " ends before it starts");
            }
            periods.add(new Period(from, to));
        }
        if (periods.isEmpty()) {
            throw new IllegalArgumentException("must name office hours such as 工作日 8:30–17:30, got '" + text + "'");
        }
        List<DayOfWeek> days = text.contains("每天") || text.contains("全天")
                ? List.of(DayOfWeek.values())
                : List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);
        return new OfficeHours(text, days, List.copyOf(periods));
    }

    /** Staff are at work at {@code t}. */
    public boolean isOpen(ZonedDateTime t) {
        if (!days.contains(t.getDayOfWeek())) {
            return false;
        }
        LocalTime time = t.toLocalTime();
        return periods.stream().anyMatch(p -> !time.isBefore(p.from()) && time.isBefore(p.to()));
    }

    /** The next start of a period after {@code t} (within two weeks). */
    public ZonedDateTime nextOpening(ZonedDateTime t) {
        for (int d = 0; d < 14; d++) {
            ZonedDateTime day = t.plusDays(d);
            if (!days.contains(day.getDayOfWeek())) {
                continue;
            }
            for (Period p : periods) {
                ZonedDateTime start = day.with(p.from()).withSecond(0).withNano(0);
                if (start.isAfter(t)) {
                    return start;
                }
            }
        }
        return t;
    }

    /** When staff are back, as people say it: "今天 14:00", "明天 8:30", "周一 8:30" (a weekday beyond tomorrow). */
    public String whenBack(ZonedDateTime t) {
        ZonedDateTime next = nextOpening(t);
        long days = java.time.temporal.ChronoUnit.DAYS.between(t.toLocalDate(), next.toLocalDate());
        String day = days == 0 ? "今天" : days == 1 ? "明天" : DAY_NAMES[next.getDayOfWeek().getValue() - 1];
        return day + " " + next.toLocalTime().getHour() + ":" + String.format("%02d", next.toLocalTime().getMinute());
    }
}
