package org.careline.flowfiles;

import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML node that remembers its line. We read flow files through snakeyaml's node API rather than into
 * maps because every validation error must point at {@code file:line}.
 */
final class YamlNode {

    /** One key of a mapping, with the line of the key itself (where a reader looks for a typo). */
    record Entry(String key, int line, YamlNode value) {}

    private final Node node;

    private YamlNode(Node node) {
        this.node = node;
    }

    /** Parses a whole document; empty documents give an empty optional. */
    static Optional<YamlNode> parse(Reader reader) {
        Node root = new Yaml(new LoaderOptions()).compose(reader);
        return Optional.ofNullable(root).map(YamlNode::new);
    }

    /**
     * Keys written twice in one mapping, anywhere below this node, as {@code line: key}. YAML keeps only
     * the last, so the first silently stops working: a flow author must hear about it.
     */
    List<String> duplicateKeys() {
        List<String> out = new ArrayList<>();
        collectDuplicates(node, out);
        return out;
    }

    private static void collectDuplicates(Node n, List<String> out) {
        if (n instanceof MappingNode m) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && !seen.add(k.getValue())) {
                    out.add((k.getStartMark().getLine() + 1) + ": '" + k.getValue() + "' is written twice here; "
                            + "only the last one counts");
                }
                collectDuplicates(t.getValueNode(), out);
            }
        } else if (n instanceof SequenceNode s) {
            s.getValue().forEach(child -> collectDuplicates(child, out));
        }
    }

    int line() {
        return node.getStartMark().getLine() + 1;
    }

    boolean isMap() {
        return node instanceof MappingNode;
    }

    boolean isList() {
        return node instanceof SequenceNode;
    }

    boolean isScalar() {
        return node instanceof ScalarNode;
    }

    /** The scalar's text; for a list or map, null. */
    String text() {
        return node instanceof ScalarNode s ? s.getValue() : null;
    }

    List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                Node k = t.getKeyNode();
                String key = k instanceof ScalarNode s ? s.getValue() : String.valueOf(k);
                out.add(new Entry(key, k.getStartMark().getLine() + 1, new YamlNode(t.getValueNode())));
            }
        }
        return out;
    }

    Optional<Entry> entry(String key) {
        return entries().stream().filter(e -> e.key().equals(key)).findFirst();
    }

    Optional<YamlNode> get(String key) {
        return entry(key).map(Entry::value);
    }

    /** A list's items; a single scalar counts as a one-item list, which is how people write one word. */
    List<YamlNode> items() {
        if (node instanceof SequenceNode s) {
            return s.getValue().stream().map(YamlNode::new).toList();
        }
        return isScalar() ? List.of(this) : List.of();
    }
}
