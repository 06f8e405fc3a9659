package org.careline.flow;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One person's conversation, stored as JSON in Redis (Jackson, records). Immutable: the engine returns a
 * new one each step.
 *
 * @param flow        current flow id ({@code menu}, {@code help-request} …)
 * @param node        current node id within that flow
 * @param status      {@code BOT} while the bot answers, {@code ESCALATED} while staff have the chat
 * @param fields      collected answers and set fields, by name
 * @param stack       return points of flows jumped into ("jump to another flow and return")
 * @param history     nodes asked before in this flow, for 返回/上一步
 * @param attempts    invalid answers given at the current node
 * @param flowsVersion version of the flow files this state was made with
 * @param startedAt   when this conversation began
 * @param updatedAt   when it last changed
 * @param escalation  the alarm or handoff to staff that is open, or null; it outlives flows, timeouts and
 *                    the menu, and only staff close it (an ordinary request for a person the person may end)
 * @param closedAlarm the last alarm staff closed, or null: for a while after it the person's next words are
 *                    read with that danger in mind
 */
public record ConversationState(
        String flow,
        String node,
        Status status,
        Map<String, String> fields,
        List<Frame> stack,
        List<String> history,
        int attempts,
        String flowsVersion,
        Instant startedAt,
        Instant updatedAt,
        Escalation escalation,
        ClosedAlarm closedAlarm) {

    public ConversationState(String flow, String node, Status status, Map<String, String> fields, List<Frame> stack,
                             List<String> history, int attempts, String flowsVersion, Instant startedAt,
                             Instant updatedAt) {
        this(flow, node, status, fields, stack, history, attempts, flowsVersion, startedAt, updatedAt, null, null);
    }

    public ConversationState(String flow, String node, Status status, Map<String, String> fields, List<Frame> stack,
                             List<String> history, int attempts, String flowsVersion, Instant startedAt,
                             Instant updatedAt, Escalation escalation) {
        this(flow, node, status, fields, stack, history, attempts, flowsVersion, startedAt, updatedAt, escalation,
                null);
    }

    public enum Status { BOT, ESCALATED }

    /**
     * What staff have been asked to look at, and since when. {@code level} orders the staff queue: a life
     * at risk now first, then danger, then a possible danger the bot asked about, then a request for a person.
     */
    public record Escalation(Level level, String reason, Instant openedAt, Instant lastMessageAt) {

        public enum Level {
            /** Self-harm with the person not safe now, or a child in danger now. */
            CRITICAL,
            /** Danger to a child, or words of suicide or self-harm. */
            URGENT,
            /** Recognition was unsure: the bot asked whether the person or child is safe. */
            CHECK,
            /** The person asked for a member of staff, or the bot could not understand. */
            STAFF
        }

        public boolean urgent() {
            return level == Level.CRITICAL || level == Level.URGENT;
        }

        /** An alarm (any danger, sure or not) is closed by staff only, never by what the person types. */
        public boolean alarm() {
            return level != Level.STAFF;
        }

        /** This escalation after another request of {@code other} level: the more severe level wins. */
        Escalation raisedTo(Level other, String otherReason, Instant now) {
            boolean higher = other.ordinal() < level.ordinal();
            if (higher) {
                return new Escalation(other, otherReason, openedAt, now);
            }
            // A second finding of the same weight (a visit: no guardian, then unsafe) is added, not dropped.
            boolean also = other == level && otherReason != null && !otherReason.isBlank()
                    && (reason == null || !reason.contains(otherReason));
            return new Escalation(level, also ? (reason == null || reason.isBlank() ? "" : reason + "；") + otherReason
                    : reason, openedAt, now);
        }
    }

    /**
     * An alarm staff closed, and what it was about: {@code kind} is the urgent flow's {@code alarm_kind} (harm,
     * self_harm, self_harm_child, check; null for an alarm raised elsewhere, e.g. a director's visit) and
     * {@code about} its {@code alarm_about} (writer: the person writing was the one at risk; child). A child
     * whose father "came back" days later must not be shown the menu (FlowEngine.AFTER_ALARM).
     */
    public record ClosedAlarm(String kind, String about, Instant closedAt) {}

    /** Where to come back to when a flow jumped into ends. */
    public record Frame(String flow, String node) {}
}
