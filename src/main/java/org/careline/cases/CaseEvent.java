package org.careline.cases;

import java.time.Instant;
import java.util.Map;

/**
 * One event for the back office (DESIGN §6): {@code id} is the idempotency key, {@code type} one of
 * {@code case.created}, {@code case.updated}, {@code change.reported}, {@code visit.logged},
 * {@code escalation.opened}, {@code escalation.updated}, {@code escalation.resolved}, {@code visit.overdue},
 * {@code director.bound}.
 */
public record CaseEvent(String id, String type, Instant time, Map<String, Object> data) {

    public static final String CASE_CREATED = "case.created";
    public static final String CASE_UPDATED = "case.updated";
    public static final String CHANGE_REPORTED = "change.reported";
    public static final String VISIT_LOGGED = "visit.logged";
    public static final String ESCALATION_OPENED = "escalation.opened";
    public static final String ESCALATION_MESSAGE = "escalation.message";
    public static final String ESCALATION_RESOLVED = "escalation.resolved";
    /** Added to DESIGN's list: what an escalation learnt later (police report made, and when). */
    public static final String ESCALATION_UPDATED = "escalation.updated";
    public static final String DIRECTOR_BOUND = "director.bound";
    public static final String VISIT_OVERDUE = "visit.overdue";
}
