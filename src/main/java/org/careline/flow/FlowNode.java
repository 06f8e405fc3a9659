package org.careline.flow;

import java.util.List;
import java.util.Map;

/**
 * One node of a flow. When the conversation reaches it, in this order: {@code set} fields, {@code emit} an
 * effect, {@code say} a text, then either wait for an answer ({@code ask}) or move on ({@code next},
 * {@code branch}, {@code flow}, {@code call}, {@code end}, {@code handoff}). A node that names no way on
 * falls through to the node below it ({@code next} is filled in by the loader, {@code fallsThrough} true).
 */
public record FlowNode(String id, int line, Text say, Map<String, Text> set, Emit emit, Ask ask,
                Ref next, boolean fallsThrough, List<Branch> branches, Ref flow, Ref call,
                boolean end, boolean handoff) {

    /** A reference to a node or flow, kept with its line for error messages. */
    public record Ref(String target, int line) {}

    /** A text with {field} placeholders, kept with its line. */
    public record Text(String text, int line) {}

    /** One rule of a branch; {@code when} null means "else". */
    public record Branch(Condition when, Ref next, Ref flow, int line) {}

    public record Emit(EmitType type, Map<String, Text> params, int line) {}

    /**
     * What a node asks for. {@code types} lists accepted inputs (a description may be text, voice or image).
     * {@code tries} invalid answers lead to {@code fallback} (default: offer a person, from common.yaml).
     * {@code future}: a date question that refuses dates after today, with this text (a visit cannot lie ahead).
     */
    public record Ask(List<AskType> types, String field, List<Option> options, Text retry, int tries,
               String pattern, int patternLine, boolean skipIfKnown, String level, boolean route,
               Ref fallback, int line, Text future) {

        boolean accepts(AskType type) {
            return types.contains(type);
        }

        AskType main() {
            return types.get(0);
        }
    }

    /**
     * A numbered choice. {@code value} is stored in the field, {@code label} shown and stored as field_label.
     * {@code words} pick it from a sentence; any of {@code not} in the answer rules it out ("报了也没用" is
     * not a yes to "已经报警了吗"). {@code means} ({@code yes} or {@code no}, else null): the option is that answer
     * to a yes/no question, so the yes or no words of common.yaml pick it too ("是的" is 同意 at the consent
     * question); a question whose bare yes must not count (你现在安全吗) leaves it out on that option.
     */
    public record Option(String value, String label, List<String> words, List<String> not, Ref next, Ref flow, int line,
                         String means) {

        public Option(String value, String label, List<String> words, List<String> not, Ref next, Ref flow, int line) {
            this(value, label, words, not, next, flow, line, null);
        }
    }

    public enum AskType {
        TEXT("text"), CHOICE("choice"), YES_NO("yes-no"), PHONE("phone"), ID_NUMBER("id-number"),
        DATE("date"), NUMBER("number"), AGE("age"), REGION("region"), IMAGE("image"), VOICE("voice"),
        LOCATION("location"), CHILD("child");

        final String yamlName;

        AskType(String yamlName) {
            this.yamlName = yamlName;
        }

        public static AskType of(String name) {
            for (AskType t : values()) {
                if (t.yamlName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    public enum EmitType {
        OPEN_CASE("open-case"), REPORT_CHANGE("report-change"), ESCALATE("escalate"),
        ESCALATION_NOTE("escalation-note"), BIND_DIRECTOR("bind-director"), UNBIND_DIRECTOR("unbind-director"),
        LOG_VISIT("log-visit");

        final String yamlName;

        EmitType(String yamlName) {
            this.yamlName = yamlName;
        }

        public static EmitType of(String name) {
            for (EmitType t : values()) {
                if (t.yamlName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    boolean waits() {
        return ask != null;
    }

    public boolean isEnd() {
        return end || handoff;
    }
}
