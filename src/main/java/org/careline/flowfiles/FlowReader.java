package org.careline.flowfiles;

import org.careline.flow.Common;
import org.careline.flow.Condition;
import org.careline.flow.Flow;
import org.careline.flow.FlowNode;
import org.careline.flow.FlowValidator;
import org.careline.flow.RoutingTable;
import org.careline.flow.TextNormalizer;
import org.careline.flow.WordCombinations;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.careline.flow.FlowNode.Ask;
import org.careline.flow.FlowNode.AskType;
import org.careline.flow.FlowNode.Branch;
import org.careline.flow.FlowNode.Emit;
import org.careline.flow.FlowNode.EmitType;
import org.careline.flow.FlowNode.Option;
import org.careline.flow.FlowNode.Ref;
import org.careline.flow.FlowNode.Text;

/**
 * Turns one parsed YAML file into the flow model. Shape errors (unknown keys, wrong types, bad conditions)
 * are collected as {@code file:line: message}; references are checked later by {@link FlowValidator}.
 */
final class FlowReader {

    private static final Set<String> FLOW_KEYS = Set.of("flow", "title", "start", "nodes", "texts", "intents",
            "timeout", "on");
    /**
     * The words that work anywhere which a flow may send to a node of its own; {@code alarm}: a node that keeps
     * what was given (and asks nothing) before a danger alarm takes the conversation over.
     */
    static final Set<String> REDIRECTABLE = Set.of("cancel", "human", "menu", "back", "alarm");
    private static final Set<String> NODE_KEYS = Set.of("id", "say", "set", "emit", "ask", "field", "options",
            "retry", "tries", "pattern", "skip_if_known", "level", "route", "fallback", "next", "branch", "flow",
            "call", "end", "handoff", "future");
    private static final Set<String> OPTION_KEYS = Set.of("value", "label", "words", "not", "next", "flow", "means");
    private static final Set<String> GLOBAL_KEYS = Set.of("intent", "flow", "node", "match", "words",
            "during_escalation", "groups", "together", "not", "patterns");
    private static final Set<String> TARGET_KEYS = Set.of("words", "presets", "groups", "together", "not");
    private static final int DEFAULT_TRIES = 3;

    private final String file;
    private final List<String> errors;

    FlowReader(String file, List<String> errors) {
        this.file = file;
        this.errors = errors;
    }

    private void error(int line, String message) {
        errors.add(file + ":" + line + ": " + message);
    }

    Flow flow(YamlNode root, String expectedId) {
        for (YamlNode.Entry e : root.entries()) {
            if (!FLOW_KEYS.contains(e.key())) {
                error(e.line(), "unknown key '" + e.key() + "' (expected one of " + sorted(FLOW_KEYS) + ")");
            }
        }
        String id = scalar(root, "flow");
        if (id == null) {
            error(root.line(), "missing 'flow:' (the flow id)");
            id = expectedId;
        } else if (!id.equals(expectedId)) {
            error(root.entry("flow").get().line(), "flow id '" + id + "' does not match the file name '" + expectedId + ".yaml'");
        }
        String title = scalar(root, "title");
        if (title == null || title.isBlank()) {
            error(root.line(), "missing text: 'title:' (shown when the flow is cancelled)");
        }
        Map<String, FlowNode> nodes = new LinkedHashMap<>();
        List<YamlNode> items = root.get("nodes").map(YamlNode::items).orElse(List.of());
        if (items.isEmpty()) {
            error(root.line(), "a flow needs 'nodes:'");
        }
        List<FlowNode> read = new ArrayList<>();
        for (YamlNode item : items) {
            FlowNode n = node(item);
            if (n == null) {
                continue;
            }
            if (nodes.containsKey(n.id())) {
                error(n.line(), "node id '" + n.id() + "' used twice");
                continue;
            }
            nodes.put(n.id(), n);
            read.add(n);
        }
        // Fall-through: a node without a way on continues with the node written below it.
        for (int i = 0; i < read.size(); i++) {
            FlowNode n = read.get(i);
            if (n.next() == null && n.flow() == null && !n.isEnd() && !hasElse(n) && i + 1 < read.size()) {
                FlowNode filled = new FlowNode(n.id(), n.line(), n.say(), n.set(), n.emit(), n.ask(),
                        new Ref(read.get(i + 1).id(), n.line()), true, n.branches(), n.flow(), n.call(), n.end(), n.handoff());
                nodes.put(n.id(), filled);
            }
        }
        String start = scalar(root, "start");
        if (start == null && !read.isEmpty()) {
            start = read.get(0).id();
        }
        Map<String, String> texts = new LinkedHashMap<>();
        root.get("texts").ifPresent(t -> t.entries().forEach(e -> texts.put(e.key(), e.value().text())));
        boolean timesOut = true;
        Optional<YamlNode.Entry> timeout = root.entry("timeout");
        if (timeout.isPresent()) {
            String v = timeout.get().value().text();
            if ("false".equals(v) || "no".equals(v)) {
                timesOut = false;
            } else if (!"true".equals(v) && !"yes".equals(v)) {
                error(timeout.get().line(), "'timeout:' is true or false (false: this flow never times out)");
            }
        }
        Map<String, Ref> on = new LinkedHashMap<>();
        root.get("on").ifPresent(o -> o.entries().forEach(e -> {
            if (!REDIRECTABLE.contains(e.key())) {
                error(e.line(), "'on:' takes " + sorted(REDIRECTABLE) + ", not '" + e.key() + "'");
            } else if (e.value().text() == null || e.value().text().isBlank()) {
                error(e.line(), "'on: " + e.key() + ":' needs a node id of this flow");
            } else {
                on.put(e.key(), new Ref(e.value().text().trim(), e.line()));
            }
        }));
        return new Flow(id, file, root.line(), title, start, Map.copyOf(nodes), texts, timesOut, Map.copyOf(on));
    }

