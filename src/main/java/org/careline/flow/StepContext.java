package org.careline.flow;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything the engine may know about the world for one step, gathered by the orchestrator before the
 * step runs, so that the engine itself does no I/O.
 *
 * @param now         the time of this step (from a {@code Clock})
 * @param zone        the bureau's time zone, for dates in texts
 * @param newCaseId   draws a fresh case number when a flow opens a case
 * @param profile     who this person is to the bureau (role, bound community …)
 * @param cases       this person's own cases, newest first, for {@code case-status}
 * @param idleTimeout a conversation idle longer than this starts afresh
 * @param office      when staff read messages ("工作日 8:30–17:30"): texts at night say when they will
 */
public record StepContext(Instant now, ZoneId zone, Supplier<String> newCaseId, Profile profile,
                          List<CaseSummary> cases, Duration idleTimeout, OfficeHours office,
                          List<ChildOnList> children, Map<String, Binding> bindings, Instant staffRepliedAt) {

    /**
     * A staff member who wrote to the person this recently is taken to be reading the chat now, also outside
     * office hours: the bot must not tell a child in a crisis that nobody reads before morning while a
     * caseworker is writing to them.
     */
    public static final Duration STAFF_ACTIVE = Duration.ofMinutes(30);

    public StepContext(Instant now, ZoneId zone, Supplier<String> newCaseId, Profile profile, List<CaseSummary> cases,
                       Duration idleTimeout, OfficeHours office, List<ChildOnList> children,
                       Map<String, Binding> bindings) {
        this(now, zone, newCaseId, profile, cases, idleTimeout, office, children, bindings, null);
    }

    public StepContext(Instant now, ZoneId zone, Supplier<String> newCaseId, Profile profile, List<CaseSummary> cases,
                       Duration idleTimeout, OfficeHours office) {
        this(now, zone, newCaseId, profile, cases, idleTimeout, office, List.of(), Map.of());
    }

    public StepContext {
        children = children == null ? List.of() : List.copyOf(children);
        bindings = bindings == null ? Map.of() : Map.copyOf(bindings);
    }

    /** The same step with the children a director may see and the outcome of binding codes looked up. */
    public StepContext with(List<ChildOnList> children, Map<String, Binding> bindings) {
        return new StepContext(now, zone, newCaseId, profile, cases, idleTimeout, office, children, bindings,
                staffRepliedAt);
    }

    /** The same step, knowing when someone on staff last wrote to the person (null: never). */
    public StepContext withStaffRepliedAt(Instant at) {
        return new StepContext(now, zone, newCaseId, profile, cases, idleTimeout, office, children, bindings, at);
    }

    /** The office hours as configured text, shown when a chat goes to staff. */
    public String officeHours() {
        return office == null ? "" : office.text();
    }

    /** Staff are at work now: office hours, or a staff member wrote to this person within {@link #STAFF_ACTIVE}. */
    public boolean staffOnDuty() {
        return office == null || office.isOpen(now.atZone(zone))
                || staffRepliedAt != null && !staffRepliedAt.isBefore(now.minus(STAFF_ACTIVE));
    }

    /**
     * Who the person is. {@code role} is {@code family}, {@code director} or {@code supervisor};
     * {@code rosterId} is a bound director's or supervisor's entry in the roster.
     */
    public record Profile(String role, String community, String town, String rosterId) {
        public Profile(String role, String community, String town) {
            this(role, community, town, null);
        }

        public static Profile family() {
            return new Profile("family", null, null, null);
        }
    }

    /**
     * A child on the list a director (their community) or a supervisor (their town) may see, most urgent
     * first. Only ever shown in that person's own chat.
     *
     * @param daysOverdue days past the due date; negative: days left
     * @param due         due within the reminder window, or overdue: listed by {@code {due_list}}
     */
    public record ChildOnList(String id, String name, Integer age, String tags, String community,
                              java.time.LocalDate dueOn, int daysOverdue, boolean due) {}

    /**
     * What a binding code turned out to be, looked up before the step (the engine does no I/O). {@code result}:
     * {@code ok}, {@code wrong}, {@code expired}, {@code used}, {@code elsewhere} (this WeChat account is
     * bound to someone else), {@code limited} (too many wrong codes), {@code unavailable} (no roster entry).
     */
    public record Binding(String result, String rosterId, String role, String community, String town) {}

    /** One of the person's cases, as the family sees it. */
    public record CaseSummary(String caseId, String kind, String status, String statusText, Instant updatedAt) {}
}
