package org.careline.flow;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.careline.flow.ConversationState.Frame;
import org.careline.flow.ConversationState.Status;
import org.careline.flow.FlowNode.Ask;
import org.careline.flow.FlowNode.AskType;
import org.careline.flow.FlowNode.Branch;
import org.careline.flow.FlowNode.Emit;
import org.careline.flow.FlowNode.Option;

/**
 * The working copy of one conversation during one step: where it is, what it knows, what to say and do.
 * Lives for a single {@link FlowEngine#step} call; the engine itself keeps no state between steps.
 */
final class Turn {

    /** What a {@code log-visit} carries besides the {@code visit_*} and {@code check_*} answers. */
    private static final java.util.Set<String> VISIT_FIELDS = java.util.Set.of("child_id", "child_name",
            "child_community", "child_seen", "child_seen_label", "note", "note_media", "photos_media", "case_id",
            "director_id", "logged_before_alarm");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_][a-z0-9_]*)}");
    /** Steps through nodes without a question before we call it a loop in the flow files. */
    private static final int MAX_HOPS = 64;

    private final Flows flows;
    private final StepContext ctx;
    private final AnswerReader reader;
    final Map<String, String> fields = new LinkedHashMap<>();
    final List<Frame> stack = new ArrayList<>();
    final List<String> history = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private final List<Effect> effects = new ArrayList<>();
    /** Texts said after everything else in this step (what a flow kept aside while an alarm took over). */
    private final List<String> afterwards = new ArrayList<>();
    String flow;
    String node;
    Status status = Status.BOT;
    int attempts;
    /** The escalation open to staff, if any: it outlives flows and timeouts; only staff close it. */
    ConversationState.Escalation escalation;
    /** The last alarm staff closed, while it still colours what the person says (FlowEngine.AFTER_ALARM). */
    ConversationState.ClosedAlarm closedAlarm;
    private final java.time.Instant startedAt;
    private int hops;

    Turn(Flows flows, StepContext ctx, AnswerReader reader, ConversationState s) {
        this.flows = flows;
        this.ctx = ctx;
        this.reader = reader;
        if (s != null) {
            flow = s.flow();
            node = s.node();
            status = s.status() == null ? Status.BOT : s.status();
            if (s.fields() != null) {
                fields.putAll(s.fields());
            }
            if (s.stack() != null) {
                stack.addAll(s.stack());
            }
            if (s.history() != null) {
                history.addAll(s.history());
            }
            attempts = s.attempts();
            escalation = s.escalation();
            closedAlarm = s.closedAlarm();
        }
        startedAt = s == null || s.startedAt() == null ? ctx.now() : s.startedAt();
    }

    Step finish() {
        List<Effect> out = new ArrayList<>();
        texts.addAll(afterwards);
        if (!texts.isEmpty()) {
            out.add(new Effect.Reply(String.join("\n\n", texts)));
        }
        out.addAll(effects);
        // A closed alarm is forgotten once its while is over: the state carries nothing it no longer uses.
        ConversationState.ClosedAlarm closed = recentlyClosed() ? closedAlarm : null;
        ConversationState state = new ConversationState(flow, node, status, Map.copyOf(fields), List.copyOf(stack),
                List.copyOf(history), attempts, flows.version(), startedAt, ctx.now(), escalation, closed);
        return new Step(state, out);
    }

    /** Staff closed an alarm within {@link FlowEngine#AFTER_ALARM}. */
    boolean recentlyClosed() {
        return closedAlarm != null && closedAlarm.closedAt() != null
                && closedAlarm.closedAt().plus(FlowEngine.AFTER_ALARM).isAfter(ctx.now());
    }

    // ---- where the conversation is ----

    Flow currentFlow() {
        return flows.flow(flow);
    }

    FlowNode currentNode() {
        Flow f = currentFlow();
        return f == null ? null : f.node(node);
    }

    /** Waiting for an answer to a question. */
    boolean waiting() {
        FlowNode n = currentNode();
        return n != null && n.waits() && !n.isEnd();
    }

    void say(String template) {
        if (template != null && !template.isBlank()) {
            texts.add(render(template, fields));
        }
    }

    void clearConversation() {
        // While an alarm is open what it found outlives the form: its kind (new danger said at any later question
        // is heard by the kind of alarm it adds to), and the answers staff read on the profile card (where the
        // child is, whether the police were called, whether the person is safe) — 菜单 must not wipe them.
        Map<String, String> kept = new LinkedHashMap<>();
        if (escalation != null && escalation.alarm()) {
            fields.forEach((k, v) -> {
                if (ALARM_FIELDS.stream().anyMatch(k::startsWith)) {
                    kept.put(k, v);
                }
            });
        }
        fields.clear();
        fields.putAll(kept);
        stack.clear();
        history.clear();
        attempts = 0;
    }

    /** The urgent flow's fields (and their _label, _lat… companions) kept while its alarm is open. */
    private static final List<String> ALARM_FIELDS = List.of(FlowEngine.ALARM_KIND, FlowEngine.ALARM_ABOUT,
            "police_reported", "child_address", "child_danger_now", "child_with_adult", "safe_now", "check_safe",
            "trigger_text", "handoff_reason");

    // ---- moving through flows ----

    /** Switch to a flow (at its start or a named node). The menu forgets what was filled in before. */
    void switchTo(String flowId, String nodeId) {
        Flow target = flows.flow(flowId);
        if ("menu".equals(flowId)) {
            clearConversation();
        }
        flow = flowId;
        history.clear();
        attempts = 0;
        enter(nodeId == null ? target.start() : nodeId, false);
    }

    /**
     * Runs a node: set, emit, say; then waits (a question) or moves on. {@code reask}: the person went back
     * to this question, so it is asked even if known, and its set/emit do not run twice.
     */
    void enter(String nodeId, boolean reask) {
        if (++hops > MAX_HOPS) {
            throw new IllegalStateException("flow '" + flow + "' loops without asking anything near node '" + nodeId + "'");
        }
        node = nodeId;
        attempts = 0;
        FlowNode n = currentNode();
        Ask ask = n.ask();
        if (ask != null && ask.skipIfKnown() && !reask && isSet(fields.get(ask.field()))) {
            String known = fields.get(ask.field());
            Option picked = ask.options().stream().filter(o -> o.value().equals(known)).findFirst().orElse(null);
            if (picked != null) {
                fields.putIfAbsent(ask.field() + "_label", picked.label());
            }
            leave(n, picked);
            return;
        }
        if (!reask) {
            n.set().forEach((k, v) -> fields.put(k, render(v.text(), fields)));
            if (n.emit() != null) {
                emit(n.emit());
            }
        }
        if (ask != null && !n.isEnd()) {
            texts.add(prompt(n));
            return;
        }
        if (n.say() != null) {
            say(n.say().text());
        }
        if (ask == null) {
            leave(n, null);
        }
    }

    /**
     * Runs a node that asks nothing, aside from the way the conversation is about to take (a flow's {@code on:
     * alarm:} node, which keeps what was given before the alarm takes over); what it says comes last, after the
     * alarm's numbers. When it does nothing (no effect) the conversation stays at the question it was at.
     */
    void aside(String nodeId) {
        String flowBefore = flow;
        String nodeBefore = node;
        int attemptsBefore = attempts;
        List<String> historyBefore = List.copyOf(history);
        int said = texts.size();
        int done = effects.size();
        enter(nodeId, false);
        List<String> kept = texts.subList(said, texts.size());
        afterwards.addAll(kept);
        kept.clear();
        if (effects.size() == done) {
            flow = flowBefore;
            node = nodeBefore;
            attempts = attemptsBefore;
            history.clear();
            history.addAll(historyBefore);
        }
    }

    /** The question with what it offers: numbered options, towns, or the yes/no hint. */
    String prompt(FlowNode n) {
        StringBuilder sb = new StringBuilder(render(n.say().text(), fields));
        String choices = choices(n.ask());
        if (!choices.isEmpty()) {
            sb.append('\n').append(choices);
        }
        return sb.toString();
    }

    String choices(Ask ask) {
        List<String> lines = new ArrayList<>();
        if (ask.accepts(AskType.CHOICE)) {
            for (int i = 0; i < ask.options().size(); i++) {
                lines.add((i + 1) + " " + ask.options().get(i).label());
            }
        } else if (ask.accepts(AskType.REGION)) {
            List<String> names = reader.regionNames(ask, fields);
            for (int i = 0; i < names.size(); i++) {
                lines.add((i + 1) + " " + names.get(i));
            }
            String unlisted = flows.common().texts().get("region_unlisted");
            if (AnswerReader.communityLevel(ask) && unlisted != null) {
                lines.add(unlisted);
            }
        } else if (ask.accepts(AskType.YES_NO)) {
            lines.add(flows.common().text("yes_no_hint"));
        }
        return String.join("\n", lines);
    }

    /** After a node has run (and a question been answered): follow the option, branch or way on. */
    void leave(FlowNode n, Option picked) {
        if (picked != null && picked.flow() != null) {
            switchTo(picked.flow().target(), null);
            return;
        }
        if (picked != null && picked.next() != null) {
            enter(picked.next().target(), false);
            return;
        }
        for (Branch b : n.branches()) {
            if (b.when() == null || b.when().test(this::lookup)) {
                if (b.flow() != null) {
                    switchTo(b.flow().target(), null);
                } else {
                    enter(b.next().target(), false);
                }
                return;
            }
        }
        if (n.call() != null) {
            stack.add(new Frame(flow, n.next().target()));
            switchTo(n.call().target(), null);
            return;
        }
        if (n.flow() != null) {
            switchTo(n.flow().target(), null);
            return;
        }
        if (n.handoff()) {
            // Staff have the chat now: the bot stays quiet until they resolve it.
            status = Status.ESCALATED;
            stack.clear();
            return;
        }
        if (n.end()) {
            if (!stack.isEmpty()) {
                Frame back = stack.remove(stack.size() - 1);
                flow = back.flow();
                history.clear();
                enter(back.node(), false);
            }
            return;
        }
        enter(n.next().target(), false);
    }

    /** Takes a valid answer at the current question and moves on. */
    void answered(AnswerReader.Answer a) {
        FlowNode n = currentNode();
        fields.putAll(a.fields());
        history.add(n.id());
        attempts = 0;
        leave(n, a.option());
    }

    /**
     * The person ends the chat with staff themselves (结束人工). An alarm stays open: a mandatory report or a
     * suicide risk is not the person's to withdraw (whoever holds the phone); staff close it.
     *
     * @return whether the escalation was closed
     */
    boolean closeEscalation() {
        if (escalation != null && escalation.alarm()) {
            return false;
        }
        escalation = null;
        effects.add(new Effect.EscalationClosed("person"));
        return true;
    }

    /** A message while an escalation is open: staff and the back office get it too. */
    void addToEscalation(Input input) {
        if (escalation == null) {
            return;
        }
        escalation = new ConversationState.Escalation(escalation.level(), escalation.reason(), escalation.openedAt(),
                ctx.now());
        effects.add(new Effect.EscalationMessage(describe(input)));
    }

    /** What the person sent, as staff read it in a list of messages. */
    static String describe(Input input) {
        if (input instanceof Input.Text t) {
            return t.text();
        }
        if (input instanceof Input.Media m) {
            return "[" + m.kind().name().toLowerCase() + " " + m.mediaId() + "]";
        }
        if (input instanceof Input.Location l) {
            return "[location " + (l.label() == null ? "" : l.label()) + " " + l.latitude() + "," + l.longitude() + "]";
        }
        if (input instanceof Input.MenuClick c) {
            return "[menu " + c.key() + "]";
        }
        return "[" + input.getClass().getSimpleName().toLowerCase() + "]";
    }

    /** Raises the open escalation (or opens one) from the engine itself, e.g. new danger during an alarm. */
    void raiseEscalation(ConversationState.Escalation.Level level, String reason) {
        escalate(level, reason);
    }

    /** Opens an escalation, or raises the open one (never opens a second). */
    private void escalate(ConversationState.Escalation.Level level, String reason) {
        boolean opened = escalation == null;
        escalation = opened ? new ConversationState.Escalation(level, reason, ctx.now(), ctx.now())
                : escalation.raisedTo(level, reason, ctx.now());
        effects.add(new Effect.Escalate(escalation.reason(), escalation.urgent(), escalation.level().name().toLowerCase(),
                opened, Map.copyOf(fields)));
    }

    private void emit(Emit e) {
        Map<String, String> snapshot;
        switch (e.type()) {
            case OPEN_CASE -> {
                String caseId = ctx.newCaseId().get();
                fields.put("case_id", caseId);
                String kind = param(e, "kind", flow);
                effects.add(new Effect.OpenCase(caseId, kind, Map.copyOf(fields)));
            }
            case REPORT_CHANGE -> {
                // A change report is a record of its own; it points at the request it may affect.
                String related = fields.get("case_id");
                if (related == null && ctx.cases() != null && !ctx.cases().isEmpty()) {
                    related = newestCases().get(0).caseId();
                }
                String changeId = ctx.newCaseId().get();
                fields.put("change_id", changeId);
                Map<String, String> reported = new LinkedHashMap<>(fields);
                if (related != null) {
                    reported.put("related_case", related);
                }
                effects.add(new Effect.ReportChange(changeId, Map.copyOf(reported)));
            }
            case ESCALATE -> {
                String reason = param(e, "reason", "");
                if (reason.isBlank()) {
                    reason = currentFlow().title();
                }
                String level = param(e, "level", "true".equals(param(e, "urgent", "false")) ? "urgent" : "staff");
                escalate(ConversationState.Escalation.Level.valueOf(level.toUpperCase()), reason);
            }
            case ESCALATION_NOTE -> effects.add(new Effect.EscalationNote(Map.copyOf(fields)));
            case BIND_DIRECTOR -> bind();
            case UNBIND_DIRECTOR -> effects.add(new Effect.UnbindDirector(ctx.profile() == null ? null : ctx.profile().rosterId()));
            case LOG_VISIT -> {
                // The visit's own fields only: what the conversation carried before (a reason for staff, a menu
                // choice) is no part of the visit's record.
                Map<String, String> visit = new LinkedHashMap<>();
                fields.forEach((k, v) -> {
                    if (VISIT_FIELDS.contains(k) || k.startsWith("check_") || k.startsWith("visit_")) {
                        visit.put(k, v);
                    }
                });
                String director = lookup("roster_id");
                if (director != null) {
                    visit.putIfAbsent("director_id", director);
                }
                effects.add(new Effect.LogVisit(Map.copyOf(visit)));
            }
            default -> throw new IllegalStateException("unhandled effect " + e.type());
        }
    }

    /**
     * The binding code's outcome was looked up before the step (the orchestrator runs the step again once it
     * knows it): the flow branches on {@code bind_result}.
     */
    private void bind() {
        String code = fields.get("binding_code");
        StepContext.Binding b = code == null ? null : ctx.bindings().get(code);
        fields.put("bind_result", b == null ? "pending" : b.result());
        if (b != null && "ok".equals(b.result())) {
            fields.put("bound_role", "director".equals(b.role()) ? "儿童主任" : "supervisor".equals(b.role()) ? "儿童督导员" : b.role());
            fields.put("bound_community", b.community() == null ? "" : b.community());
            fields.put("bound_town", b.town() == null ? "" : b.town());
        }
        effects.add(new Effect.BindDirector(Map.copyOf(fields), b));
    }

    // ---- the children a director may see ----

    /** The children due or overdue, numbered as a {@code child} question reads the numbers. */
    private String dueList() {
        List<String> lines = new ArrayList<>();
        List<StepContext.ChildOnList> all = ctx.children();
        for (int i = 0; i < all.size(); i++) {
            StepContext.ChildOnList c = all.get(i);
            if (c.due()) {
                lines.add(childLine(i + 1, c));
            }
        }
        return String.join("\n", lines);
    }

    private String childLine(int number, StepContext.ChildOnList c) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("n", Integer.toString(number));
        v.put("name", c.name());
        v.put("age", c.age() == null ? "" : c.age().toString());
        v.put("tags", c.tags() == null ? "" : c.tags());
        v.put("community", c.community() == null ? "" : c.community());
        v.put("days", Integer.toString(Math.abs(c.daysOverdue())));
        String when = c.daysOverdue() > 0 ? flowText("child_overdue", "逾期{days}天")
                : c.daysOverdue() == 0 ? flowText("child_due_today", "今天到期") : flowText("child_due_in", "{days}天后到期");
        v.put("when", render(when, v));
        boolean town = ctx.profile() != null && "supervisor".equals(ctx.profile().role());
        return render(town ? flowText("child_line_town", "{n}. {community} {name}（{age}岁）{when}")
                : flowText("child_line", "{n}. {name}（{age}岁，{tags}）{when}"), v);
    }

    private String flowText(String name, String otherwise) {
        Flow f = currentFlow();
        String t = f == null ? null : f.texts().get(name);
        return t == null ? otherwise : t;
    }

    /**
     * A {@code child} question: the number of a child on the list or a name on it. Nothing outside the list
     * is ever found: a director's list holds their own community only.
     */
    java.util.Optional<AnswerReader.Answer> pickChild(Ask ask, String text) {
        if (text == null) {
            return java.util.Optional.empty();
        }
        List<StepContext.ChildOnList> all = ctx.children();
        StepContext.ChildOnList picked = null;
        java.util.OptionalInt n = TextNormalizer.choiceNumber(text);
        if (n.isPresent() && n.getAsInt() >= 1 && n.getAsInt() <= all.size()) {
            picked = all.get(n.getAsInt() - 1);
        } else {
            String said = TextNormalizer.compact(text);
            List<StepContext.ChildOnList> named = all.stream().filter(c -> c.name() != null && !said.isEmpty()
                    && (said.equals(c.name()) || said.contains(c.name()))).toList();
            if (named.size() == 1) {
                picked = named.get(0);
            }
        }
        if (picked == null) {
            return java.util.Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put(ask.field(), picked.id());
        out.put("child_name", picked.name());
        out.put("child_age", picked.age() == null ? "" : picked.age().toString());
        out.put("child_community", picked.community() == null ? "" : picked.community());
        out.put("child_tags", picked.tags() == null ? "" : picked.tags());
        return java.util.Optional.of(new AnswerReader.Answer(out, null));
    }

    private String param(Emit e, String name, String otherwise) {
        FlowNode.Text t = e.params().get(name);
        return t == null || t.text() == null ? otherwise : render(t.text(), fields);
    }

    // ---- texts ----

    String render(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.containsKey(m.group(1)) ? values.get(m.group(1)) : lookup(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? "" : v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A field, or one the engine provides: who the person is, the date, office hours, their cases. */
    String lookup(String name) {
        if (fields.containsKey(name)) {
            return fields.get(name);
        }
        StepContext.Profile p = ctx.profile();
        return switch (name) {
            case "role" -> p == null || p.role() == null ? "family" : p.role();
            case "community" -> p == null ? null : p.community();
            case "town" -> p == null ? null : p.town();
            case "today" -> today().toString();
            case "now" -> ctx.now().toString();
            case "office_hours" -> ctx.officeHours();
            // For conditions: whether someone on staff reads now (office hours, or a caseworker writing).
            case "staff_on_duty" -> ctx.staffOnDuty() ? "yes" : "no";
            case "staff_when" -> ctx.staffOnDuty() ? render(flows.common().text("staff_on_duty"), Map.of())
                    : render(flows.common().text("staff_off_duty"), Map.of("staff_back", ctx.office() == null ? ""
                    : ctx.office().whenBack(ctx.now().atZone(ctx.zone())), "office_hours", ctx.officeHours()));
            case "cases_count" -> Integer.toString(ctx.cases() == null ? 0 : ctx.cases().size());
            case "cases" -> casesText();
            case "roster_id" -> p == null ? null : p.rosterId();
            case "due_list" -> dueList();
            case "due_count" -> Long.toString(ctx.children().stream().filter(StepContext.ChildOnList::due).count());
            case "overdue_count" -> Long.toString(ctx.children().stream().filter(c -> c.daysOverdue() > 0).count());
            case "children_count" -> Integer.toString(ctx.children().size());
            case "flow_title" -> currentFlow() == null ? "" : currentFlow().title();
            default -> null;
        };
    }

    LocalDate today() {
        return LocalDate.ofInstant(ctx.now(), ctx.zone());
    }

    private List<StepContext.CaseSummary> newestCases() {
        return ctx.cases().stream()
                .sorted(Comparator.comparing(StepContext.CaseSummary::updatedAt, Comparator.nullsLast(Comparator.reverseOrder())))
                .toList();
    }

    /** One line per case, newest first, from the flow's {@code texts.case_line}. */
    private String casesText() {
        if (ctx.cases() == null || ctx.cases().isEmpty()) {
            return "";
        }
        String line = currentFlow() == null ? null : currentFlow().texts().get("case_line");
        if (line == null) {
            line = "{case_id} {status_text}";
        }
        List<String> lines = new ArrayList<>();
        for (StepContext.CaseSummary c : newestCases()) {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("case_id", c.caseId());
            v.put("kind", c.kind());
            Flow kindFlow = flows.flow(c.kind());
            // A kind no flow is named after (visit-difficulty) is titled by the listing flow's own texts.
            String titled = currentFlow() == null ? null : currentFlow().texts().get("kind_title_" + c.kind());
            v.put("kind_title", titled != null ? titled : kindFlow == null ? c.kind() : kindFlow.title());
            v.put("status", c.status());
            v.put("status_text", c.statusText());
            v.put("updated", c.updatedAt() == null ? "" : LocalDate.ofInstant(c.updatedAt(), ctx.zone()).format(DateTimeFormatter.ISO_LOCAL_DATE));
            lines.add(render(line, v));
        }
        return String.join("\n", lines);
    }

    private static boolean isSet(String v) {
        return v != null && !v.isEmpty();
    }
}
