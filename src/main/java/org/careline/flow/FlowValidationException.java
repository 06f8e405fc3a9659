package org.careline.flow;

import java.util.List;

/** The flow files are not usable; {@link #errors()} lists each problem as {@code file:line: message}. */
public final class FlowValidationException extends RuntimeException {

    private final List<String> errors;

    public FlowValidationException(List<String> errors) {
        super(errors.size() + " problem(s) in the flow files:\n" + String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
