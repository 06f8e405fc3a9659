package org.careline.cases;

import java.util.List;

/**
 * The published shape of each back-office event: {@code schemas/<type>.v<version>.json} on the class path
 * (JSON Schema draft 2020-12). The version travels in the envelope as {@code schemaVersion}; a change a
 * receiver could trip over (a field removed, renamed or retyped) is a new version and a new file, the old one
 * stays until no stored event carries it.
 */
public final class EventSchemas {

    /** Every event type CareLine emits or will emit, each with a schema. */
    public static final List<String> TYPES = List.of(
            CaseEvent.CASE_CREATED, CaseEvent.CASE_UPDATED, CaseEvent.CHANGE_REPORTED,
            CaseEvent.ESCALATION_OPENED, CaseEvent.ESCALATION_MESSAGE, CaseEvent.ESCALATION_UPDATED,
            CaseEvent.ESCALATION_RESOLVED, CaseEvent.PERSON_ERASED, CaseEvent.VISIT_LOGGED, CaseEvent.VISIT_OVERDUE,
            CaseEvent.DIRECTOR_BOUND);

    private EventSchemas() {
    }

    /** The schema version events of this type are written with now. */
    public static int version(String type) {
        return 1;
    }

    /** Class-path resource of a type's schema. */
    public static String resource(String type, int version) {
        return "schemas/" + type + ".v" + version + ".json";
    }
}
