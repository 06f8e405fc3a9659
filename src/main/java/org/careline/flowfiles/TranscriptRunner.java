package org.careline.flowfiles;

import org.careline.flow.ConversationState;
import org.careline.flow.Effect;
import org.careline.flow.FlowEngine;
import org.careline.flow.Flows;
import org.careline.flow.Input;
import org.careline.flow.OfficeHours;
import org.careline.flow.Step;
import org.careline.flow.StepContext;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs transcript tests ({@code conversation-flows/tests/*.yaml}): a persona, steps of what the person does
 * with the reply fragments expected after each, and the flow, node, status, fields and effects expected at
 * the end. Pure: the engine runs with a fake clock (one minute per step, {@code wait:} for more) and case
 * numbers C-0001, C-0002 … The state makes a JSON round trip each step, as it does through Redis.
 */
public final class TranscriptRunner {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final Instant DEFAULT_START = Instant.parse("2026-11-03T01:00:00Z");
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
    static final OfficeHours OFFICE_HOURS = OfficeHours.parse("工作日 8:30–17:30");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h|d)");

    // The keys a transcript may use at each level. Anything else is refused: a typo such as `expcet:` would
    // otherwise be read as nothing and the step would pass while asserting nothing.
    private static final Set<String> TOP_KEYS = Set.of("name", "persona", "start", "steps", "end");
    private static final Set<String> PERSONA_KEYS = Set.of("role", "community", "town", "roster_id", "profile", "cases",
            "children", "bindings");
    private static final Set<String> CHILD_KEYS = Set.of("id", "name", "age", "tags", "community", "days_overdue", "due");
    private static final Set<String> BINDING_KEYS = Set.of("result", "roster_id", "role", "community", "town");
    private static final Set<String> PROFILE_KEYS = Set.of("community", "town");
    private static final Set<String> CASE_KEYS = Set.of("case_id", "kind", "status", "status_text", "updated");
    private static final Set<String> INPUT_KEYS = Set.of("say", "click", "follow", "scan", "image", "voice", "video",
            "location", "wait", "resolve");
    private static final Set<String> REPLY_KEYS = Set.of("expect", "not", "silent");
    private static final Set<String> STEP_KEYS = union(INPUT_KEYS, REPLY_KEYS);
    private static final Set<String> LOCATION_KEYS = Set.of("lat", "lng", "label");
    private static final Set<String> END_KEYS = Set.of("flow", "node", "status", "fields", "effects", "escalation");

    private final Flows flows;
    private final FlowEngine engine;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());

    /** Sees every step a transcript plays: the state before it and what the engine answered. */
    public interface StepObserver {
        void stepped(ConversationState before, Step step, Instant now);
    }

    private final StepObserver observer;

    public TranscriptRunner(Flows flows) {
        this(flows, (before, step, now) -> { });
    }

    /** With an observer: e.g. a test that checks every outbox event the transcripts cause against its schema. */
    public TranscriptRunner(Flows flows, StepObserver observer) {
        this.flows = flows;
        this.engine = new FlowEngine(flows);
        this.observer = observer;
    }

    /** One file, or every {@code *.yaml} in a folder (sorted by name). */
    public List<TranscriptResult> runAll(Path fileOrDir) {
        if (!Files.isDirectory(fileOrDir)) {
            return List.of(run(fileOrDir));
        }
        try (Stream<Path> s = Files.list(fileOrDir)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().map(this::run).toList();
        } catch (IOException e) {
            return List.of(new TranscriptResult(fileOrDir.toString(), "", false, List.of("cannot list: " + e.getMessage())));
        }
    }

    public TranscriptResult run(Path file) {
        String shown = file.toString();
        YamlNode root;
        try {
            root = YamlNode.parse(new StringReader(Files.readString(file, StandardCharsets.UTF_8))).orElse(null);
        } catch (IOException | RuntimeException e) {
            return new TranscriptResult(shown, "", false, List.of(shown + ":1: cannot read: " + e.getMessage()));
        }
        if (root == null || !root.isMap()) {
            return new TranscriptResult(shown, "", false, List.of(shown + ":1: empty transcript"));
        }
        String name = FlowReader.scalar(root, "name");
        List<String> unknown = unknownKeys(shown, root);
        if (!unknown.isEmpty()) {
            return new TranscriptResult(shown, name, false, unknown);
        }
        try {
            List<String> failures = new Session(shown, root).play();
            return new TranscriptResult(shown, name, failures.isEmpty(), failures);
        } catch (RuntimeException e) {
            return new TranscriptResult(shown, name, false, List.of(shown + ": crashed: " + e));
        }
    }

    /** One run of one transcript. */
    private final class Session {
        private final String file;
        private final YamlNode root;
        private final List<String> failures = new ArrayList<>();
        private final List<Effect> effects = new ArrayList<>();
        private Instant now;
        private int caseCounter;
        private ConversationState state;

        Session(String file, YamlNode root) {
            this.file = file;
            this.root = root;
            this.now = FlowReader.scalar(root, "start") == null ? DEFAULT_START
                    : OffsetDateTime.parse(FlowReader.scalar(root, "start")).toInstant();
        }

        List<String> play() {
            YamlNode persona = root.get("persona").orElse(null);
            // community/town may be written on the persona or under persona.profile
            YamlNode where = persona == null ? null : persona.get("profile").orElse(persona);
            StepContext.Profile profile = persona == null ? StepContext.Profile.family()
                    : new StepContext.Profile(Optional.ofNullable(FlowReader.scalar(persona, "role")).orElse("family"),
                    FlowReader.scalar(where, "community"), FlowReader.scalar(where, "town"),
                    FlowReader.scalar(persona, "roster_id"));
            List<StepContext.CaseSummary> cases = persona == null ? List.of() : cases(persona);
            List<StepContext.ChildOnList> children = persona == null ? List.of() : children(persona);
            java.util.Map<String, StepContext.Binding> bindings = persona == null ? java.util.Map.of() : bindings(persona);
            List<YamlNode> steps = root.get("steps").map(YamlNode::items).orElse(List.of());
            int number = 0;
            int played = 0;
            int unasserted = 0;
            for (YamlNode step : steps) {
                number++;
                String wait = FlowReader.scalar(step, "wait");
                if (wait != null) {
                    now = now.plus(duration(wait));
                }
                // resolve: staff close the chat in the console (its value is their resolution note), as
                // ConversationService.resolve does: the bot answers again, and a closed alarm is remembered.
                boolean resolves = step.get("resolve").isPresent();
                if (resolves && state != null) {
                    state = FlowEngine.resolved(roundTrip(state), now);
                }
                Input input = input(step);
                if (input == null) {
                    if ((wait != null || resolves) && REPLY_KEYS.stream().anyMatch(k -> step.get(k).isPresent())) {
                        failures.add(file + ":" + step.line() + ": step " + number + " only "
                                + (resolves ? "resolves" : "waits") + ", so there is no reply to check; put the "
                                + (resolves ? "resolve" : "wait") + " on the step that sends something");
                    }
                    if (wait == null && !resolves) {
                        failures.add(file + ":" + step.line() + ": step " + number + " has no input "
                                + "(say, click, follow, scan, image, voice, video, location, wait or resolve)");
                    }
                    continue;
                }
                now = now.plus(Duration.ofMinutes(1));
                StepContext ctx = new StepContext(now, ZONE, () -> String.format("C-%04d", ++caseCounter), profile,
                        cases, IDLE_TIMEOUT, OFFICE_HOURS).with(children, bindings);
                ConversationState before = roundTrip(state);
                Step result = engine.step(before, input, ctx);
                observer.stepped(before, result, now);
                state = result.state();
                List<String> replies = new ArrayList<>();
                for (Effect e : result.effects()) {
                    if (e instanceof Effect.Reply r) {
                        replies.add(r.text());
                    } else {
                        effects.add(e);
                    }
                }
                played++;
                if (!checkStep(step, number, describe(input), String.join("\n", replies))) {
                    unasserted++;
                }
            }
            if (unasserted > 0) {
                failures.add(file + ": " + unasserted + " of " + played + " steps assert nothing about the reply");
            }
            root.get("end").ifPresent(this::checkEnd);
            return failures;
        }

        /** Checks the reply against the step's expect/not/silent; false when the step has none of them. */
        private boolean checkStep(YamlNode step, int number, String did, String replies) {
            String where = file + ":" + step.line() + ": step " + number + " (" + did + ")";
            if (REPLY_KEYS.stream().noneMatch(k -> step.get(k).isPresent())) {
                // A step that says nothing about the reply passes whatever the bot answers.
                failures.add(where + ": asserts nothing about the reply (add expect:, not: or silent: true); got:\n"
                        + quote(replies));
                return false;
            }
            for (YamlNode fragment : step.get("expect").map(YamlNode::items).orElse(List.of())) {
                if (!replies.contains(fragment.text())) {
                    failures.add(where + ": expected \"" + fragment.text() + "\" in the reply, got:\n" + quote(replies));
                }
            }
            for (YamlNode fragment : step.get("not").map(YamlNode::items).orElse(List.of())) {
                if (replies.contains(fragment.text())) {
                    failures.add(where + ": did not expect \"" + fragment.text() + "\" in the reply, got:\n" + quote(replies));
                }
            }
            if (step.get("silent").map(v -> "true".equals(v.text())).orElse(false) && !replies.isEmpty()) {
                failures.add(where + ": expected no reply, got:\n" + quote(replies));
            }
            return true;
        }

        private void checkEnd(YamlNode end) {
            String where = file + ":" + end.line() + ": at the end";
            expectEqual(where, "flow", FlowReader.scalar(end, "flow"), state == null ? null : state.flow());
            expectEqual(where, "node", FlowReader.scalar(end, "node"), state == null ? null : state.node());
            String status = FlowReader.scalar(end, "status");
            if (status != null) {
                expectEqual(where, "status", status.toUpperCase(), state == null ? null : state.status().name());
            }
            end.get("fields").ifPresent(f -> f.entries().forEach(e -> expectEqual(where, "field " + e.key(),
                    e.value().text(), state == null ? null : state.fields().get(e.key()))));
            end.get("effects").ifPresent(list -> checkEffects(where, list.items()));
            // escalation: the level of the alarm or handoff still open (critical, urgent, check, staff) or none.
            String escalation = FlowReader.scalar(end, "escalation");
            if (escalation != null) {
                ConversationState.Escalation e = state == null ? null : state.escalation();
                expectEqual(where, "escalation", escalation, e == null ? "none" : e.level().name().toLowerCase());
            }
        }

        @SuppressWarnings("unchecked")
        private void checkEffects(String where, List<YamlNode> expected) {
            List<String> actualTypes = effects.stream().map(e -> e.getClass().getSimpleName()).toList();
            List<String> expectedTypes = expected.stream().map(e -> FlowReader.scalar(e, "type")).toList();
            if (!actualTypes.equals(expectedTypes)) {
                failures.add(where + ": expected effects " + expectedTypes + ", got " + actualTypes);
                return;
            }
            for (int i = 0; i < expected.size(); i++) {
                Map<String, Object> actual = json.convertValue(effects.get(i), Map.class);
                for (YamlNode.Entry e : expected.get(i).entries()) {
                    if (!e.key().equals("type")) {
                        matchValue(where + ", effect " + (i + 1) + " " + expectedTypes.get(i) + "." + e.key(), e.value(), actual.get(e.key()));
                    }
                }
            }
        }

        private void matchValue(String where, YamlNode expected, Object actual) {
            if (expected.isMap()) {
                Map<?, ?> m = actual instanceof Map<?, ?> x ? x : Map.of();
                for (YamlNode.Entry e : expected.entries()) {
                    matchValue(where + "." + e.key(), e.value(), m.get(e.key()));
                }
                return;
            }
            String want = expected.text();
            String got = actual == null ? null : String.valueOf(actual);
            if ("~".equals(want) || "null".equals(want)) {
                want = null;
            }
            if (want == null ? got != null : !want.equals(got)) {
                failures.add(where + ": expected " + want + ", got " + got);
            }
        }

        private void expectEqual(String where, String what, String want, String got) {
            if (want != null && !want.equals(got)) {
                failures.add(where + ": expected " + what + " " + want + ", got " + got);
            }
        }

        private List<StepContext.CaseSummary> cases(YamlNode persona) {
            List<StepContext.CaseSummary> out = new ArrayList<>();
            for (YamlNode c : persona.get("cases").map(YamlNode::items).orElse(List.of())) {
                String updated = FlowReader.scalar(c, "updated");
                out.add(new StepContext.CaseSummary(FlowReader.scalar(c, "case_id"), FlowReader.scalar(c, "kind"),
                        FlowReader.scalar(c, "status"), FlowReader.scalar(c, "status_text"),
                        updated == null ? null : OffsetDateTime.parse(updated).toInstant()));
            }
            return out;
        }

        /** A director's list as the orchestrator would give it: most urgent first. */
        private List<StepContext.ChildOnList> children(YamlNode persona) {
            List<StepContext.ChildOnList> out = new ArrayList<>();
            for (YamlNode c : persona.get("children").map(YamlNode::items).orElse(List.of())) {
                String age = FlowReader.scalar(c, "age");
                String overdue = FlowReader.scalar(c, "days_overdue");
                int days = overdue == null ? 0 : Integer.parseInt(overdue);
                String due = FlowReader.scalar(c, "due");
                out.add(new StepContext.ChildOnList(FlowReader.scalar(c, "id"), FlowReader.scalar(c, "name"),
                        age == null ? null : Integer.valueOf(age), FlowReader.scalar(c, "tags"),
                        FlowReader.scalar(c, "community"), null, days, due == null ? days > -7 : Boolean.parseBoolean(due)));
            }
            return out;
        }

        /** Binding codes and what each turns out to be (the orchestrator looks them up in Redis). */
        private java.util.Map<String, StepContext.Binding> bindings(YamlNode persona) {
            java.util.Map<String, StepContext.Binding> out = new java.util.LinkedHashMap<>();
            persona.get("bindings").ifPresent(b -> b.entries().forEach(e -> out.put(e.key(), new StepContext.Binding(
                    FlowReader.scalar(e.value(), "result"), FlowReader.scalar(e.value(), "roster_id"),
                    FlowReader.scalar(e.value(), "role"), FlowReader.scalar(e.value(), "community"),
                    FlowReader.scalar(e.value(), "town")))));
            return out;
        }

        /** Through JSON and back, as the state travels through Redis, so a non-serialisable state fails here. */
        private ConversationState roundTrip(ConversationState s) {
            if (s == null) {
                return null;
            }
            try {
                return json.readValue(json.writeValueAsString(s), ConversationState.class);
            } catch (IOException e) {
                throw new IllegalStateException("state does not survive JSON: " + e.getMessage(), e);
            }
        }
    }

    /** Every key the runner would not read, as {@code file:line: ...}, at every level of the file. */
    private static List<String> unknownKeys(String file, YamlNode root) {
        List<String> out = new ArrayList<>();
        refuseUnknown(file, "the transcript", root, TOP_KEYS, out);
        root.get("persona").ifPresent(persona -> {
            refuseUnknown(file, "persona", persona, PERSONA_KEYS, out);
            persona.get("profile").ifPresent(p -> refuseUnknown(file, "persona.profile", p, PROFILE_KEYS, out));
            persona.get("cases").ifPresent(cases -> cases.items()
                    .forEach(c -> refuseUnknown(file, "a persona case", c, CASE_KEYS, out)));
            persona.get("children").ifPresent(children -> children.items()
                    .forEach(c -> refuseUnknown(file, "a persona child", c, CHILD_KEYS, out)));
            persona.get("bindings").ifPresent(b -> b.entries()
                    .forEach(e -> refuseUnknown(file, "a persona binding", e.value(), BINDING_KEYS, out)));
        });
        root.get("steps").ifPresent(steps -> steps.items().forEach(step -> {
            refuseUnknown(file, "a step", step, STEP_KEYS, out);
            step.get("location").ifPresent(l -> refuseUnknown(file, "location", l, LOCATION_KEYS, out));
        }));
        root.get("end").ifPresent(end -> {
            refuseUnknown(file, "end", end, END_KEYS, out);
            end.get("effects").ifPresent(effects -> effects.items().forEach(e -> effectKeys(file, e, out)));
        });
        return out;
    }

    /** An expected effect names a known type and only that type's fields (a record component each). */
    private static void effectKeys(String file, YamlNode effect, List<String> out) {
        String type = FlowReader.scalar(effect, "type");
        Class<?> known = null;
        for (Class<?> c : Effect.class.getPermittedSubclasses()) {
            if (c.getSimpleName().equals(type)) {
                known = c;
            }
        }
        if (known == null) {
            out.add(file + ":" + effect.line() + ": unknown effect type '" + type + "'");
            return;
        }
        Set<String> keys = new TreeSet<>(Set.of("type"));
        for (var component : known.getRecordComponents()) {
            keys.add(component.getName());
        }
        refuseUnknown(file, type, effect, keys, out);
    }

    private static void refuseUnknown(String file, String what, YamlNode node, Set<String> allowed, List<String> out) {
        if (!node.isMap()) {
            out.add(file + ":" + node.line() + ": " + what + " must be a mapping of keys");
            return;
        }
        for (YamlNode.Entry e : node.entries()) {
            if (!allowed.contains(e.key())) {
                out.add(file + ":" + e.line() + ": unknown key '" + e.key() + "' in " + what + " (known: "
                        + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    private static Input input(YamlNode step) {
        if (step.get("say").isPresent()) {
            return new Input.Text(FlowReader.scalar(step, "say"));
        }
        if (step.get("click").isPresent()) {
            return new Input.MenuClick(FlowReader.scalar(step, "click"));
        }
        if (step.get("follow").isPresent()) {
            return new Input.Follow(FlowReader.scalar(step, "follow"));
        }
        if (step.get("scan").isPresent()) {
            return new Input.Scan(FlowReader.scalar(step, "scan"));
        }
        for (Input.MediaKind kind : Input.MediaKind.values()) {
            String id = FlowReader.scalar(step, kind.name().toLowerCase());
            if (id != null) {
                return new Input.Media(kind, id);
            }
        }
        return step.get("location").map(l -> new Input.Location(
                Double.parseDouble(FlowReader.scalar(l, "lat")), Double.parseDouble(FlowReader.scalar(l, "lng")),
                FlowReader.scalar(l, "label"))).orElse(null);
    }

    private static String describe(Input input) {
        if (input instanceof Input.Text t) {
            return "say \"" + t.text() + "\"";
        }
        if (input instanceof Input.MenuClick c) {
            return "click " + c.key();
        }
        if (input instanceof Input.Follow) {
            return "follow";
        }
        if (input instanceof Input.Scan s) {
            return "scan " + s.scene();
        }
        if (input instanceof Input.Media m) {
            return m.kind().name().toLowerCase() + " " + m.mediaId();
        }
        return "location";
    }

    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("wait must look like 31m, 2h, 3d or 45s, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static String quote(String replies) {
        if (replies.isEmpty()) {
            return "    | (no reply)";
        }
        return replies.lines().map(l -> "    | " + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }
}
