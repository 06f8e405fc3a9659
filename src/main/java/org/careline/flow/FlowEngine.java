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
        // Read once: simplified, normalised and cut into clauses for every list, pattern and model below.
        Heard heard = text == null ? null : Heard.of(text);
        // A voice note's recognised text is heard for danger (and nothing else: it is still an attachment).
        Heard spoken = input instanceof Input.Media m && m.recognition() != null && !m.recognition().isBlank()
                ? Heard.of(m.recognition()) : null;
        if (!(input instanceof Input.Follow)) {
            // An open alarm or handoff gets every message, whatever the bot does with it.
            t.addToEscalation(input);
        }

        if (state != null && t.status == Status.ESCALATED) {
            return escalated(t, state, input, heard != null ? heard : spokenDanger(spoken));
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

        // Read once for the whole step: the global intent the words (or a voice note's danger) trigger here.
        Optional<Common.GlobalIntent> said = heard != null ? global(heard, t, atRest)
                : spoken != null ? global(spoken, t, atRest).filter(FlowEngine::isDanger) : Optional.empty();
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
            if (target == null || "menu".equals(target.target())) {
                alarmStillOpen(t);
            }
            t.clearConversation();
            t.switchTo(target == null ? "menu" : target.target(), null);
        } else if (said.isPresent() && unclearAfterAlarm(t, said.get(), atRest)) {
            startAfterAlarm(t, AFTER_ALARM_UNSURE_NODE, heard, atRest);
        } else if (said.isPresent()) {
            // The gentle check (concern) comes back to the open question: nothing of the form is lost to keep.
            if (!atRest && isDanger(said.get()) && !CONCERN.equals(said.get().name())) {
                keepBeforeAlarm(t, input);
            }
            handleGlobal(t, said.get(), heard != null ? heard : spoken, atRest);
        } else if (!atRest) {
            if (heard != null && MENU.equals(t.flow) && global(heard).filter(g -> MENU.equals(g.name())).isPresent()) {
                // 菜单 at the menu itself: shown again, with the open alarm said too.
                alarmStillOpen(t);
            }
            if (heard == null || !alarmFollowUp(t, heard)) {
                answer(t, input, heard);
            }
        } else if (heard != null) {
            Route r = router.route(heard);
            if (r.found()) {
                startRouted(t, r, text);
            } else {
                if (ChineseText.isEnglish(text)) {
                    t.say(flows.common().text("english"));
                }
                if (sinceClosedAlarm(t) && !heard.isEmpty()) {
                    // Nothing clear, days after an alarm: not the bare menu (AFTER_ALARM).
                    startAfterAlarm(t, AFTER_ALARM_UNSURE_NODE, heard, true);
                } else {
                    t.switchTo("menu", null);
                }
            }
        } else if (sinceClosedAlarm(t) && (input instanceof Input.Media || input instanceof Input.Location)) {
            // A photo, voice note or location with no words, days after an alarm: maybe all the child can send.
            startAfterAlarm(t, AFTER_ALARM_UNSURE_NODE, null, true);
        } else {
            t.switchTo("menu", null);
        }
        return t.finish();
    }

    /**
     * The chat comes back to the bot after staff resolve it: status BOT, nothing pending, and the next
     * message is handled as a fresh start (routed by meaning or the menu) — except that a closed alarm is
     * remembered for {@link #AFTER_ALARM}: what it was about, so that words pointing back to it are heard.
     */
    public static ConversationState resolved(ConversationState s, Instant now) {
        ConversationState.ClosedAlarm closed = s == null ? null : s.closedAlarm();
        if (s != null && s.escalation() != null && s.escalation().alarm()) {
            Map<String, String> f = s.fields() == null ? Map.of() : s.fields();
            closed = new ConversationState.ClosedAlarm(f.get(ALARM_KIND), f.get(ALARM_ABOUT), now);
        }
        return new ConversationState("menu", null, Status.BOT, Map.of(), List.of(), List.of(), 0,
                s == null ? null : s.flowsVersion(), s == null ? now : s.startedAt(), now, null, closed);
    }

    /**
     * How long after staff close an alarm the person's next words are read with that danger in mind: words that
     * point back to it (他又回来了, 又开始了, 我害怕) and messages that say nothing clear (还在吗, a photo) get "你现在
     * 安全吗" with the alarm's numbers and reopen it for staff; clear requests (查进度) go on as usual. 72 hours
     * covers a weekend: an alarm closed on a Friday evening is still in mind when the child writes before staff
     * are back on Monday morning (63 hours later), and the days in which someone who was sent away or calmed
     * down most often comes back; beyond that, a greeting is a greeting again.
     */
    static final java.time.Duration AFTER_ALARM = java.time.Duration.ofHours(72);

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

    /**
     * Danger heard in the middle of a flow that must not lose what was given (a director's visit, whose note
     * may itself describe the danger): the message is first taken as the answer to an open free text question, and
     * the flow's {@code on: alarm:} node runs (it saves what is complete), then the alarm path goes on.
     */
    private void keepBeforeAlarm(Turn t, Input input) {
        Flow open = t.currentFlow();
        FlowNode.Ref keep = open == null ? null : open.on(ALARM);
        if (keep == null || !t.waiting()) {
            return;
        }
        Ask ask = t.currentNode().ask();
        // A free text question (a visit's note, a request's story) takes the message; one with a pattern (a name,
        // an address) does not: "孩子他爸喝了酒就打孩子" is no one's name.
        if (ask.accepts(FlowNode.AskType.TEXT) && ask.pattern() == null || input instanceof Input.Media) {
            reader.read(ask, input, t.fields, t.today()).ifPresent(a -> t.fields.putAll(a.fields()));
        }
        t.aside(keep.target());
    }

    /** A flow's {@code on:} key for the node that keeps what was given before an alarm takes over. */
    static final String ALARM = "alarm";

    /** The first global intent (in common.yaml order) the message triggers. */
    private Optional<Common.GlobalIntent> global(Heard heard) {
        return flows.common().globals().stream().filter(g -> g.matches(heard)).findFirst();
    }

    /**
     * The global intent this message triggers at this point of the conversation, if any. Danger is heard at
     * every question before the answer is read, in layers: the word lists, patterns and word combinations of
     * common.yaml (self-harm, danger, then the unsure {@code concern}), then the example model, whose
     * suspicion alone leads to the gentle check, never to an alarm. A bare number, code or short name typed
     * where one is asked is only that answer. Inside the urgent flow, danger of the kind already being
     * handled is an answer ("我在天台上" at "你现在安全吗"), not a restart.
     */
    private Optional<Common.GlobalIntent> global(Heard heard, Turn t, boolean atRest) {
        boolean answerOnly = !atRest && onlyAnAnswer(t.currentNode(), heard);
        boolean claimed = !atRest && !answerOnly && claimedByOption(t.currentNode(), heard);
        boolean declined = !atRest && declines(t, heard);
        for (Common.GlobalIntent g : flows.common().globals()) {
            if (CONCERN.equals(g.name()) && answerOnly || claimed && (isDanger(g) || AFTER_ALARM_INTENT.equals(g.name()))
                    || declined && CANCEL.equals(g.name())
                    || UNSAFE_AGAIN.equals(g.name()) && (!selfHarmAlarmOpen(t) || !atRest && URGENT.equals(t.flow))
                    || AFTER_ALARM_INTENT.equals(g.name()) && !afterAlarmHeard(t, atRest)
                    || AFRAID_OF_POLICE.equals(g.name()) && !afraidOfPoliceHeard(t)) {
                continue;
            }
            if (g.matches(heard)) {
                if (isDanger(g) ? handledAlready(g, t, atRest) : alreadyThere(g, t, atRest)) {
                    return Optional.empty();
                }
                if (CONCERN.equals(g.name()) && sinceClosedAlarm(t)) {
                    // Unsure words days after an alarm: asked about that alarm's danger, with its numbers.
                    Optional<Common.GlobalIntent> after = intent(AFTER_ALARM_INTENT);
                    if (after.isPresent()) {
                        return after;
                    }
                }
                if (SELF_HARM.equals(g.name()) && placeOrMeans(heard)) {
                    // A place or the means said while a self-harm alarm is open ("我在楼顶上 不想下去了" at a form's
                    // question): new danger, critical. With no alarm open, the wish and a place in one message
                    // ("我站在长江大桥上面，想跳下去"): at risk now, the critical path. The place alone ("我在天台 风好大")
                    // stays the crisis path.
                    String raise = selfHarmAlarmOpen(t) ? UNSAFE_AGAIN : wishBesidesPlace(heard) ? SELF_HARM_NOW : null;
                    Optional<Common.GlobalIntent> now = flows.common().globals().stream()
                            .filter(x -> x.name().equals(raise)).findFirst();
                    if (now.isPresent()) {
                        return now;
                    }
                }
                return Optional.of(g);
            }
        }
        Optional<Common.GlobalIntent> concern = intent(CONCERN);
        if (concern.isPresent() && !answerOnly && !claimed && !handledAlready(concern.get(), t, atRest)
                && router.examplesSuggestDanger(heard)) {
            return sinceClosedAlarm(t) && intent(AFTER_ALARM_INTENT).isPresent() ? intent(AFTER_ALARM_INTENT) : concern;
        }
        return Optional.empty();
    }

    /** The global intent of common.yaml with this name, if the files have it. */
    private Optional<Common.GlobalIntent> intent(String name) {
        return flows.common().globals().stream().filter(g -> name.equals(g.name())).findFirst();
    }

    /**
     * common.yaml's {@code after_alarm}: words that point back to a danger (他又回来了, 又开始了, 我害怕, 救我).
     * Heard for {@link #AFTER_ALARM} after staff closed an alarm, and while one is open and the bot answers
     * (after 菜单): the person is asked whether they are safe, with the alarm's numbers — "他又回来了" is no
     * change report then. Elsewhere they are ordinary words.
     */
    static final String AFTER_ALARM_INTENT = "after_alarm";
    /** urgent.yaml's entry for a message that says nothing clear within {@link #AFTER_ALARM} (staff: check). */
    static final String AFTER_ALARM_UNSURE_NODE = "after-alarm-unsure";
    /**
     * common.yaml's {@code afraid_of_police} (不敢报警): heard only while an alarm about the one writing is open (a
     * child being hurt, someone in a suicidal crisis) — the ways a frightened child can use besides 110. A
     * neighbour's fear at the police question is that question's answer.
     */
    static final String AFRAID_OF_POLICE = "afraid_of_police";

    private static boolean afraidOfPoliceHeard(Turn t) {
        return t.escalation != null && t.escalation.alarm() && WRITER.equals(t.fields.get(ALARM_ABOUT));
    }

    /** {@code alarm_about} of an alarm about the person writing. */
    static final String WRITER = "writer";

    /**
     * A node of the urgent flow that adds to the open alarm (afraid of the police): the alarm's trigger and reason
     * stay what they were for staff.
     */
    private static void enterAlarmNode(Turn t, String node) {
        t.stack.clear();
        t.flow = URGENT;
        t.history.clear();
        t.attempts = 0;
        t.enter(node, false);
    }

    /**
     * Global intents heard only where the engine says (an alarm open, or closed within {@link #AFTER_ALARM}):
     * routing a message by meaning never follows them ("孩子他爸出狱回来了" is a change report).
     */
    static final java.util.Set<String> HEARD_IN_CONTEXT = java.util.Set.of(AFTER_ALARM_INTENT, AFRAID_OF_POLICE);

    /** Commands that would only show the menu: within {@link #AFTER_ALARM} they say nothing clear. */
    private static final java.util.Set<String> SAYS_NOTHING = java.util.Set.of(FlowEngine.GREETING, FlowEngine.CANCEL, "back");

    /** Staff closed an alarm within {@link #AFTER_ALARM}, and none is open again since. */
    private static boolean sinceClosedAlarm(Turn t) {
        return t.recentlyClosed() && (t.escalation == null || !t.escalation.alarm());
    }

    /** Where common.yaml's after_alarm words are heard: see {@link #AFTER_ALARM_INTENT}. */
    private static boolean afterAlarmHeard(Turn t, boolean atRest) {
        if (!atRest && URGENT.equals(t.flow)) {
            // At the urgent flow's own questions the words are an answer (他又回来了 at 你现在安全吗: not safe).
            return false;
        }
        return sinceClosedAlarm(t) || t.escalation != null && t.escalation.alarm() && t.status == Status.BOT;
    }

    /**
     * A greeting, 算了 or 返回 — or, at the menu, a message that is no choice — within {@link #AFTER_ALARM} and with
     * no alarm open: it says nothing clear, so the person is asked whether they are safe instead of shown the menu.
     */
    private static boolean unclearAfterAlarm(Turn t, Common.GlobalIntent g, boolean atRest) {
        return SAYS_NOTHING.contains(g.name()) && (atRest || MENU.equals(t.flow)) && sinceClosedAlarm(t);
    }

    /**
     * Days after an alarm, the person writes again (words pointing back to it, or nothing clear): the urgent flow's
     * {@code node} asks whether they (or the child) are safe, with the numbers of that alarm, and reopens it for
     * staff. What the closed alarm was about comes back ({@code alarm_kind}, {@code alarm_about}) so that the flow
     * asks the right question; "safe" goes back to a question that was open.
     */
    private void startAfterAlarm(Turn t, String node, Heard heard, boolean atRest) {
        if (!flows.has(URGENT, node)) {
            // Flow files without these nodes: the menu, as before.
            t.switchTo(MENU, null);
            return;
        }
        if (!atRest && t.waiting() && !MENU.equals(t.flow) && !URGENT.equals(t.flow)) {
            t.stack.add(new ConversationState.Frame(t.flow, t.node));
        } else {
            t.stack.clear();
        }
        boolean open = t.escalation != null && t.escalation.alarm();
        if (!open && t.closedAlarm != null) {
            putIfSet(t.fields, ALARM_KIND, t.closedAlarm.kind());
            putIfSet(t.fields, ALARM_ABOUT, t.closedAlarm.about());
        }
        if (!open) {
            // A new alarm for staff: this message is what raised it.
            t.fields.put("trigger_text", heard == null || heard.raw() == null ? "" : heard.raw().strip());
            String reason = flows.common().texts().get("reason_" + (AFTER_ALARM_UNSURE_NODE.equals(node)
                    ? AFTER_ALARM_INTENT + "_unsure" : AFTER_ALARM_INTENT));
            if (reason != null) {
                t.fields.put("handoff_reason", reason);
            }
        }
        t.flow = URGENT;
        t.history.clear();
        t.attempts = 0;
        t.enter(node, false);
    }

    private static void putIfSet(Map<String, String> fields, String key, String value) {
        if (value != null && !value.isEmpty()) {
            fields.put(key, value);
        }
    }

    /** The recognised text of a voice note, if it holds danger words; else null (the note is an attachment). */
    private Heard spokenDanger(Heard spoken) {
        if (spoken == null) {
            return null;
        }
        return flows.common().globals().stream().filter(g -> isDanger(g) && g.matches(spoken)).findFirst()
                .map(g -> spoken).orElse(null);
    }

    /** Self-harm, danger, emergency and concern: the global intents that lead to the urgent flow. */
    private static boolean isDanger(Common.GlobalIntent g) {
        return SELF_HARM.equals(g.name()) || SELF_HARM_NOW.equals(g.name()) || DANGER.equals(g.name())
                || EMERGENCY.equals(g.name()) || CONCERN.equals(g.name());
    }

    /**
     * Already on the path for this kind of danger: the message answers the question there. Self-harm said
     * on the police path, or sure danger said at the unsure check, still leads to its own path.
     */
    private static boolean handledAlready(Common.GlobalIntent g, Turn t, boolean atRest) {
        if (atRest || g.flow() == null || !g.flow().target().equals(t.flow)) {
            return false;
        }
        String kind = t.fields.get(ALARM_KIND);
        return switch (g.name()) {
            case SELF_HARM -> SELF_HARM.equals(kind) || SELF_HARM_CHILD.equals(kind);
            case DANGER -> !"check".equals(kind);
            // Harm already done, or a body in danger now, always leads to its own critical path — except while
            // the person is being asked whether they are safe, where it is the answer (not safe).
            case SELF_HARM_NOW, EMERGENCY -> "safe".equals(t.node) || "safe-harmed".equals(t.node)
                    || "check-self".equals(t.node)
                    || ("check-self" + CHILD_SUFFIX).equals(t.node) || "police".equals(t.node) && EMERGENCY.equals(g.name());
            default -> true;
        };
    }

    /**
     * An option's own words are that answer, even where they are heard as danger elsewhere: "不安全" or "有危险"
     * at "孩子安全吗？" is the option "不安全" (which alarms staff itself), not the person's own distress. It
     * holds only when nothing beyond the option's word is heard as danger: "不安全，爸爸喝酒后打孩子" is
     * still the alarm of common.yaml.
     */
    private boolean claimedByOption(FlowNode n, Heard heard) {
        if (n == null || n.ask() == null || !n.ask().accepts(FlowNode.AskType.CHOICE) || n.ask().options().isEmpty()) {
            return false;
        }
        Optional<String> word = AnswerReader.choiceWord(n.ask().options(), heard.simplified());
        if (word.isEmpty()) {
            return false;
        }
        String rest = heard.compact().replace(word.get(), " ").strip();
        if (rest.isEmpty()) {
            return true;
        }
        Heard beyond = Heard.of(rest);
        return flows.common().globals().stream().noneMatch(g -> isDanger(g) && g.matches(beyond))
                && !router.examplesSuggestDanger(beyond);
    }

    /**
     * "算了" or "不要了" at a yes/no question ("还要补充照片吗？"): the answer no, not 取消 — the request is not
     * dropped for declining the photos. Only where the flow keeps no cancel of its own (the urgent flow's
     * "求助不会撤回"); 取消 itself still cancels everywhere.
     */
    private boolean declines(Turn t, Heard heard) {
        FlowNode n = t.currentNode();
        Flow f = t.currentFlow();
        if (n == null || n.ask() == null || f == null || f.on(CANCEL) != null) {
            return false;
        }
        if (n.ask().accepts(FlowNode.AskType.CHOICE)) {
            // A choice declines with 算了 only where its "no" option lists the word (您同意吗): at a checklist
            // question (监护落实了吗) 算了 is no answer at all, and still 取消.
            return AnswerReader.choiceWord(n.ask().options(), heard.simplified()).isPresent()
                    && AnswerReader.choice(n.ask().options(), heard.simplified()).map(o -> "no".equals(o.means())).orElse(false)
                    && AnswerReader.choiceWord(n.ask().options(), heard.simplified()).get().equals(AnswerReader.bare(heard.compact()));
        }
        // The whole answer is the no word: "算了不办了" still drops the request.
        String said = AnswerReader.bare(heard.compact());
        return n.ask().accepts(FlowNode.AskType.YES_NO)
                && flows.common().noWords().stream().map(TextNormalizer::compactWord).anyMatch(said::equals);
    }

    static final String CANCEL = "cancel";

    /** A choice number, a phone number or code, or a short name typed where one is asked: only that answer. */
    static boolean onlyAnAnswer(FlowNode n, Heard heard) {
        if (n == null || n.ask() == null) {
            return false;
        }
        String c = heard.compact();
        if (c.length() <= Common.EXACT_MAX && TextNormalizer.choiceNumber(heard.raw()).isPresent()) {
            return true;
        }
        if (!c.isEmpty() && c.chars().allMatch(ch -> ch < 128 && Character.isLetterOrDigit(ch))
                && c.chars().anyMatch(Character::isDigit)) {
            return true;
        }
        String field = n.ask().field();
        return field != null && field.endsWith("name") && c.length() <= 4
                && c.codePoints().allMatch(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN);
    }

    /**
     * A place or the means at hand, or taking a "safe" back, said while a self-harm alarm is open
     * (common.yaml unsafe_again): heard only then, never as a first message. At an open question (你现在安全吗)
     * the answer's own words read it.
     */
    static final String UNSAFE_AGAIN = "unsafe_again";

    static final String URGENT = "urgent";

    /** A place of danger or the means at hand (common.yaml unsafe_again's words), said in this message. */
    private boolean placeOrMeans(Heard heard) {
        return flows.common().globals().stream().filter(g -> UNSAFE_AGAIN.equals(g.name())).anyMatch(g -> g.matches(heard));
    }

    /** Places of danger a self-harm wish may be said beside (unsafe_again's places). */
    private static final List<String> PLACES = List.of("楼顶", "顶楼", "天台", "桥上", "大桥", "窗台", "河边", "江边",
            "湖边", "海边", "阳台", "铁轨", "水库");

    /** Self-harm words still heard once the places are taken out: a wish, not only where the person is. */
    private boolean wishBesidesPlace(Heard heard) {
        String rest = heard.raw();
        for (String p : PLACES) {
            rest = rest.replace(p, " ");
        }
        Heard without = Heard.of(rest);
        return flows.common().globals().stream().filter(g -> SELF_HARM.equals(g.name())).anyMatch(g -> g.matches(without));
    }

    private static boolean selfHarmAlarmOpen(Turn t) {
        return t.escalation != null && t.escalation.alarm() && SELF_HARM.equals(t.fields.get(ALARM_KIND));
    }

    static final String SELF_HARM = "self_harm";
    /** The alarm kind of a parent's report of their child's self-harm words (urgent.yaml crisis-child). */
    static final String SELF_HARM_CHILD = "self_harm_child";
    static final String DANGER = "danger";
    static final String CONCERN = "concern";
    static final String SELF_HARM_NOW = "self_harm_now";
    static final String EMERGENCY = "emergency";
    /**
     * "要什么材料": the papers a help request needs (DESIGN §5), listed at any point; {@code papers_<topic>}
     * intents say their own text the same way (papers the police station asks for).
     */
    static final String PAPERS = "papers";
    /** 你好, 在吗, 请问一下: the menu at rest, the open question again mid-flow. */
    static final String GREETING = "greeting";
    /** Set by the urgent flow's entry nodes: which danger path the conversation is on. */
    static final String ALARM_KIND = "alarm_kind";
    /** Set by the urgent flow's entry nodes: who is at risk — {@code writer} (the person writing) or {@code child}. */
    static final String ALARM_ABOUT = "alarm_about";

    /**
     * A global intent that leads to the flow already under way (no particular node) is an answer, not a
     * restart.
     */
    private static boolean alreadyThere(Common.GlobalIntent g, Turn t, boolean atRest) {
        return !atRest && g.flow() != null && g.node() == null && g.flow().target().equals(t.flow);
    }

    /**
     * Staff have the chat: the bot stays silent (the orchestrator records the message for the console),
     * except for danger (words or the 紧急求助 button), for leaving the chat with staff, and for the
     * menu/cancel/person words, which get a one-line reminder of where the person is instead of silence.
     */
    /**
     * Staff have the chat: the bot stays silent (the orchestrator records the message for the console),
     * except for danger (words or the 紧急求助 button), for leaving the chat with staff, and for the
     * menu/cancel/person words, which get a one-line reminder of where the person is instead of silence.
     * While an alarm is open every message is acknowledged.
     */
    private Step escalated(Turn t, ConversationState state, Input input, Heard heard) {
        boolean alarm = t.escalation != null && t.escalation.alarm();
        // While an alarm is open the menu word also hands the chat back to the bot (the alarm stays): a
        // mother who asked about money in the same message must not be stuck with acknowledgements.
        Optional<Common.GlobalIntent> heardIntent = heard == null ? Optional.empty()
                : flows.common().globals().stream()
                .filter(g -> g.duringEscalation() || alarm && MENU.equals(g.name()))
                .filter(g -> !UNSAFE_AGAIN.equals(g.name()) || selfHarmAlarmOpen(t))
                .filter(g -> !AFTER_ALARM_INTENT.equals(g.name()) || sinceClosedAlarm(t))
                .filter(g -> !AFRAID_OF_POLICE.equals(g.name()) || afraidOfPoliceHeard(t))
                .filter(g -> g.matches(heard)).findFirst();
        if (heardIntent.isEmpty() && input instanceof Input.MenuClick c) {
            FlowNode.Ref clicked = flows.common().clicks().get(c.key());
            heardIntent = flows.common().globals().stream()
                    .filter(Common.GlobalIntent::duringEscalation)
                    .filter(g -> g.flow() != null && clicked != null && g.flow().target().equals(clicked.target()))
                    .findFirst();
        }
        String text = heard == null ? null : heard.raw();
        if (heardIntent.isPresent()) {
            Common.GlobalIntent g = heardIntent.get();
            if (LEAVE_STAFF.equals(g.name()) || MENU.equals(g.name())) {
                t.status = Status.BOT;
                // A mandatory report or a suicide risk is not the person's to withdraw (whoever holds the
                // phone): the bot answers again, staff keep the alarm.
                t.say(flows.common().text(t.closeEscalation() ? "left_staff" : "left_staff_urgent"));
                startGlobal(t, g, text);
                return t.finish();
            }
            if (AFRAID_OF_POLICE.equals(g.name())) {
                // "不敢报警" from the child or person at risk: the ways they can use besides 110.
                t.status = Status.BOT;
                enterAlarmNode(t, g.node().target());
                return t.finish();
            }
            if (AFTER_ALARM_INTENT.equals(g.name()) || CONCERN.equals(g.name()) && sinceClosedAlarm(t)) {
                // Days after an alarm, with someone on staff answering another request: "他又回来了" is asked about.
                t.status = Status.BOT;
                String node = intent(AFTER_ALARM_INTENT).map(a -> a.node().target()).orElse(AFTER_ALARM_UNSURE_NODE);
                startAfterAlarm(t, node, heard, true);
                return t.finish();
            }
            if (CONCERN.equals(g.name())) {
                // Unsure words while staff have the chat: never silence; ask gently, staff told (raised to check).
                if (alarm) {
                    t.say(flows.common().text("urgent_ack"));
                    return t.finish();
                }
                t.status = Status.BOT;
                startCheck(t, g, heard, true);
                return t.finish();
            }
            if (alarm && (handledAlready(g, t, false) || SELF_HARM_NOW.equals(g.name()) || EMERGENCY.equals(g.name())
                    || UNSAFE_AGAIN.equals(g.name()))) {
                // New danger while the alarm is open ("刚才吃了一把药", "他拿刀了", "其实骗你的 我在河边"): the
                // numbers again at once, not a routine acknowledgement, and staff told it is critical now. A child
                // being hurt hears about 110 and the child, not about pills.
                boolean childHarm = "harm".equals(t.fields.get(ALARM_KIND)) && DANGER.equals(g.name());
                // Someone else threatening the one writing ("他会打死我的") during a self-harm alarm: how to get away
                // from him, not only the crisis line.
                boolean hurtByOther = !childHarm && DANGER.equals(g.name()) && heard != null
                        && harmToWriter(heard.raw()) && !aboutOwnChild(heard.raw());
                t.say(flows.common().text(childHarm ? "danger_again_child"
                        : hurtByOther ? "danger_again_victim" : "danger_again"));
                t.raiseEscalation(ConversationState.Escalation.Level.CRITICAL,
                        flows.common().text("reason_danger_again"));
                return t.finish();
            }
            t.status = Status.BOT;
            startGlobal(t, g, text);
            return t.finish();
        }
        if (!alarm && heard != null && router.examplesSuggestDanger(heard)) {
            // The example model alone suspects danger while staff have the chat: never silence.
            flows.common().globals().stream().filter(g -> CONCERN.equals(g.name())).findFirst().ifPresent(g -> {
                t.status = Status.BOT;
                if (sinceClosedAlarm(t)) {
                    startAfterAlarm(t, AFTER_ALARM_UNSURE_NODE, heard, true);
                } else {
                    startCheck(t, g, heard, true);
                }
            });
            if (t.status == Status.BOT) {
                return t.finish();
            }
        }
        if (alarm && heard != null && SELF_HARM_CHILD.equals(t.fields.get(ALARM_KIND)) && childGone(heard)) {
            // A parent whose child, at risk of self-harm, has since run off or shut themselves in ("她跑出去了 找不到
            // 人", "把门反锁了"): the critical path at once (find the child, 110), not a routine acknowledgement.
            t.status = Status.BOT;
            t.switchTo(URGENT, CHILD_ALONE_NODE);
            return t.finish();
        }
        if (alarm && heard != null && reporterAfraid(t, heard)) {
            // Someone who reported a child's harm fears being found out ("他要是知道是我说的 会不会来找我麻烦"):
            // their fear is answered (we keep who reported secret), not with the crisis hotline.
            t.say(flows.common().text("reporter_fear"));
            return t.finish();
        }
        if (alarm) {
            // An alarm is open: every message is acknowledged, and no office hours are promised.
            t.say(flows.common().text("urgent_ack"));
            return t.finish();
        }
        boolean command = (heard != null && global(heard).map(g -> REMINDED.contains(g.name())).orElse(false))
                || input instanceof Input.MenuClick;
        String hint = flows.common().text("escalated_hint");
        if (command && !hint.isBlank()) {
            t.say(hint);
        }
        return t.finish();
    }

    /**
     * A question the urgent flow asks after the police question while a child-harm alarm is open (where the child
     * is): the answer is written down as said, but new danger in it ("现在还在打 孩子叫救命") gets the numbers at
     * once and raises the alarm to critical, as it does once staff have the chat; and the reporter's fear of being
     * found out is answered (保密) before the question is asked again.
     *
     * @return whether the message was handled here (not to be read as the answer)
     */
    private boolean alarmFollowUp(Turn t, Heard heard) {
        FlowNode n = t.currentNode();
        if (!URGENT.equals(t.flow) || t.escalation == null || !t.escalation.alarm() || n == null || n.ask() == null
                || POLICE_NODE.equals(n.id()) || !n.ask().accepts(FlowNode.AskType.TEXT)
                || !"harm".equals(t.fields.get(ALARM_KIND))) {
            return false;
        }
        boolean danger = flows.common().globals().stream()
                .anyMatch(g -> isDanger(g) && !CONCERN.equals(g.name()) && g.matches(heard));
        if (danger) {
            t.say(flows.common().text("danger_again_child"));
            t.raiseEscalation(ConversationState.Escalation.Level.CRITICAL, flows.common().text("reason_danger_again"));
            return false;
        }
        if (reporterAfraid(t, heard)) {
            t.say(flows.common().text("reporter_fear"));
            t.say(t.prompt(n));
            return true;
        }
        return false;
    }

    /**
     * On a child-harm alarm, words of the police question's "afraid" option (知道是我, 报复, 找我麻烦) said in
     * a sentence, not a bare number.
     */
    private boolean reporterAfraid(Turn t, Heard heard) {
        if (!"harm".equals(t.fields.get(ALARM_KIND))) {
            return false;
        }
        Flow urgent = flows.flow("urgent");
        FlowNode police = urgent == null ? null : urgent.node(POLICE_NODE);
        if (police == null || police.ask() == null) {
            return false;
        }
        List<FlowNode.Option> options = police.ask().options();
        return AnswerReader.choiceWord(options, heard.simplified()).isPresent()
                && AnswerReader.choice(options, heard.simplified()).map(o -> AFRAID.equals(o.value())).orElse(false);
    }

    /**
     * The menu asked for while an alarm is open (菜单 or 结束人工 at "你现在安全吗" or after it): the alarm stays
     * with staff, and the person is told so rather than shown a bare menu that looks like the end of it.
     */
    private void alarmStillOpen(Turn t) {
        if (t.escalation != null && t.escalation.alarm()) {
            t.say(flows.common().text("left_staff_urgent"));
        }
    }

    /** urgent.yaml's node for a child at risk with no adult near or not to be found (critical). */
    static final String CHILD_ALONE_NODE = "child-alone";
    /** Words of a child who has gone or shut themselves away, said by a parent after the alarm. */
    private static final List<String> CHILD_GONE = List.of("找不到", "跑出去", "跑了", "不见了", "联系不上", "不接电话",
            "锁在", "反锁", "门锁了", "锁了门", "把门锁", "关在房间", "关在屋", "离家出走", "出走");

    private static boolean childGone(Heard heard) {
        String s = heard.compact();
        return CHILD_GONE.stream().anyMatch(s::contains);
    }

    /** The urgent flow's police question and its option for a reporter afraid to report. */
    static final String POLICE_NODE = "police";
    static final String AFRAID = "afraid";

    /** The intent of common.yaml that ends a chat with staff from the person's side. */
    static final String LEAVE_STAFF = "leave_staff";
    /** The menu word of common.yaml. */
    static final String MENU = "menu";
    /** Words that, while staff have the chat, get a reminder rather than silence. */
    private static final java.util.Set<String> REMINDED = java.util.Set.of("menu", "cancel", "human", "back");

    private void handleGlobal(Turn t, Common.GlobalIntent g, Heard heard, boolean atRest) {
        String text = heard.raw();
        if (AFTER_ALARM_INTENT.equals(g.name())) {
            startAfterAlarm(t, g.node().target(), heard, atRest);
            return;
        }
        if (AFRAID_OF_POLICE.equals(g.name())) {
            enterAlarmNode(t, g.node().target());
            return;
        }
        if (CONCERN.equals(g.name())) {
            startCheck(t, g, heard, atRest);
            return;
        }
        Flow open = t.currentFlow();
        FlowNode.Ref own = atRest || open == null ? null : open.on(g.name());
        if (own != null) {
            t.enter(own.target(), false);
            return;
        }
        String name = g.name().startsWith(PAPERS + "_") ? PAPERS : g.name();
        switch (name) {
            case "cancel" -> {
                Flow f = t.currentFlow();
                boolean inFlow = !atRest && f != null && !f.id().equals("menu");
                if (!inFlow && t.escalation != null && t.escalation.alarm()) {
                    // 算了 or 取消 with an alarm open withdraws nothing: acknowledged for staff, with the numbers.
                    t.say(flows.common().text("urgent_ack"));
                } else {
                    t.say(flows.common().text(inFlow ? "cancelled" : "nothing_to_cancel"));
                    alarmStillOpen(t);
                }
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
            case GREETING -> {
                // "在吗" in the middle of a question: yes, we are here; the question again, nothing lost.
                if (!atRest && t.waiting()) {
                    t.say(t.prompt(t.currentNode()));
                } else {
                    startGlobal(t, g, text);
                }
            }
            case PAPERS -> {
                // Answered where it is asked: the question that was open is asked again after the list.
                // "papers_police" (户口 at the police station) says its own text: not ours to list.
                t.say(flows.common().text(g.name()));
                if (!atRest) {
                    t.say(t.prompt(t.currentNode()));
                } else {
                    t.switchTo("menu", null);
                }
            }
            default -> {
                if (MENU.equals(g.name()) || LEAVE_STAFF.equals(g.name())) {
                    alarmStillOpen(t);
                }
                startGlobal(t, g, text);
            }
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
        String node = g.node() == null ? null : g.node().target();
        boolean childAlarm = t.escalation != null && t.escalation.alarm() && SELF_HARM_CHILD.equals(t.fields.get(ALARM_KIND));
        if (node != null && (SELF_HARM.equals(g.name()) || SELF_HARM_NOW.equals(g.name()))
                && (aboutOwnChild(text) || childAlarm) && flows.flow(target).node(node + CHILD_SUFFIX) != null) {
            // "我孩子说不想活了": the questions are about the child, not about the parent's own safety.
            node = node + CHILD_SUFFIX;
        }
        if (DANGER.equals(g.name()) && node == null && harmToWriter(text) && !aboutOwnChild(text)
                && flows.flow(target).node(ALERT_SELF_NODE) != null) {
            // "我爸喝醉了又打我": the one being hurt is writing — spoken to as such, not asked whether they called
            // the police for "the child".
            node = ALERT_SELF_NODE;
        }
        if ("menu".equals(target) && ChineseText.isEnglish(text)) {
            t.say(flows.common().text("english"));
        }
        if (URGENT.equals(target) && text != null && ChineseText.isEnglish(text)
                && !flows.common().text("english_urgent").isBlank()) {
            // "I want to die": the numbers in the words it was written in, before the Chinese.
            t.say(flows.common().text("english_urgent"));
        }
        if ("menu".equals(target)) {
            t.switchTo(target, g.node() == null ? null : g.node().target());
            return;
        }
        t.flow = target;
        t.history.clear();
        t.attempts = 0;
        t.enter(node == null ? flows.flow(target).start() : node, false);
    }

    /**
     * Someone telling of their own child or grandchild ("我孩子说", "我女儿她", "孩子跟我说"): a parent's report,
     * not the writer's own wish. A child writing about themselves rarely says "我孩子"; "我是学生" is no such
     * phrase, so a teenager still gets "你现在安全吗".
     */
    static boolean aboutOwnChild(String text) {
        if (text == null) {
            return false;
        }
        String c = TextNormalizer.compact(text);
        for (String p : OWN_CHILD) {
            if (c.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** urgent.yaml's start for harm told by the one it is done to. */
    static final String ALERT_SELF_NODE = "alert-self";

    /** Harm done to the writer ("他打我", "我被打", "不给我饭吃"), as a child or a battered mother writes it. */
    static boolean harmToWriter(String text) {
        if (text == null) {
            return false;
        }
        String c = TextNormalizer.compact(text);
        return HARM_TO_ME.stream().anyMatch(c::contains);
    }

    private static final List<String> HARM_TO_ME = List.of("打我", "揍我", "踢我", "掐我", "抽我", "虐待我", "欺负我",
            "性侵我", "摸我", "强奸我", "我被打", "我被揍", "我被虐待", "我被性侵", "我被关", "把我关", "把我锁",
            "不给我饭", "不让我吃饭", "打死我", "杀了我", "要杀我", "砍我", "烫我", "拿烟头烫",
            "hitsme", "hitme", "beatsme", "beatme", "hurtsme", "hurtme", "abusesme", "kicksme", "touchesme");

    private static final List<String> OWN_CHILD = List.of("我孩子", "我的孩子", "我家孩子", "我们家孩子", "我家娃",
            "我儿子", "我女儿", "我闺女", "我孙子", "我孙女", "我外孙", "我家小孩", "我小孩", "孩子说", "孩子跟我说",
            "孩子总说", "孩子老说", "孩子天天说", "儿子说", "女儿说", "闺女说", "娃说", "孩子他说", "孩子她说",
            "孙子说", "孙女说", "外孙说", "外孙女说", "孙子跟我说", "孙女跟我说", "小孩说", "孩子经常说", "孩子最近说",
            "孩子一直说", "孩子有时候说", "孩子跟我讲", "孩子讲");

    /**
     * Recognition is unsure: ask gently whether the person (or the child the message is about) is safe, and
     * tell staff with lower priority (the check node escalates). A question that was open is asked again
     * once the person says they are safe.
     */
    private void startCheck(Turn t, Common.GlobalIntent g, Heard heard, boolean atRest) {
        if (!atRest && t.waiting() && !"menu".equals(t.flow) && !g.flow().target().equals(t.flow)) {
            t.stack.add(new ConversationState.Frame(t.flow, t.node));
        } else {
            t.stack.clear();
        }
        t.fields.put("trigger_text", heard.raw() == null ? "" : heard.raw().strip());
        String reason = flows.common().texts().get("reason_" + g.name());
        if (reason != null) {
            t.fields.put("handoff_reason", reason);
        }
        String node = g.node() == null ? null : g.node().target();
        Flow target = flows.flow(g.flow().target());
        boolean aboutAChild = mentionsChild(heard) || "director".equals(t.lookup("role"))
                || "supervisor".equals(t.lookup("role"));
        if (node != null && aboutAChild && target.node(node + CHILD_SUFFIX) != null) {
            // A director or supervisor writes about the children they visit, not about themselves.
            node = node + CHILD_SUFFIX;
        }
        t.flow = target.id();
        t.history.clear();
        t.attempts = 0;
        t.enter(node == null ? target.start() : node, false);
    }

    /** The variant of a check node asked about a child ("孩子现在安全吗？") rather than the person. */
    static final String CHILD_SUFFIX = "-child";

    /** Whether the message speaks of a child (the danger words' {@code child} group). */
    private boolean mentionsChild(Heard heard) {
        return flows.common().globals().stream().filter(g -> DANGER.equals(g.name())).findFirst()
                .map(g -> g.combinations().compiled().groups().get("child"))
                .map(l -> l != null && l.foundIn(heard.compact())).orElse(false);
    }

    /** A first message this long tells a story: flows may keep it ({first_message}) instead of asking again. */
    static final int STORY_LENGTH = 20;

    private void startRouted(Turn t, Route r, String text) {
        t.clearConversation();
        if (ChineseText.isEnglish(text)) {
            t.say(flows.common().text("english"));
        }
        t.fields.putAll(r.presets());
        if (text != null && TextNormalizer.compact(text).length() >= STORY_LENGTH) {
            t.fields.put("first_message", text.strip());
        }
        rememberPhone(t, text);
        Flow target = flows.flow(r.flow());
        answeredAlready(t, target, text);
        // Understood from the example messages alone (a weaker sign than words): a flow with a node named
        // "confirm-guess" asks first, so that "电话没变" does not hand anybody to staff unasked.
        if (r.byExamples() && target != null && target.node(CONFIRM_NODE) != null) {
            t.switchTo(r.flow(), CONFIRM_NODE);
            return;
        }
        t.switchTo(r.flow(), null);
    }

    /**
     * A code said with the words that started the flow ("绑定 123456") is not asked for again: a question of
     * the flow with a {@code pattern} and {@code skip_if_known} takes the part of the message that matches.
     */
    private static void answeredAlready(Turn t, Flow target, String text) {
        if (target == null || text == null) {
            return;
        }
        String plain = java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC);
        for (FlowNode n : target.nodes().values()) {
            Ask a = n.ask();
            if (a != null && a.pattern() != null && a.skipIfKnown() && a.field() != null && !t.fields.containsKey(a.field())) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(a.pattern()).matcher(plain);
                if (m.find()) {
                    t.fields.put(a.field(), m.group());
                }
            }
        }
    }

    /** A mobile number written in a story ("我电话139…") is kept, so that it is not asked for again. */
    private static void rememberPhone(Turn t, String text) {
        if (text != null && !t.fields.containsKey(PHONE)) {
            AnswerReader.mobileIn(text).ifPresent(p -> t.fields.put(PHONE, p));
        }
    }

    /** The field a phone question fills in the shipped flows. */
    static final String PHONE = "phone";

    /** See {@link #startRouted}: the node a flow may have to confirm a guess made from examples. */
    static final String CONFIRM_NODE = "confirm-guess";

    private void answer(Turn t, Input input, Heard heard) {
        FlowNode n = t.currentNode();
        Ask ask = n.ask();
        String text = heard == null ? null : heard.raw();
        if (text != null && text.isBlank()) {
            // An empty message (a stray tap of send, spaces) is no wrong answer: the question again, as it was
            // asked, and no try counted towards handing the person over. (An emoji alone is an answer we cannot
            // read: the retry.)
            t.say(t.prompt(n));
            return;
        }
        // At a routing question (the menu) a sentence is read by meaning before option labels, so that
        // "我想申请帮助，孩子看病没钱" also presets the need; a bare number is always the option.
        if (ask.route() && text != null && TextNormalizer.choiceNumber(text).isEmpty()) {
            Route r = router.route(heard);
            if (r.found()) {
                startRouted(t, r, text);
                return;
            }
        }
        // Options, yes/no and dates are read in simplified characters; free text is kept as written.
        Input read = heard == null ? input : new Input.Text(heard.simplified());
        Optional<AnswerReader.Answer> a = ask.accepts(FlowNode.AskType.CHILD) ? t.pickChild(ask, text)
                : Optional.empty();
        if (a.isEmpty()) {
            a = reader.read(ask, read, text, t.fields, t.today());
        }
        if (a.isPresent()) {
            if (ask.main() == FlowNode.AskType.TEXT) {
                rememberPhone(t, text);
            }
            t.answered(a.get());
            return;
        }
        if (MENU.equals(t.flow) && sinceClosedAlarm(t)) {
            // No choice at the menu days after an alarm ("嗯", "他…", a photo): asked whether they are safe.
            startAfterAlarm(t, AFTER_ALARM_UNSURE_NODE, heard, false);
            return;
        }
        if (MENU.equals(t.flow) && t.escalation != null && t.escalation.alarm()) {
            // At the menu while an alarm is open (after 菜单 or 结束人工): what is no choice ("不用了", "还在吗") is
            // said to staff, not a wrong answer — acknowledged with the numbers, as while staff have the chat,
            // never "没看明白".
            t.say(flows.common().text("urgent_ack"));
            return;
        }
        int tries = t.attempts + 1;
        // A question that falls back on itself is simply asked again (a director's checklist: the offer of a
        // person there is a trap for someone answering "1" for the first option).
        boolean again = ask.fallback() != null && ask.fallback().target().equals(n.id());
        if (again && tries >= ask.tries()) {
            tries = 0;
        } else if (tries >= ask.tries()) {
            fallback(t, ask);
            return;
        }
        String retry = ask.retry() != null ? ask.retry().text() : flows.common().text("retry");
        if (ask.future() != null && ask.accepts(FlowNode.AskType.DATE) && heard != null
                && AnswerReader.pastDate(heard.simplified(), t.today()).filter(d -> d.isAfter(t.today())).isPresent()) {
            // A date that lies ahead where only a past one makes sense (a visit): say why it is refused.
            retry = ask.future().text();
        }
        String notHere = flows.common().text("media_not_here");
        if (input instanceof Input.Media && !notHere.isBlank()) {
            // A voice note or photo where words are needed: say so, rather than "we did not understand".
            retry = notHere;
        }
        if (text != null && ChineseText.isEnglish(text)) {
            retry = flows.common().text("english") + "\n" + retry;
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
        if (t.waiting()) {
            // Declining the offer of a person goes back to the question: what was filled in is not lost.
            t.stack.add(new ConversationState.Frame(t.flow, t.node));
        }
        t.flow = flowId;
        t.history.clear();
        t.enter(node == null ? flows.flow(flowId).start() : node.target(), false);
    }
}
