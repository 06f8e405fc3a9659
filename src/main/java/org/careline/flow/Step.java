package org.careline.flow;

import java.util.List;

/** What one step of the engine gives back: the state to save and the effects to perform after saving. */
public record Step(ConversationState state, List<Effect> effects) {

    public Step {
        effects = List.copyOf(effects);
    }
}
