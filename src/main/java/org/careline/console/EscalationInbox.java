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
                String claimKey, Map<String, String> staff, String lastMessage, String triggerText,
                String newestLine, Instant dueAt) {

        /** The same chat with who handles it as read again (after a claim). */
        Item withStaff(Map<String, String> handling) {
            return new Item(id, openid, state, escalation, claimKey, claimKey.equals(handling.get("openedAt"))
                    ? handling : Map.of(), lastMessage, triggerText, newestLine, dueAt);
        }

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
                    .put("triggerText", triggerText)
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
            return new Item(id, openid, state, esc, claimKey, mine, lastUserText(lines), triggerText(lines, esc, state),
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

    /** The item with who handles it as it is now (the claim's time included). */
    Future<Item> reread(Item item) {
        return store.staffHandling(item.openid()).map(item::withStaff);
    }

    /** The chats {@code username} has, given back to the unassigned queue (their account was disabled). */
    Future<Integer> release(String username) {
        return all().compose(items -> {
            List<Future<Boolean>> each = new ArrayList<>();
            items.stream().filter(i -> username.equals(i.assignee()))
                    .forEach(i -> each.add(store.releaseForStaff(i.openid(), username)));
            return Future.all(each).map(all -> (int) all.list().stream().filter(Boolean.TRUE::equals).count());
        });
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
                ? reread(item)
                : claimFirst(waiting, index + 1, username));
    }

    /**
     * The person's last meaningful words: their latest line that is not a bare menu answer or command
     * ({@code 2}, 菜单, 结束人工), else their latest line. Staff's and the bot's lines never count.
     */
    static String lastUserText(List<String> lines) {
        String anyLine = null;
        for (int i = lines.size() - 1; i >= 0; i--) {
            JsonObject line = new JsonObject(lines.get(i));
            if (!"user".equals(line.getString("from")) || line.getString("text") == null) {
                continue;
            }
            String text = line.getString("text");
            if (!bare(text)) {
                return maskNumbers(text);
            }
            if (anyLine == null) {
                anyLine = text;
            }
        }
        return maskNumbers(anyLine);
    }

    /**
     * {@link #triggerText(List, ConversationState.Escalation)}, or, when the opening line is older than the lines
     * read for the inbox (a long chat since), the words the engine kept when the alarm's path began.
     */
    static String triggerText(List<String> lines, ConversationState.Escalation esc, ConversationState state) {
        String fromLines = triggerText(lines, esc);
        if (fromLines != null || state == null || state.fields() == null) {
            return fromLines;
        }
        String kept = state.fields().get("trigger_text");
        return kept == null || kept.isBlank() || bare(kept) ? null : maskNumbers(kept);
    }

    /** What the person wrote when the escalation opened: their latest line at or before its start. */
    static String triggerText(List<String> lines, ConversationState.Escalation esc) {
        if (esc.openedAt() == null) {
            return null;
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            JsonObject line = new JsonObject(lines.get(i));
            String at = line.getString("at");
            if ("user".equals(line.getString("from")) && at != null && line.getString("text") != null
                    && !Instant.parse(at).isAfter(esc.openedAt()) && !bare(line.getString("text"))) {
                return maskNumbers(line.getString("text"));
            }
        }
        return null;
    }

    /** A menu choice ("2", "A") or a command that says nothing about the person's situation. */
    static boolean bare(String text) {
        String t = text.strip();
        return MENU_CHOICE.matcher(t).matches() || COMMANDS.contains(t.toLowerCase(java.util.Locale.ROOT))
                || t.startsWith("[") && t.endsWith("]");
    }

    private static final Pattern MENU_CHOICE = Pattern.compile("[0-9A-Za-z]{1,2}[.、]?");
    /** The exact-match commands of conversation-flows/common.yaml (menu, leave_staff, human, cancel, back). */
    private static final java.util.Set<String> COMMANDS = java.util.Set.of(
            "菜单", "主菜单", "帮助", "目录", "首页", "开始", "返回主菜单", "回主菜单", "回到菜单", "menu", "help",
            "结束人工", "退出人工", "结束人工服务", "不用人工了", "回到机器人", "回到自动服务",
            "转人工", "人工客服", "人工服务", "人工", "客服", "真人",
            "取消", "退出", "算了", "结束", "返回", "上一步", "上一题",
            // Short answers to the bot's yes/no questions (the handover's 是的 is not why the alarm was raised).
            "是", "否", "好", "好的", "嗯", "对", "不是", "是的", "是啊", "是呀", "嗯嗯", "嗯呢", "对的", "对啊", "对呀",
            "好呀", "好吧", "好啊", "行", "可以", "ok", "okay", "yes", "no", "要", "需要", "不要", "不用", "不需要",
            "没有", "没", "有", "同意", "不同意", "确认", "不对");

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