    private static boolean hasElse(FlowNode n) {
        return n.branches().stream().anyMatch(b -> b.when() == null);
    }

    private FlowNode node(YamlNode item) {
        if (!item.isMap()) {
            error(item.line(), "a node is a group of 'key: value' lines starting with '- id:'");
            return null;
        }
        for (YamlNode.Entry e : item.entries()) {
            if (!NODE_KEYS.contains(e.key())) {
                error(e.line(), "unknown key '" + e.key() + "' in node");
            }
        }
        String id = scalar(item, "id");
        if (id == null || id.isBlank()) {
            error(item.line(), "node without 'id:'");
            return null;
        }
        Text say = text(item, "say");
        Map<String, Text> set = new LinkedHashMap<>();
        item.get("set").ifPresent(s -> s.entries().forEach(e -> set.put(e.key(), new Text(e.value().text(), e.line()))));
        Emit emit = item.entry("emit").map(this::emit).orElse(null);
        Ask ask = ask(item);
        List<Branch> branches = new ArrayList<>();
        item.get("branch").ifPresent(b -> b.items().forEach(x -> branch(x, branches)));
        boolean end = flag(item, "end");
        boolean handoff = flag(item, "handoff");
        if (ask == null) {
            for (String k : List.of("field", "options", "retry", "tries", "pattern", "skip_if_known", "level", "route", "fallback", "future")) {
                item.entry(k).ifPresent(e -> error(e.line(), "'" + k + "' only makes sense with 'ask:'"));
            }
        }
        return new FlowNode(id, item.line(), say, Map.copyOf(set), emit, ask, ref(item, "next"), false,
                List.copyOf(branches), ref(item, "flow"), ref(item, "call"), end, handoff);
    }

    private Emit emit(YamlNode.Entry e) {
        YamlNode v = e.value();
        String type = v.isScalar() ? v.text() : scalar(v, "type");
        EmitType t = EmitType.of(type);
        if (t == null) {
            error(e.line(), "unknown effect '" + type + "' (expected one of open-case, report-change, escalate, "
                    + "escalation-note, bind-director, unbind-director, log-visit)");
            return null;
        }
        Map<String, Text> params = new LinkedHashMap<>();
        for (YamlNode.Entry p : v.entries()) {
            if (!p.key().equals("type")) {
                params.put(p.key(), new Text(p.value().text(), p.line()));
            }
        }
        Text level = params.get("level");
        if (t == EmitType.ESCALATE && level != null
                && !Set.of("critical", "urgent", "check", "staff").contains(String.valueOf(level.text()))) {
            error(level.line(), "escalate level '" + level.text() + "' is not one of critical, urgent, check, staff");
        }
        return new Emit(t, Map.copyOf(params), e.line());
    }

