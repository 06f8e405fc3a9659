package org.careline.flow;

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
