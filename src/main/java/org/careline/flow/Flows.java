package org.careline.flow;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** All flows of one version, validated, with the shared texts, the regions and the routing table. */
public final class Flows {

    private final Map<String, Flow> flows;
    private final Common common;
    private final Regions regions;
    private final RoutingTable routing;
    private final String version;
    private final List<IntentClassifier.Example> examples;
    private final IntentClassifier classifier;
    private final IntentClassifier safetyClassifier;

    public Flows(Map<String, Flow> flows, Common common, Regions regions, RoutingTable routing,
          List<IntentClassifier.Example> examples, String version) {
        this.flows = Map.copyOf(flows);
        this.common = common;
        this.regions = regions;
        this.routing = routing;
        this.examples = List.copyOf(examples);
        // The safety set's tuning half (examples/safety-*.yaml) teaches only the danger check, not routing:
        // its ordinary messages would otherwise pull help requests towards "none".
        this.classifier = new IntentClassifier(this.examples.stream().filter(e -> !e.safetyOnly()).toList());
        this.safetyClassifier = new IntentClassifier(this.examples);
        this.version = version;
    }

    /** A hash of the flow files and the regions file: states made with another version are checked. */
    public String version() {
        return version;
    }

    public Set<String> ids() {
        return new TreeSet<>(flows.keySet());
    }

    public int size() {
        return flows.size();
    }

    public Regions regions() {
        return regions;
    }

    /**
     * The router: global words of common.yaml, then the weighted {@code intents:} of menu.yaml. For a
     * labelled-set test: {@code FlowLoader.load(Path.of("conversation-flows")).router().route(text)}.
     */
    public IntentRouter router() {
        return new IntentRouter(routing, common.globals(), classifier, safetyClassifier);
    }

    /** Whether {@code flow} has a node {@code node}: the orchestrator and console may check stored states. */
    public boolean has(String flow, String node) {
        Flow f = flows.get(flow);
        return f != null && (node == null || f.nodes().containsKey(node));
    }

    Flow flow(String id) {
        return id == null ? null : flows.get(id);
    }

    Map<String, Flow> all() {
        return flows;
    }

    Common common() {
        return common;
    }

    RoutingTable routing() {
        return routing;
    }

    List<IntentClassifier.Example> examples() {
        return examples;
    }
}