    private Ask ask(YamlNode item) {
        YamlNode.Entry e = item.entry("ask").orElse(null);
        if (e == null) {
            return null;
        }
        List<AskType> types = new ArrayList<>();
        for (YamlNode t : e.value().items()) {
            AskType type = AskType.of(t.text());
            if (type == null) {
                error(t.line(), "unknown answer type '" + t.text() + "' (expected text, choice, yes-no, phone, "
                        + "id-number, date, number, region, image, voice, location or child)");
            } else {
                types.add(type);
            }
        }
        if (types.isEmpty()) {
            return null;
        }
        String field = scalar(item, "field");
        if (field == null) {
            error(e.line(), "'ask:' needs a 'field:' to keep the answer in");
        }
        List<Option> options = new ArrayList<>();
        item.get("options").ifPresent(o -> o.items().forEach(x -> option(x, options)));
        int tries = DEFAULT_TRIES;
        String t = scalar(item, "tries");
        if (t != null) {
            try {
                tries = Integer.parseInt(t.trim());
            } catch (NumberFormatException ex) {
                error(item.entry("tries").get().line(), "'tries' must be a number");
            }
        }
        String level = scalar(item, "level");
        if (types.contains(AskType.REGION) && level == null) {
            level = "town";
        } else if (level != null && !level.equals("town") && !level.matches("community of [a-z_][a-z0-9_]*")) {
            error(item.entry("level").get().line(), "level is 'town' or 'community of <town field>', not '" + level + "'");
        }
        int patternLine = item.entry("pattern").map(YamlNode.Entry::line).orElse(e.line());
        return new Ask(List.copyOf(types), field, List.copyOf(options), text(item, "retry"), tries,
                scalar(item, "pattern"), patternLine, flag(item, "skip_if_known"), level, flag(item, "route"),
                ref(item, "fallback"), e.line(), text(item, "future"));
    }

    private void option(YamlNode x, List<Option> out) {
        if (!x.isMap()) {
            error(x.line(), "an option is 'value: label' or 'label: …' with 'value:'");
            return;
        }
        if (x.get("label").isPresent()) {
            for (YamlNode.Entry e : x.entries()) {
                if (!OPTION_KEYS.contains(e.key())) {
                    error(e.line(), "unknown key '" + e.key() + "' in option");
                }
            }
            String label = scalar(x, "label");
            String value = scalar(x, "value");
            List<String> words = x.get("words").map(w -> w.items().stream().map(YamlNode::text).toList()).orElse(List.of());
            List<String> not = x.get("not").map(w -> w.items().stream().map(YamlNode::text).toList()).orElse(List.of());
            String means = scalar(x, "means");
            if (means != null && !means.equals("yes") && !means.equals("no")) {
                error(x.entry("means").get().line(), "means is \"yes\" or \"no\", not '" + means + "'");
                means = null;
            }
            out.add(new Option(value == null ? label : value, label, words, not, ref(x, "next"), ref(x, "flow"), x.line(),
                    means));
            return;
        }
        List<YamlNode.Entry> entries = x.entries();
        if (entries.size() != 1 || !entries.get(0).value().isScalar()) {
            error(x.line(), "an option is 'value: label' or 'label: …' with 'value:'");
            return;
        }
        YamlNode.Entry e = entries.get(0);
        String label = e.value().text();
        if (label == null || label.isBlank()) {
            error(e.line(), "missing text: option '" + e.key() + "' has no label");
        }
        out.add(new Option(e.key(), label, List.of(), List.of(), null, null, e.line()));
    }

    private void branch(YamlNode x, List<Branch> out) {
        if (!x.isMap()) {
            error(x.line(), "a branch rule is '- if: …' with 'next:' or 'flow:', or '- else: node'");
            return;
        }
        String elseNode = scalar(x, "else");
        if (elseNode != null) {
            out.add(new Branch(null, new Ref(elseNode, x.line()), null, x.line()));
            return;
        }
        String when = scalar(x, "if");
        Condition c = null;
        if (when != null) {
            try {
                c = Condition.parse(when);
            } catch (IllegalArgumentException ex) {
                error(x.line(), "bad condition: " + ex.getMessage());
                return;
            }
        }
        Ref next = ref(x, "next");
        Ref flow = ref(x, "flow");
        if (next == null && flow == null) {
            error(x.line(), "a branch rule needs 'next:' or 'flow:'");
            return;
        }
        out.add(new Branch(c, next, flow, x.line()));
    }

    private Text text(YamlNode n, String key) {
        return n.entry(key).map(e -> {
            String s = e.value().text();
            if (s == null || s.isBlank()) {
                error(e.line(), "missing text: '" + key + ":' is empty");
                return null;
            }
            return new Text(s.strip(), e.line());
        }).orElse(null);
    }

