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
        Instant updatedAt) {

    public enum Status { BOT, ESCALATED }

    /** Where to come back to when a flow jumped into ends. */
    public record Frame(String flow, String node) {}
}
