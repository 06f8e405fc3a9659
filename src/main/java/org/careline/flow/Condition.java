package org.careline.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A branch condition as a bureau editor writes it: {@code need == medical}, {@code role != director},
 * {@code residence in local, permit}, {@code phone is set}, {@code cases_count == 0}, joined by {@code and}.
 */
public record Condition(List<Clause> clauses) {

    public record Clause(String field, String op, List<String> values) {}

    /** Parses a condition; throws IllegalArgumentException with a readable reason. */
    public static Condition parse(String source) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("empty condition");
        }
        List<Clause> clauses = new ArrayList<>();
        for (String part : source.trim().split("\\s+and\\s+")) {
            clauses.add(clause(part.trim()));
        }
        return new Condition(List.copyOf(clauses));
    }

    private static Clause clause(String s) {
        if (s.endsWith(" is not set")) {
            return new Clause(field(s.substring(0, s.length() - 11)), "is not set", List.of());
        }
        if (s.endsWith(" is set")) {
            return new Clause(field(s.substring(0, s.length() - 7)), "is set", List.of());
        }
        for (String op : List.of(" not in ", " in ", "==", "!=")) {
            int at = s.indexOf(op);
            if (at > 0) {
                String rest = s.substring(at + op.length()).trim();
                List<String> values = Arrays.stream(rest.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
                if (values.isEmpty()) {
                    throw new IllegalArgumentException("no value after '" + op.trim() + "' in '" + s + "'");
                }
                return new Clause(field(s.substring(0, at)), op.trim(), values);
            }
        }
        throw new IllegalArgumentException("cannot read condition '" + s + "' (use ==, !=, in, not in, is set)");
    }

    private static String field(String s) {
        String f = s.trim();
        if (!f.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("'" + f + "' is not a field name");
        }
        return f;
    }

    List<String> fields() {
        return clauses.stream().map(Clause::field).toList();
    }

    /** {@code lookup} gives a field's value or null when not set. */
    boolean test(Function<String, String> lookup) {
        for (Clause c : clauses) {
            String v = lookup.apply(c.field());
            boolean set = v != null && !v.isEmpty();
            boolean ok = switch (c.op()) {
                case "is set" -> set;
                case "is not set" -> !set;
                case "==", "in" -> set && c.values().contains(v);
                default -> !set || !c.values().contains(v);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