    private Ref ref(YamlNode n, String key) {
        return n.entry(key).map(e -> new Ref(e.value().text(), e.line())).orElse(null);
    }

    private boolean flag(YamlNode n, String key) {
        return n.get(key).map(v -> "true".equals(v.text()) || "yes".equals(v.text())).orElse(false);
    }

    static String scalar(YamlNode n, String key) {
        return n.get(key).map(YamlNode::text).orElse(null);
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }

    // ---- common.yaml and the intents table ----

    Common common(YamlNode root) {
        List<Common.GlobalIntent> globals = new ArrayList<>();
        for (YamlNode g : root.get("globals").map(YamlNode::items).orElse(List.of())) {
            unknownKeys(g, GLOBAL_KEYS);
            String name = scalar(g, "intent");
            List<String> words = g.get("words").map(w -> w.items().stream().map(YamlNode::text).toList()).orElse(List.of());
            WordCombinations combinations = combinations(g).withPatterns(patterns(g));
            if (name == null || words.isEmpty() && combinations.combinations().isEmpty() && combinations.patterns().isEmpty()) {
                error(g.line(), "a global intent needs 'intent:' and 'words:' (or 'together:')");
                continue;
            }
            Ref flow = ref(g, "flow");
            // papers and papers_<topic> say the common text of the same name, then ask the open question again.
            if (flow == null && !name.equals("cancel") && !name.equals("back") && !name.startsWith("papers")) {
                error(g.line(), "global intent '" + name + "' needs 'flow:' (only cancel, back and papers have none)");
            }
            globals.add(new Common.GlobalIntent(name, "exact".equals(scalar(g, "match")), words, combinations, flow, ref(g, "node"),
                    flag(g, "during_escalation"), g.line()));
        }
        Map<String, String> texts = new LinkedHashMap<>();
        root.get("texts").ifPresent(t -> t.entries().forEach(e -> texts.put(e.key(), e.value().text())));
        for (String required : Common.REQUIRED_TEXTS) {
            if (texts.get(required) == null || texts.get(required).isBlank()) {
                error(root.entry("texts").map(YamlNode.Entry::line).orElse(1), "missing text: texts." + required);
            }
        }
        YamlNode fallback = root.get("fallback").orElse(null);
        if (fallback == null) {
            error(root.line(), "missing 'fallback:' (where too many invalid answers lead, usually a person)");
        }
        Ref follow = ref(root, "follow");
        if (follow == null) {
            error(root.line(), "missing 'follow:' (the flow a new follower starts)");
        }
        return new Common(file, List.copyOf(globals), texts, words(root, "yes_words"), words(root, "no_words"),
                refs(root, "clicks"), refs(root, "scenes"),
                fallback == null ? null : ref(fallback, "flow"), fallback == null ? null : ref(fallback, "node"),
                follow);
    }

    private List<String> words(YamlNode root, String key) {
        return root.get(key).map(w -> w.items().stream().map(YamlNode::text).toList()).orElse(List.of());
    }

    private Map<String, Ref> refs(YamlNode root, String key) {
        Map<String, Ref> out = new LinkedHashMap<>();
        root.get(key).ifPresent(m -> m.entries().forEach(e -> out.put(e.key(), new Ref(e.value().text(), e.line()))));
        return out;
    }

    RoutingTable routing(YamlNode root) {
        YamlNode intents = root.get("intents").orElse(null);
        if (intents == null) {
            return null;
        }
        int threshold = 2;
        List<RoutingTable.Target> targets = new ArrayList<>();
        for (YamlNode.Entry e : intents.entries()) {
            if (e.key().equals("threshold")) {
                threshold = Integer.parseInt(e.value().text());
                continue;
            }
            unknownKeys(e.value(), TARGET_KEYS);
            Map<String, Map<String, Map<String, Integer>>> presets = new LinkedHashMap<>();
            e.value().get("presets").ifPresent(p -> p.entries().forEach(field -> {
                Map<String, Map<String, Integer>> byValue = new LinkedHashMap<>();
                field.value().entries().forEach(v -> byValue.put(v.key(), weights(v.value())));
                presets.put(field.key(), byValue);
            }));
            targets.add(new RoutingTable.Target(new Ref(e.key(), e.line()),
                    e.value().get("words").map(this::weights).orElse(Map.of()), combinations(e.value()), presets));
        }
        return new RoutingTable(List.copyOf(targets), threshold);
    }

