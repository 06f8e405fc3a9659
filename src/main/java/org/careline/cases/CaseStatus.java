package org.careline.cases;

/**
 * Where a case stands, as the back office reports it. What a family reads for each status lives in
 * {@code texts/system.properties} ({@code status.RECEIVED}, and per kind {@code status.RECEIVED.report-change}).
 */
public enum CaseStatus {
    RECEIVED, IN_REVIEW, NEED_PAPERS, REFERRED, APPROVED, DECLINED, CLOSED,
    /** A caseworker (or the community's child director) has been given the case. */
    ASSIGNED,
    /** Someone will visit, or is visiting, the family. */
    VISITING
}
