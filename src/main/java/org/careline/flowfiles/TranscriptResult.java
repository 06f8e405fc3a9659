package org.careline.flowfiles;

import java.util.List;

/** The outcome of one transcript file: passed, or the failures with the step and a readable diff. */
public record TranscriptResult(String file, String name, boolean passed, List<String> failures) {

    public TranscriptResult {
        failures = List.copyOf(failures);
    }

    /** "PASS file (name)" or "FAIL file (name)" followed by each failure, indented. */
    public String report() {
        StringBuilder sb = new StringBuilder(passed ? "PASS " : "FAIL ").append(file);
        if (name != null && !name.isBlank()) {
            sb.append(" (").append(name).append(')');
        }
        for (String f : failures) {
            sb.append('\n').append(f.indent(2).stripTrailing());
        }
        return sb.toString();
    }
}
