package org.careline.flow;

import java.util.Map;

/**
 * One flow file: a title (quoted when the flow is cancelled), a start node and nodes in file order.
 *
 * @param texts extra named texts of this flow ({@code texts:} section), e.g. the line template of case-status
 */
record Flow(String id, String file, int line, String title, String start, Map<String, FlowNode> nodes,
            Map<String, String> texts) {

    FlowNode node(String nodeId) {
        return nodeId == null ? null : nodes.get(nodeId);
    }
}
