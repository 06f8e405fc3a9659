package org.careline.flow;

import java.util.Map;

/**
 * One flow file: a title (quoted when the flow is cancelled), a start node and nodes in file order.
 *
 * @param texts extra named texts of this flow ({@code texts:} section), e.g. the line template of case-status
 */
public record Flow(String id, String file, int line, String title, String start, Map<String, FlowNode> nodes,
            Map<String, String> texts, boolean timesOut, Map<String, FlowNode.Ref> on) {

    /**
     * Where a word that works anywhere leads while this flow is open, when the flow says so ({@code on:
     * cancel: node}); else null. The urgent flow uses it: 取消 there must not withdraw an alarm.
     */
    FlowNode.Ref on(String intent) {
        return on == null ? null : on.get(intent);
    }

    FlowNode node(String nodeId) {
        return nodeId == null ? null : nodes.get(nodeId);
    }
}