    private void unknownKeys(YamlNode n, Set<String> known) {
        for (YamlNode.Entry e : n.entries()) {
            if (!known.contains(e.key())) {
                error(e.line(), "unknown key '" + e.key() + "' (expected one of " + sorted(known) + ")");
            }
        }
    }

    /**
     * {@code groups:} (name → words), {@code together:} ("child + harm", with a weight in menu.yaml) and
     * {@code not:} (phrases set aside). Every group named in {@code together} must exist and every group
     * must be used, so a typo in either place cannot silently switch a danger rule off.
     */
    /**
     * {@code patterns:} "想…死": parts in this order in one clause with a few characters between them. Each
     * needs at least two non-empty parts, so that a typo cannot turn a pattern into a single word.
     */
    private List<String> patterns(YamlNode n) {
        List<String> out = new ArrayList<>();
        n.get("patterns").ifPresent(list -> {
            for (YamlNode item : list.items()) {
                String spec = item.text();
                String[] parts = spec == null ? new String[0] : spec.split("…|\\.\\.\\.");
                if (parts.length < 2 || Arrays.stream(parts).anyMatch(x -> TextNormalizer.compact(x).isEmpty())) {
                    error(item.line(), "pattern '" + spec + "' needs two or more parts joined with …, e.g. 想…死");
                    continue;
                }
                out.add(spec);
            }
        });
        return out;
    }

    private WordCombinations combinations(YamlNode n) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, Integer> groupLines = new LinkedHashMap<>();
        n.get("groups").ifPresent(g -> {
            if (!g.isMap()) {
                error(g.line(), "'groups:' names word lists, e.g. child: [孩子, 娃]");
                return;
            }
            for (YamlNode.Entry e : g.entries()) {
                List<String> words = e.value().items().stream().map(YamlNode::text)
                        .filter(w -> w != null && !TextNormalizer.compact(w).isEmpty()).toList();
                if (words.isEmpty()) {
                    error(e.line(), "group '" + e.key() + "' has no words");
                }
                groups.put(e.key(), words);
                groupLines.put(e.key(), e.line());
            }
        });
        List<WordCombinations.Combination> combinations = new ArrayList<>();
        Set<String> used = new HashSet<>();
        n.entry("together").ifPresent(t -> {
            Map<String, Integer> weighted = weights(t.value());
            if (weighted.isEmpty()) {
                error(t.line(), "'together:' lists group names joined with +, e.g. [child + harm]");
            }
            weighted.forEach((spec, weight) -> {
                List<String> names = Arrays.stream(spec.split("\\+")).map(String::strip).toList();
                if (names.size() < 2 || names.stream().anyMatch(String::isEmpty)) {
                    error(t.line(), "together '" + spec + "' needs at least two group names joined with +");
                    return;
                }
                for (String name : names) {
                    if (!groups.containsKey(name)) {
                        error(t.line(), "together '" + spec + "' names unknown group '" + name + "' (groups: "
                                + String.join(", ", groups.keySet()) + ")");
                    }
                }
                used.addAll(names);
                combinations.add(new WordCombinations.Combination(names, weight, t.line()));
            });
        });
        groupLines.forEach((name, line) -> {
            if (!used.contains(name)) {
                error(line, "group '" + name + "' is not used in 'together:'");
            }
        });
        List<String> exceptions = n.get("not").map(x -> x.items().stream().map(YamlNode::text)
                .filter(w -> w != null && !w.isBlank()).toList()).orElse(List.of());
        n.get("not").filter(x -> !x.isList() && !x.isScalar())
                .ifPresent(x -> error(x.line(), "'not:' is a list of phrases, e.g. [打电话, 打工]"));
        return new WordCombinations(groups, combinations, exceptions);
    }

    /** {@code {没钱: 3, 困难: 2}} or a plain list (weight 1 each). */
    private Map<String, Integer> weights(YamlNode n) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (n.isMap()) {
            for (YamlNode.Entry e : n.entries()) {
                try {
                    out.put(e.key(), Integer.parseInt(e.value().text().trim()));
                } catch (RuntimeException ex) {
                    error(e.line(), "weight of '" + e.key() + "' must be a number");
                }
            }
        } else {
            n.items().forEach(i -> out.put(i.text(), 1));
        }
        return out;
    }
}
