package org.careline.flow;

import java.util.Map;

/**
 * Where a free-text message should go: a flow id (null when nothing fits well enough) and fields to preset
 * there, e.g. {@code need=medical}.
 */
public record Route(String flow, Map<String, String> presets, int score, boolean byExamples) {

    public Route {
        presets = Map.copyOf(presets);
    }

    /** A route found by words (global or weighted). */
    public Route(String flow, Map<String, String> presets, int score) {
        this(flow, presets, score, false);
    }

    static Route none() {
        return new Route(null, Map.of(), 0);
    }

    public boolean found() {
        return flow != null;
    }
}
