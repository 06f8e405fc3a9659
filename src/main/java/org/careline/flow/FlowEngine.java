package org.careline.flow;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.careline.flow.ConversationState.Status;
import org.careline.flow.FlowNode.Ask;

/**
 * The conversation core: {@code (state, input, context) -> (state', effects)}. Pure and thread-safe: no
 * I/O, no clock of its own, nothing kept between steps.
 *
 * <p>Order of handling: a chat with staff stays silent except for danger words; a state from older flow
 * files whose node is gone restarts at the menu; an idle state restarts with a notice; then follow/scan/menu
 * clicks; then the global words of common.yaml (danger, person, menu, cancel, back); then the answer to the
 * current question; and with no question open, the message is routed by meaning.
 */
public final class FlowEngine {

    private final Flows flows;
    private final AnswerReader reader;
    private final IntentRouter router;

    public FlowEngine(Flows flows) {
        this.flows = flows;
        this.reader = new AnswerReader(flows.common(), flows.regions());
        this.router = flows.router();
    }

    /**
     * One step. The effects hold at most one {@link Effect.Reply} (every text of the step, joined by blank
     * lines) first, then the other effects in the order the nodes emitted them. A null state is a person
     * the bot has not talked to (or whose data was deleted).
     */
    public Step step(ConversationState state, Input input, StepContext ctx) {
        Turn t = new Turn(flows, ctx, reader, state);
        String text = input instanceof Input.Text x ? x.text() : null;

        if (state != null && t.status == Status.ESCALATED) {
            return escalated(t, state, input, text);
        }
        if (state != null && state.node() != null && !flows.has(state.flow(), state.node())) {
            t.say(flows.common().text("restarted"));
            t.switchTo("menu", null);
            return t.finish();
        }
        Flow current = flows.flow(state == null ? null : state.flow());
        // Some flows never time out: the menu (a choice made later is still a choice) and the urgent flow
        // (someone busy calling 110 must not be told the report was dropped).
        boolean timedOut = state != null && t.waiting() && idle(state, ctx) && (current == null || current.timesOut());
        if (timedOut) {
            t.say(flows.common().text("timeout"));
        }
        boolean atRest = state == null || !t.waiting() || timedOut;
        if (atRest) {
            t.clearConversation();
        }

        if (input instanceof Input.Follow f) {
            t.clearConversation();
            t.switchTo(sceneFlow(f.scene()).orElse(flows.common().followFlow().target()), null);
        } else if (input instanceof Input.Scan s) {
            Optional<String> scene = sceneFlow(s.scene());
            if (scene.isPresent()) {
                t.switchTo(scene.get(), null);
            } else if (atRest) {
                t.switchTo("menu", null);
            } else {
                t.say(t.prompt(t.currentNode()));
            }
        } else if (input instanceof Input.MenuClick c) {
            FlowNode.Ref target = flows.common().clicks().get(c.key());
            t.clearConversation();
            t.switchTo(target == null ? "menu" : target.target(), null);
        } else if (text != null && global(text).filter(g -> !alreadyThere(g, t, atRest)).isPresent()) {
            handleGlobal(t, global(text).orElseThrow(), text, atRest);
        } else if (!atRest) {
            answer(t, input, text);
        } else if (text != null) {
            Route r = router.route(text);
            if (r.found()) {
                startRouted(t, r, text);
            } else {
                t.switchTo("menu", null);
            }
        } else {
            t.switchTo("menu", null);
        }
        return t.finish();
    }

    /**
     * The chat comes back to the bot after staff resolve it: status BOT, nothing pending, and the next
     * message is handled as a fresh start (routed by meaning or the menu).
     */
    public static ConversationState resolved(ConversationState s, Instant now) {
        return new ConversationState("menu", null, Status.BOT, Map.of(), List.of(), List.of(), 0,
                s == null ? null : s.flowsVersion(), s == null ? now : s.startedAt(), now);
    }

    private static boolean idle(ConversationState s, StepContext ctx) {
        return s.updatedAt() != null && ctx.idleTimeout() != null
                && s.updatedAt().plus(ctx.idleTimeout()).isBefore(ctx.now());
    }

