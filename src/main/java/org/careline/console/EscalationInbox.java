package org.careline.console;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.careline.conversation.ConversationStore;
import org.careline.flow.ConversationState;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The chats handed to staff, as the console lists them: in the staff queue's order (severity, then the
 * longest waiting), each with who has it, its first-response deadline and WeChat's 48-hour window. People
 * are named by a pseudonymous console id, never by openid.
 */
final class EscalationInbox {

    /** WeChat accepts customer-service messages for 48 hours after the person's last message (DESIGN §4). */
    static final Duration WINDOW = Duration.ofHours(48);
    /** The staff queue is listed this far: more open chats than this is a matter for the bureau, not a list. */
    static final int MAX_LISTED = 200;
    /** Phone and ID numbers inside a message preview (a list shows them masked). */
    private static final Pattern LONG_NUMBER = Pattern.compile("\\d{7,}[\\dXx]?");
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private final ConversationStore store;
    private final FirstResponseTarget target;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    EscalationInbox(ConversationStore store, FirstResponseTarget target, Clock clock) {
        this.store = store;
        this.target = target;
        this.clock = clock;
    }

    /**
     * One open chat. {@code escalation} is the state's, or (a chat queued by an older version without a
     * record) an ordinary request for staff since its last change.
     */
    record Item(String id, String openid, ConversationState state, ConversationState.Escalation escalation,
                String claimKey, Map<String, String> staff, String lastMessage, String newestLine, Instant dueAt) {

        String assignee() {
            return staff.get("assignee");
        }

        Instant windowOpenUntil() {
            return escalation.lastMessageAt() == null ? null : escalation.lastMessageAt().plus(WINDOW);
        }

        boolean windowOpen(Instant now) {
            Instant until = windowOpenUntil();
            return until != null && now.isBefore(until);
        }

        boolean urgent() {
            return escalation.urgent();
        }

        /** What the live view compares to see that a chat changed. */
        String fingerprint() {
            return escalation.level() + "|" + escalation.lastMessageAt() + "|" + assignee() + "|"
                    + staff.get("firstReplyAt") + "|" + staff.get("policeReportAt") + "|"
                    + (newestLine == null ? 0 : newestLine.hashCode());
        }

        JsonObject json(Instant now) {
            String firstReply = staff.get("firstReplyAt");
            JsonObject police = staff.containsKey("policeReportNumber") ? new JsonObject()
                    .put("reportNumber", staff.get("policeReportNumber")).put("recordedBy", staff.get("policeReportBy"))
                    .put("recordedAt", staff.get("policeReportAt")) : null;
            return new JsonObject()
                    .put("id", id)
                    .put("urgent", urgent())
                    .put("level", escalation.level().name().toLowerCase(java.util.Locale.ROOT))
                    .put("reason", escalation.reason())
                    .put("waitingSince", str(escalation.openedAt()))
                    .put("lastMessage", lastMessage)
                    .put("lastMessageAt", str(escalation.lastMessageAt()))
                    .put("assignee", assignee())
                    .put("claimedAt", staff.get("claimedAt"))
                    .put("windowOpenUntil", str(windowOpenUntil()))
                    .put("windowOpen", windowOpen(now))
                    .put("dueAt", str(dueAt))
                    .put("firstReplyAt", firstReply)
                    .put("overdue", firstReply == null && dueAt != null && now.isAfter(dueAt))
                    .put("status", state.status() == null ? "bot" : state.status().name().toLowerCase(java.util.Locale.ROOT))
                    .put("policeReport", police);
        }
    }

    /** Every open chat in queue order. */
    Future<List<Item>> all() {
        return store.openEscalations(MAX_LISTED).compose(open -> {
            List<Future<Item>> each = new ArrayList<>();
            for (ConversationStore.OpenEscalation e : open) {
                each.add(item(e.openid(), e.state(), e.lastLines()));
            }
            return Future.all(each).map(all -> {
                List<Item> out = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    Item item = all.resultAt(i);
                    if (item != null) {
                        out.add(item);
                    }
                }
                return out;
            });
        });
    }

    /** One person's chat as listed, or null when nothing is open for staff. */
    Future<Item> item(String openid, ConversationState state, List<String> lines) {
        ConversationState.Escalation esc = escalationOf(state);
        if (esc == null) {
            return Future.succeededFuture(null);
        }
        String claimKey = claimKey(state);
        return store.staffHandling(openid).compose(staff -> store.consoleId(openid, newId()).map(id -> {
            Map<String, String> mine = claimKey.equals(staff.get("openedAt")) ? staff : Map.of();
            Instant since = esc.openedAt() == null ? clock.instant() : esc.openedAt();
            return new Item(id, openid, state, esc, claimKey, mine, lastUserText(lines),
                    lines.isEmpty() ? null : lines.get(lines.size() - 1), target.due(esc, since));
        }));
    }

    /** The open escalation, or for a chat with staff queued by an older version, a request for staff. */
    static ConversationState.Escalation escalationOf(ConversationState s) {
        if (s == null) {
            return null;
        }
        if (s.escalation() != null) {
            return s.escalation();
        }
        if (s.status() == ConversationState.Status.ESCALATED) {
            String reason = s.fields() == null ? null : s.fields().get("handoff_reason");
            return new ConversationState.Escalation(ConversationState.Escalation.Level.STAFF, reason, s.updatedAt(),
                    s.updatedAt());
        }
        return null;
    }

    /** Which escalation a claim is for: a claim of the person's previous one does not count. */
    static String claimKey(ConversationState s) {
        return s.escalation() != null && s.escalation().openedAt() != null ? s.escalation().openedAt().toString()
                : "escalated";
    }

    /** Claims the chat for {@code username}; answers who has it afterwards. */
    Future<String> claim(Item item, String username, boolean takeOver) {
        return store.claimForStaff(item.openid(), username, item.claimKey(), clock.instant(), takeOver);
    }

    /** Claims the most urgent, longest-waiting unassigned chat; null when none waits. */
    Future<Item> next(String username) {
        return all().compose(items -> claimFirst(items.stream().filter(i -> i.assignee() == null).toList(), 0, username));
    }

    private Future<Item> claimFirst(List<Item> waiting, int index, String username) {
        if (index >= waiting.size()) {
            return Future.succeededFuture(null);
        }
        Item item = waiting.get(index);
        // A colleague may take the same chat at the same moment: the claim is atomic, the loser tries the next.
        return claim(item, username, false).compose(who -> who.equals(username)
                ? Future.succeededFuture(item)
                : claimFirst(waiting, index + 1, username));
    }

    private static String lastUserText(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            JsonObject line = new JsonObject(lines.get(i));
            if ("user".equals(line.getString("from"))) {
                return maskNumbers(line.getString("text"));
            }
        }
        return null;
    }

    /** 13812345678 → 138****5678 in a preview; the conversation view shows the text as written. */
    static String maskNumbers(String text) {
        if (text == null) {
            return null;
        }
        return LONG_NUMBER.matcher(text).replaceAll(m -> {
            String n = m.group();
            return n.substring(0, 3) + "*".repeat(n.length() - 7) + n.substring(n.length() - 4);
        });
    }

    private String newId() {
        StringBuilder b = new StringBuilder("c");
        for (int i = 0; i < 14; i++) {
            b.append(ID_ALPHABET[random.nextInt(ID_ALPHABET.length)]);
        }
        return b.toString();
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }
}
