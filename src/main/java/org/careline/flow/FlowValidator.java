package org.careline.flow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.careline.flow.FlowNode.Ask;
import org.careline.flow.FlowNode.AskType;
import org.careline.flow.FlowNode.Branch;
import org.careline.flow.FlowNode.Option;
import org.careline.flow.FlowNode.Ref;
import org.careline.flow.FlowNode.Text;

/**
 * Checks a loaded set of flows the way a careful reviewer would: every reference leads somewhere, every
 * node can be reached and leads on, every question has a text, every pattern compiles, and no text or
 * condition uses a field that no path has set yet. Errors are {@code file:line: message}, sorted by file
 * and line.
 */
public final class FlowValidator {

    /** Fields the engine always provides (from the profile, the clock, the step context or a global intent). */
    static final Set<String> BUILTIN_FIELDS = Set.of("role", "community", "town", "today", "now", "office_hours",
            "cases", "cases_count", "trigger_text", "handoff_reason", "flow_title", "first_message", "staff_when", "staff_on_duty",
            "alarm_kind", "alarm_about", "roster_id", "due_list", "due_count", "overdue_count", "children_count");

    /** Set by a {@code bind-director} effect: the code's outcome and, when bound, who. */
    static final Set<String> BIND_FIELDS = Set.of("bind_result", "bound_role", "bound_community", "bound_town");
    /** Set by a {@code child} question besides its field (the child's roster id). */
    static final Set<String> CHILD_FIELDS = Set.of("child_name", "child_age", "child_community", "child_tags");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_][a-z0-9_]*)}");

    private final Flows flows;
    private final List<Issue> issues = new ArrayList<>();

    private record Issue(String file, int line, String message) {}

    public FlowValidator(Flows flows) {
        this.flows = flows;
    }

    public List<String> validate() {
        checkCommon();
        checkRouting();
        checkExamples();
        for (Flow f : flows.all().values()) {
            checkFlow(f);
        }
        checkFields();
        return issues.stream()
                .sorted((a, b) -> a.file().equals(b.file()) ? Integer.compare(a.line(), b.line()) : a.file().compareTo(b.file()))
                .map(i -> i.file() + ":" + i.line() + ": " + i.message())
                .distinct()
                .toList();
    }

    /** Example messages must teach a flow that exists (or {@code none}), and one example one intent. */
    private void checkExamples() {
        java.util.Map<String, String> seen = new java.util.HashMap<>();
        for (IntentClassifier.Example e : flows.examples()) {
            if (!IntentClassifier.NONE.equals(e.intent()) && flows.flow(e.intent()) == null) {
                error(e.file(), e.line(), "unknown flow '" + e.intent() + "' (an examples file names a flow id or none)");
            }
            String key = TextNormalizer.compact(e.text());
            if (key.isEmpty()) {
                // Emoji or punctuation only: nothing the bot reads, so nothing to learn or to contradict.
                continue;
            }
            String other = seen.putIfAbsent(key, e.intent());
            if (other != null && !other.equals(e.intent())) {
                error(e.file(), e.line(), "example '" + e.text() + "' is also an example of " + other
                        + ": give each message one meaning");
            }
        }
    }

    private void error(String file, int line, String message) {
        issues.add(new Issue(file, line, message));
    }

    private boolean flowExists(String file, Ref ref) {
        if (ref != null && flows.flow(ref.target()) == null) {
            error(file, ref.line(), "unknown flow '" + ref.target() + "'");
            return false;
        }
        return ref != null;
    }

    private void nodeExists(String file, Flow flow, Ref ref) {
        if (ref != null && flow != null && flow.node(ref.target()) == null) {
            error(file, ref.line(), "unknown node '" + ref.target() + "' in flow '" + flow.id() + "'");
        }
    }

    private void checkCommon() {
        Common c = flows.common();
        for (Common.GlobalIntent g : c.globals()) {
            if (g.flow() != null && flowExists(c.file(), g.flow())) {
                nodeExists(c.file(), flows.flow(g.flow().target()), g.node());
            }
        }
        c.clicks().values().forEach(r -> flowExists(c.file(), r));
        c.scenes().values().forEach(r -> flowExists(c.file(), r));
        flowExists(c.file(), c.followFlow());
        if (flowExists(c.file(), c.fallbackFlow())) {
            nodeExists(c.file(), flows.flow(c.fallbackFlow().target()), c.fallbackNode());
        }
    }

    private void checkRouting() {
        for (RoutingTable.Target t : flows.routing().targets()) {
            Flow menu = flows.flow("menu");
            flowExists(menu == null ? "menu.yaml" : menu.file(), t.flow());
        }
    }

    private void checkFlow(Flow f) {
        if (f.node(f.start()) == null) {
            error(f.file(), f.line(), "unknown node '" + f.start() + "' as start");
            return;
        }
        f.on().values().forEach(r -> nodeExists(f.file(), f, r));
        for (FlowNode n : f.nodes().values()) {
            if (!n.fallsThrough()) {
                nodeExists(f.file(), f, n.next());
            }
            flowExists(f.file(), n.flow());
            flowExists(f.file(), n.call());
            for (Branch b : n.branches()) {
                nodeExists(f.file(), f, b.next());
                flowExists(f.file(), b.flow());
            }
            if (n.say() == null && n.ask() != null) {
                error(f.file(), n.line(), "missing text: node '" + n.id() + "' asks without 'say:'");
            }
            if (n.ask() != null) {
                checkAsk(f, n, n.ask());
            }
            if (!leadsOn(n)) {
                error(f.file(), n.line(), "dead end: node '" + n.id() + "' has no way on (add next:, branch:, flow: or end: true)");
            }
            if (n.call() != null && n.next() == null) {
                error(f.file(), n.line(), "node '" + n.id() + "' calls '" + n.call().target() + "' but has no 'next:' to return to");
            }
        }
        Set<String> reachable = reachable(f);
        for (FlowNode n : f.nodes().values()) {
            if (!reachable.contains(n.id())) {
                error(f.file(), n.line(), "unreachable node '" + n.id() + "'");
            }
        }
    }

    private void checkAsk(Flow f, FlowNode n, Ask a) {
        for (Option o : a.options()) {
            nodeExists(f.file(), f, o.next());
            flowExists(f.file(), o.flow());
            if (o.label() == null || o.label().isBlank()) {
                error(f.file(), o.line(), "missing text: option without label");
            }
        }
        if (a.accepts(AskType.CHOICE) && a.options().isEmpty()) {
            error(f.file(), a.line(), "missing text: a choice needs 'options:'");
        }
        if (a.fallback() != null && f.node(a.fallback().target()) == null && flows.flow(a.fallback().target()) == null) {
            error(f.file(), a.fallback().line(), "unknown node or flow '" + a.fallback().target() + "' as fallback");
        }
        if (a.pattern() != null) {
            try {
                Pattern.compile(a.pattern());
            } catch (PatternSyntaxException e) {
                error(f.file(), a.patternLine(), "invalid pattern: " + e.getDescription() + " in '" + a.pattern() + "'");
            }
        }
        if (a.tries() < 1) {
            error(f.file(), a.line(), "'tries' must be at least 1");
        }
    }

    private static boolean leadsOn(FlowNode n) {
        if (n.isEnd() || n.next() != null || n.flow() != null) {
            return true;
        }
        if (n.branches().stream().anyMatch(b -> b.when() == null)) {
            return true;
        }
        // A choice whose every option names where it goes leads on by itself.
        return n.ask() != null && !n.ask().options().isEmpty()
                && n.ask().options().stream().allMatch(o -> o.next() != null || o.flow() != null);
    }

    /** Nodes reachable from the start and from entry points named elsewhere (global intents, fallback). */
    private Set<String> reachable(Flow f) {
        Deque<String> todo = new ArrayDeque<>();
        todo.add(f.start());
        Common c = flows.common();
        for (Common.GlobalIntent g : c.globals()) {
            if (g.flow() != null && g.node() != null && g.flow().target().equals(f.id())) {
                todo.add(g.node().target());
                if (f.node(g.node().target() + FlowEngine.CHILD_SUFFIX) != null) {
                    // The engine's choice when the unsure message speaks of a child (FlowEngine.startCheck).
                    todo.add(g.node().target() + FlowEngine.CHILD_SUFFIX);
                }
            }
        }
        if (c.fallbackFlow() != null && c.fallbackNode() != null && c.fallbackFlow().target().equals(f.id())) {
            todo.add(c.fallbackNode().target());
        }
        if (f.node(FlowEngine.ALERT_SELF_NODE) != null) {
            // The engine's start instead of the danger intent's when the harm is done to the writer.
            todo.add(FlowEngine.ALERT_SELF_NODE);
        }
        if (f.node(FlowEngine.AFTER_ALARM_UNSURE_NODE) != null) {
            // Entered by the engine when a message says nothing clear days after an alarm was closed.
            todo.add(FlowEngine.AFTER_ALARM_UNSURE_NODE);
        }
        f.on().values().forEach(r -> todo.add(r.target()));
        if (f.node(FlowEngine.CONFIRM_NODE) != null) {
            // Entered by the engine when a sentence only resembled this flow's examples.
            todo.add(FlowEngine.CONFIRM_NODE);
        }
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String id = todo.pop();
            FlowNode n = f.node(id);
            if (n == null || !seen.add(id)) {
                continue;
            }
            successors(f, n).forEach(todo::add);
        }
        return seen;
    }

    private static List<String> successors(Flow f, FlowNode n) {
        List<String> out = new ArrayList<>();
        if (n.next() != null) {
            out.add(n.next().target());
        }
        n.branches().stream().filter(b -> b.next() != null).forEach(b -> out.add(b.next().target()));
        if (n.ask() != null) {
            n.ask().options().stream().filter(o -> o.next() != null).forEach(o -> out.add(o.next().target()));
            if (n.ask().fallback() != null && f.node(n.ask().fallback().target()) != null) {
                out.add(n.ask().fallback().target());
            }
        }
        return out;
    }

    // ---- fields used before any path sets them: a "may be set" data-flow over all flows ----

    private void checkFields() {
        Map<String, Set<String>> inherited = new HashMap<>();
        Map<String, Map<String, Set<String>>> inSets = new HashMap<>();
        for (RoutingTable.Target t : flows.routing().targets()) {
            Set<String> presets = inherited.computeIfAbsent(t.flow().target(), k -> new HashSet<>());
            t.presets().keySet().forEach(p -> {
                presets.add(p);
                presets.add(p + "_label");
            });
        }
        boolean changed = true;
        for (int round = 0; changed && round < 20; round++) {
            changed = false;
            for (Flow f : flows.all().values()) {
                Map<String, Set<String>> in = dataflow(f, inherited.getOrDefault(f.id(), Set.of()));
                inSets.put(f.id(), in);
                // Fields travel with the conversation into flows it jumps to (only the menu starts afresh).
                for (FlowNode n : f.nodes().values()) {
                    if (!in.containsKey(n.id())) {
                        continue;
                    }
                    Set<String> out = out(n, in.get(n.id()));
                    for (String target : flowTargets(n)) {
                        if (!target.equals("menu")) {
                            changed |= inherited.computeIfAbsent(target, k -> new HashSet<>()).addAll(out);
                        }
                    }
                }
            }
        }
        for (Flow f : flows.all().values()) {
            Map<String, Set<String>> in = inSets.getOrDefault(f.id(), Map.of());
            for (FlowNode n : f.nodes().values()) {
                if (!in.containsKey(n.id())) {
                    // Unreachable: already reported once; its fields would only repeat the same mistake.
                    continue;
                }
                Set<String> before = new HashSet<>(in.get(n.id()));
                before.addAll(n.set().keySet());
                if (n.emit() != null && n.emit().type() == FlowNode.EmitType.OPEN_CASE) {
                    before.add("case_id");
                }
                if (n.emit() != null && n.emit().type() == FlowNode.EmitType.REPORT_CHANGE) {
                    before.add("change_id");
                }
                if (n.emit() != null && n.emit().type() == FlowNode.EmitType.BIND_DIRECTOR) {
                    before.addAll(BIND_FIELDS);
                }
                n.set().values().forEach(t -> usesIn(f, t, before));
                if (n.emit() != null) {
                    n.emit().params().values().forEach(t -> usesIn(f, t, before));
                }
                usesIn(f, n.say(), before);
                if (n.ask() != null) {
                    usesIn(f, n.ask().retry(), before);
                    String level = n.ask().level();
                    if (level != null && level.startsWith("community of ")) {
                        String townField = level.substring("community of ".length()).trim();
                        if (!before.contains(townField)) {
                            error(f.file(), n.ask().line(), "field '" + townField + "' is used before any path sets it");
                        }
                    }
                }
                Set<String> after = out(n, in.getOrDefault(n.id(), BUILTIN_FIELDS));
                for (Branch b : n.branches()) {
                    if (b.when() != null) {
                        for (String field : b.when().fields()) {
                            if (!after.contains(field)) {
                                error(f.file(), b.line(), "field '" + field + "' is used before any path sets it");
                            }
                        }
                    }
                }
            }
        }
    }

    private void usesIn(Flow f, Text t, Set<String> known) {
        if (t == null || t.text() == null) {
            return;
        }
        Matcher m = PLACEHOLDER.matcher(t.text());
        while (m.find()) {
            if (!known.contains(m.group(1))) {
                error(f.file(), t.line(), "field '" + m.group(1) + "' is used before any path sets it");
            }
        }
    }

    /** For each reachable node, the fields that some path from the start may have set on arrival. */
    private Map<String, Set<String>> dataflow(Flow f, Set<String> inherited) {
        Map<String, Set<String>> in = new HashMap<>();
        Set<String> start = new LinkedHashSet<>(BUILTIN_FIELDS);
        start.addAll(inherited);
        in.put(f.start(), start);
        Deque<String> todo = new ArrayDeque<>(List.of(f.start()));
        // A node that 取消/人工 lead to (on:) can be reached from any question: only what every path knows.
        List<String> entries = new ArrayList<>();
        f.on().values().forEach(r -> entries.add(r.target()));
        entries.add(FlowEngine.CONFIRM_NODE);
        for (String entry : entries) {
            if (f.node(entry) != null && !in.containsKey(entry)) {
                in.put(entry, new LinkedHashSet<>(start));
                todo.add(entry);
            }
        }
        // The node an alarm leads to (on: alarm:) runs at any question, after any answers before it: whatever
        // the flow's questions set may be known there (it tests 'is set' before using a field).
        FlowNode.Ref alarm = f.on(FlowEngine.ALARM);
        if (alarm != null && in.containsKey(alarm.target())) {
            f.nodes().values().forEach(x -> in.get(alarm.target()).addAll(out(x, Set.of())));
        }
        while (!todo.isEmpty()) {
            String id = todo.pop();
            FlowNode n = f.node(id);
            if (n == null) {
                continue;
            }
            Set<String> out = out(n, in.get(id));
            if (n.call() != null && flows.flow(n.call().target()) != null) {
                // Back from a called flow, whatever it set may be known.
                flows.flow(n.call().target()).nodes().values().forEach(x -> out.addAll(out(x, Set.of())));
            }
            for (String next : successors(f, n)) {
                Set<String> target = in.get(next);
                if (target == null) {
                    in.put(next, new HashSet<>(out));
                    todo.add(next);
                } else if (target.addAll(out)) {
                    todo.add(next);
                }
            }
        }
        return in;
    }

    private static List<String> flowTargets(FlowNode n) {
        List<String> out = new ArrayList<>();
        if (n.call() != null) {
            out.add(n.call().target());
        }
        if (n.flow() != null) {
            out.add(n.flow().target());
        }
        n.branches().stream().filter(b -> b.flow() != null).forEach(b -> out.add(b.flow().target()));
        if (n.ask() != null) {
            n.ask().options().stream().filter(o -> o.flow() != null).forEach(o -> out.add(o.flow().target()));
        }
        return out;
    }

    /** Fields known after the node has run (and, for a question, been answered). */
    static Set<String> out(FlowNode n, Set<String> in) {
        Set<String> out = new HashSet<>(in);
        out.addAll(n.set().keySet());
        if (n.emit() != null && n.emit().type() == FlowNode.EmitType.OPEN_CASE) {
            out.add("case_id");
        }
        if (n.emit() != null && n.emit().type() == FlowNode.EmitType.REPORT_CHANGE) {
            out.add("change_id");
        }
        if (n.emit() != null && n.emit().type() == FlowNode.EmitType.BIND_DIRECTOR) {
            out.addAll(BIND_FIELDS);
        }
        Ask a = n.ask();
        if (a != null && a.field() != null) {
            out.add(a.field());
            if (a.accepts(AskType.CHOICE) || a.accepts(AskType.REGION) || a.accepts(AskType.YES_NO)
                    || a.accepts(AskType.AGE) || a.accepts(AskType.DATE)) {
                out.add(a.field() + "_label");
            }
            if (a.accepts(AskType.AGE)) {
                out.add(a.field() + "_months");
            }
            if (a.accepts(AskType.CHILD)) {
                out.addAll(CHILD_FIELDS);
            }
            if (a.accepts(AskType.LOCATION)) {
                out.add(a.field() + "_lat");
                out.add(a.field() + "_lng");
            }
            if (a.types().size() > 1) {
                out.add(a.field() + "_media");
            }
        }
        return out;
    }
}