    private Optional<String> sceneFlow(String scene) {
        if (scene == null) {
            return Optional.empty();
        }
        String key = scene.startsWith("qrscene_") ? scene.substring("qrscene_".length()) : scene;
        return Optional.ofNullable(flows.common().scenes().get(key)).map(FlowNode.Ref::target);
    }

    /** The first global intent (in common.yaml order) the message triggers. */
    private Optional<Common.GlobalIntent> global(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return flows.common().globals().stream().filter(g -> g.matches(text)).findFirst();
    }

    /**
     * A global intent that leads to the flow already under way (no particular node) is an answer, not a
     * restart: "孩子被打了，还没报警" at the urgent flow's police question must not escalate a second time.
     */
    private static boolean alreadyThere(Common.GlobalIntent g, Turn t, boolean atRest) {
        return !atRest && g.flow() != null && g.node() == null && g.flow().target().equals(t.flow);
    }

    /**
     * Staff have the chat: the bot stays silent (the orchestrator records the message for the console),
     * except for danger (words or the 紧急求助 button), for leaving the chat with staff, and for the
     * menu/cancel/person words, which get a one-line reminder of where the person is instead of silence.
     */
    private Step escalated(Turn t, ConversationState state, Input input, String text) {
        Optional<Common.GlobalIntent> heard = global(text).filter(Common.GlobalIntent::duringEscalation);
        if (heard.isEmpty() && input instanceof Input.MenuClick c) {
            FlowNode.Ref clicked = flows.common().clicks().get(c.key());
            heard = flows.common().globals().stream()
                    .filter(Common.GlobalIntent::duringEscalation)
                    .filter(g -> g.flow() != null && clicked != null && g.flow().target().equals(clicked.target()))
                    .findFirst();
        }
        if (heard.isPresent()) {
            t.status = Status.BOT;
            if (LEAVE_STAFF.equals(heard.get().name())) {
                if (isDangerFlow(state.flow())) {
                    // A mandatory report is not the person's to withdraw (whoever holds the phone):
                    // the bot answers again, staff keep the alarm.
                    t.say(flows.common().text("left_staff_urgent"));
                } else {
                    t.closeEscalation();
                    t.say(flows.common().text("left_staff"));
                }
            }
            startGlobal(t, heard.get(), text);
            return t.finish();
        }
        if (isDangerFlow(state.flow())) {
            // An alarm is open: every message is acknowledged, and no office hours are quoted.
            String ack = flows.common().text("urgent_ack");
            return new Step(state, ack.isBlank() ? List.of() : List.of(new Effect.Reply(ack)));
        }
        boolean command = global(text).map(g -> REMINDED.contains(g.name())).orElse(false)
                || input instanceof Input.MenuClick;
        String hint = flows.common().text("escalated_hint");
        if (command && !hint.isBlank()) {
            return new Step(state, List.of(new Effect.Reply(t.render(hint, state.fields()))));
        }
        return new Step(state, List.of());
    }

    /** Whether {@code flow} is where danger words lead (the urgent flow). */
    private boolean isDangerFlow(String flow) {
        return flow != null && flows.common().globals().stream()
                .anyMatch(g -> g.duringEscalation() && !LEAVE_STAFF.equals(g.name()) && g.flow() != null
                        && g.flow().target().equals(flow));
    }

    /** The intent of common.yaml that ends a chat with staff from the person's side. */
    static final String LEAVE_STAFF = "leave_staff";
    /** Words that, while staff have the chat, get a reminder rather than silence. */
    private static final java.util.Set<String> REMINDED = java.util.Set.of("menu", "cancel", "human", "back");

