package org.careline.cases;

import java.time.Instant;
import java.util.Map;

/**
 * One case as CareLine keeps it: a help request or a reported change, owned by the person who raised it.
 *
 * @param fields what the flow collected (consent record included), by field name
 */
public record CaseRecord(String caseId, String kind, CaseStatus status, String statusNote, String openid,
                         Map<String, String> fields, Instant createdAt, Instant updatedAt) {
}
