package org.careline.conversation;

import io.vertx.core.Future;
import org.careline.flow.StepContext;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a conversation needs from the child directors' side (roster, binding codes, visits) without this
 * package knowing it: the orchestrator asks before a step and reports after the save.
 */
public interface DirectorDesk {

    /** The children a bound director (their community) or supervisor (their town) may see, most urgent first. */
    Future<List<StepContext.ChildOnList>> children(StepContext.Profile profile, Instant now);

    /** Looks a binding code up for this person and, when it is good, uses it up. */
    Future<StepContext.Binding> redeem(String openid, StepContext.Profile profile, String code, Instant now);

    /**
     * After the step was saved: the bindings index and the visits ledger (keys outside the person's slot).
     * Completes with the openid that held the same roster entry before this binding (its profile must go), or null.
     */
    Future<String> saved(String openid, StepContext.Binding bound, String unbound, List<Map<String, String>> visits);

    /** No roster: nobody is a director, no code is good. */
    DirectorDesk NONE = new DirectorDesk() {
        @Override
        public Future<List<StepContext.ChildOnList>> children(StepContext.Profile profile, Instant now) {
            return Future.succeededFuture(List.of());
        }

        @Override
        public Future<StepContext.Binding> redeem(String openid, StepContext.Profile profile, String code, Instant now) {
            return Future.succeededFuture(new StepContext.Binding("unavailable", null, null, null, null));
        }

        @Override
        public Future<String> saved(String openid, StepContext.Binding bound, String unbound, List<Map<String, String>> visits) {
            return Future.succeededFuture();
        }
    };
}
