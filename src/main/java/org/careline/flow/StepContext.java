package org.careline.flow;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
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
                          List<CaseSummary> cases, Duration idleTimeout, OfficeHours office) {

    /** The office hours as configured text, shown when a chat goes to staff. */
    public String officeHours() {
        return office == null ? "" : office.text();
    }

    /** Staff are at work now. */
    public boolean staffOnDuty() {
        return office == null || office.isOpen(now.atZone(zone));
    }

    /** Who the person is. {@code role} is {@code family}, {@code director} or {@code supervisor}. */
    public record Profile(String role, String community, String town) {
        public static Profile family() {
            return new Profile("family", null, null);
        }
    }

    /** One of the person's cases, as the family sees it. */
    public record CaseSummary(String caseId, String kind, String status, String statusText, Instant updatedAt) {}
}