    private void handleGlobal(Turn t, Common.GlobalIntent g, String text, boolean atRest) {
        Flow open = t.currentFlow();
        FlowNode.Ref own = atRest || open == null ? null : open.on(g.name());
        if (own != null) {
            t.enter(own.target(), false);
            return;
        }
        switch (g.name()) {
            case "cancel" -> {
                Flow f = t.currentFlow();
                boolean inFlow = !atRest && f != null && !f.id().equals("menu");
                t.say(flows.common().text(inFlow ? "cancelled" : "nothing_to_cancel"));
                t.switchTo("menu", null);
            }
            case "back" -> {
                if (!atRest && !t.history.isEmpty()) {
                    String previous = t.history.remove(t.history.size() - 1);
                    t.enter(previous, true);
                } else if (!atRest) {
                    t.say(flows.common().text("no_previous"));
                    t.say(t.prompt(t.currentNode()));
                } else {
                    t.switchTo("menu", null);
                }
            }
            default -> startGlobal(t, g, text);
        }
    }

    private void startGlobal(Turn t, Common.GlobalIntent g, String text) {
        t.stack.clear();
        t.fields.put("trigger_text", text == null ? "" : text.strip());
        String reason = flows.common().texts().get("reason_" + g.name());
        if (reason != null) {
            t.fields.put("handoff_reason", reason);
        }
        String target = g.flow().target();
        if ("menu".equals(target)) {
            t.switchTo(target, g.node() == null ? null : g.node().target());
            return;
        }
        t.flow = target;
        t.history.clear();
        t.attempts = 0;
        t.enter(g.node() == null ? flows.flow(target).start() : g.node().target(), false);
    }

    /** A first message this long tells a story: flows may keep it ({first_message}) instead of asking again. */
    static final int STORY_LENGTH = 20;

    private void startRouted(Turn t, Route r, String text) {
        t.clearConversation();
        t.fields.putAll(r.presets());
        if (text != null && TextNormalizer.compact(text).length() >= STORY_LENGTH) {
            t.fields.put("first_message", text.strip());
        }
        Flow target = flows.flow(r.flow());
        // Understood from the example messages alone (a weaker sign than words): a flow with a node named
        // "confirm-guess" asks first, so that "电话没变" does not hand anybody to staff unasked.
        if (r.byExamples() && target != null && target.node(CONFIRM_NODE) != null) {
            t.switchTo(r.flow(), CONFIRM_NODE);
            return;
        }
        t.switchTo(r.flow(), null);
    }

    /** See {@link #startRouted}: the node a flow may have to confirm a guess made from examples. */
    static final String CONFIRM_NODE = "confirm-guess";

    private void answer(Turn t, Input input, String text) {
        FlowNode n = t.currentNode();
        Ask ask = n.ask();
        // At a routing question (the menu) a sentence is read by meaning before option labels, so that
        // "我想申请帮助，孩子看病没钱" also presets the need; a bare number is always the option.
        if (ask.route() && text != null && TextNormalizer.choiceNumber(text).isEmpty()) {
            Route r = router.route(text);
            if (r.found()) {
                startRouted(t, r, text);
                return;
            }
        }
        Optional<AnswerReader.Answer> a = reader.read(ask, input, t.fields, t.today());
        if (a.isPresent()) {
            t.answered(a.get());
            return;
        }
        int tries = t.attempts + 1;
        if (tries >= ask.tries()) {
            fallback(t, ask);
            return;
        }
        String retry = ask.retry() != null ? ask.retry().text() : flows.common().text("retry");
        String notHere = flows.common().text("media_not_here");
        if (input instanceof Input.Media && !notHere.isBlank()) {
            // A voice note or photo where words are needed: say so, rather than "we did not understand".
            retry = notHere;
        }
        String choices = t.choices(ask);
        t.say(choices.isEmpty() ? retry : retry + "\n" + choices);
        t.attempts = tries;
    }

    /** Too many answers we could not read: offer a person rather than ask again. */
    private void fallback(Turn t, Ask ask) {
        if (ask.fallback() != null && t.currentFlow().node(ask.fallback().target()) != null) {
            t.enter(ask.fallback().target(), false);
            return;
        }
        String flowId = ask.fallback() != null ? ask.fallback().target() : flows.common().fallbackFlow().target();
        FlowNode.Ref node = ask.fallback() != null ? null : flows.common().fallbackNode();
        t.fields.put("handoff_reason", flows.common().text("reason_fallback"));
        t.stack.clear();
        t.flow = flowId;
        t.history.clear();
        t.enter(node == null ? flows.flow(flowId).start() : node.target(), false);
    }
}
