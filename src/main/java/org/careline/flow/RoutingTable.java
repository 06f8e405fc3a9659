package org.careline.flow;

import java.util.List;
import java.util.Map;

/**
 * The {@code intents:} section of menu.yaml: weighted words per target flow, and per preset field value
 * (so "孩子住院了没钱交医药费" starts help-request with need = medical). A message goes to the flow with the
 * highest score if it reaches {@code threshold}.
 */
public record RoutingTable(List<Target> targets, int threshold) {

    /** {@code presets}: field → value → words with weights. */
    public record Target(FlowNode.Ref flow, Map<String, Integer> words, WordCombinations combinations,
                  Map<String, Map<String, Map<String, Integer>>> presets) {}

    public static RoutingTable empty() {
        return new RoutingTable(List.of(), 1);
    }
}
