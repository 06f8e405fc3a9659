package org.careline.flow;

import java.util.Map;

/**
 * What the engine asks the outside world to do after the new state is saved. The engine only returns
 * these; {@code ConversationService} performs them.
 */
public sealed interface Effect {

    /** A text to show the person, in order. */
    record Reply(String text) implements Effect {}

    /**
     * Open a case (help request). {@code caseId} was drawn from {@link StepContext#newCaseId()} so that
     * the reply can already quote it; {@code fields} are the flow's collected fields (consent included).
     */
    record OpenCase(String caseId, String kind, Map<String, String> fields) implements Effect {}

    /**
     * A family or director reports a change in a child's situation. {@code caseId} is the report's own
     * number (drawn like a case's); {@code fields} carry {@code related_case}, the request it may affect.
     */
    record ReportChange(String caseId, Map<String, String> fields) implements Effect {}

    /**
     * Tell bureau staff. {@code level} (critical, urgent, check, staff) orders their queue; {@code urgent}
     * for danger (mandatory-report territory). {@code opened}: a new escalation, else one already open was
     * raised or confirmed (the alarm is never opened twice).
     */
    record Escalate(String reason, boolean urgent, String level, boolean opened, Map<String, String> fields)
            implements Effect {}

    /** What the person said while an escalation is open: added to it, for staff and the back office. */
    record EscalationMessage(String text) implements Effect {}

    /**
     * Adds facts to the escalation this conversation opened (e.g. whether and when the police were called
     * after a danger report). {@code fields} are the conversation's fields at that point.
     */
    record EscalationNote(Map<String, String> fields) implements Effect {}

    /** A chat with staff ends; {@code by} says who ended it ({@code person} when they said 结束人工). */
    record EscalationClosed(String by) implements Effect {}

    /**
     * A director or supervisor binds this WeChat account to their roster entry: {@code binding} is the code's
     * outcome looked up before the step ({@code result} ok: the profile is written with the save).
     */
    record BindDirector(Map<String, String> fields, StepContext.Binding binding) implements Effect {
        public BindDirector(Map<String, String> fields) {
            this(fields, null);
        }
    }

    /** A bound director or supervisor asks to be unbound (解除绑定): the profile goes with the save. */
    record UnbindDirector(String rosterId) implements Effect {}

    /** A director logs a visit to a child. */
    record LogVisit(Map<String, String> fields) implements Effect {}
}
