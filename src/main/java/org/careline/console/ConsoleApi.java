package org.careline.console;

import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.careline.conversation.ConversationService;
import org.careline.conversation.ConversationStore;
import org.careline.conversation.SystemTexts;
import org.careline.flow.ConversationState;
import org.careline.privacy.Redaction;
import org.careline.wechat.WeChatApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code /console/api/*}: what the console page uses (contract in DESIGN §3). Every call needs a session
 * (401 without), every state change the session's {@code X-CSRF-Token} (403 without); account, canned-reply
 * and audit administration is admin's, the whole team's queue and reassigning a supervisor's (403 else).
 */
final class ConsoleApi {

    private static final Logger log = LoggerFactory.getLogger(ConsoleApi.class);
    static final String COOKIE = "careline_console";
    static final String STAFF = "console.staff";
    /** One customer-service message: WeChat refuses more than about 2,000 bytes (45002). */
    static final int MAX_TEXT = 600;
    private static final DateTimeFormatter NOTICE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    /** What the API needs from configuration. */
    record Settings(boolean cookieSecure, long cookieMaxAgeSeconds, String noticeTemplateId, ZoneId zone,
                    String officeHours) {}

    private final StaffAccounts accounts;
    private final EscalationInbox inbox;
    private final ConversationStore conversationsStore;
    private final ConversationService conversations;
    private final WeChatApi wechat;
    private final ConsoleStore store;
    private final CannedReplies canned;
    private final ConsoleEvents events;
    private final Clock clock;
    private final Settings settings;
    private final KeptMedia media;
    private final SystemTexts texts;
    /** The chat each session last opened: a live refresh of it is not another opening in the audit log. */
    private final Map<String, String> opened = new java.util.concurrent.ConcurrentHashMap<>();

    ConsoleApi(StaffAccounts accounts, EscalationInbox inbox, ConversationStore conversationsStore,
               ConversationService conversations, WeChatApi wechat, ConsoleStore store, CannedReplies canned,
               ConsoleEvents events, Clock clock, Settings settings, KeptMedia media) {
        this.media = media;
        this.accounts = accounts;
        this.inbox = inbox;
        this.conversationsStore = conversationsStore;
        this.conversations = conversations;
        this.wechat = wechat;
        this.store = store;
        this.canned = canned;
        this.events = events;
        this.clock = clock;
        this.settings = settings;
        this.texts = new SystemTexts();
    }

    void mount(Router router) {
        router.post("/console/api/session").handler(this::signIn);
        router.route("/console/api/*").handler(this::authenticate);
        router.get("/console/api/me").handler(this::me);
        router.delete("/console/api/session").handler(this::signOut);
        router.post("/console/api/sign-out-everywhere").handler(this::signOutEverywhere);
        router.get("/console/api/inbox").handler(this::inbox);
        router.get("/console/api/events").handler(events::subscribe);
        router.post("/console/api/next").handler(this::next);
        router.get("/console/api/conversations/:id").handler(ctx -> chat(ctx, this::conversation));
        router.get("/console/api/conversations/:id/media/:file").handler(ctx -> chat(ctx, this::media));
        // Claiming a colleague's chat is answered 409 by the claim itself, like a race lost.
        router.post("/console/api/conversations/:id/claim").handler(ctx -> chat(ctx, this::claim, true));
        router.post("/console/api/conversations/:id/assign").handler(role(StaffRole.SUPERVISOR))
                .handler(ctx -> chat(ctx, this::assign));
        router.post("/console/api/conversations/:id/reply").handler(ctx -> chat(ctx, this::reply));
        router.post("/console/api/conversations/:id/notice").handler(ctx -> chat(ctx, this::notice));
        router.post("/console/api/conversations/:id/note").handler(ctx -> chat(ctx, this::note));
        router.post("/console/api/conversations/:id/reveal").handler(ctx -> chat(ctx, this::reveal));
        // A report must never be lost: whoever on staff made it records it, whoever has the chat.
        router.post("/console/api/conversations/:id/police-report").handler(ctx -> chat(ctx, this::policeReport, true));
        router.post("/console/api/conversations/:id/resolve").handler(ctx -> chat(ctx, this::resolve));
        router.get("/console/api/canned-replies").handler(this::cannedReplies);
        router.put("/console/api/canned-replies").handler(role(StaffRole.ADMIN)).handler(this::saveCannedReplies);
        router.get("/console/api/staff").handler(role(StaffRole.SUPERVISOR)).handler(this::staffList);
        router.get("/console/api/accounts").handler(role(StaffRole.ADMIN)).handler(this::accountList);
        router.post("/console/api/accounts").handler(role(StaffRole.ADMIN)).handler(this::createAccount);
        router.post("/console/api/accounts/:username/disable").handler(role(StaffRole.ADMIN)).handler(this::disable);
        router.post("/console/api/accounts/:username/password").handler(role(StaffRole.ADMIN)).handler(this::password);
        router.get("/console/api/audit").handler(role(StaffRole.ADMIN)).handler(this::audit);
        router.get("/console/api/audit.csv").handler(role(StaffRole.ADMIN)).handler(this::auditCsv);
        router.route("/console/api/*").handler(ctx -> refuse(ctx, 404, "not_found", "没有这个接口"));
    }

    // ---- sessions ----

    private void signIn(RoutingContext ctx) {
        // A JSON body only: a cross-site form cannot send one without a CORS preflight we never grant.
        String type = ctx.request().getHeader("Content-Type");
        JsonObject in = type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json") ? json(ctx) : null;
        if (in == null) {
            refuse(ctx, 400, "bad_request", "请求格式不对");
            return;
        }
        String address = ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().host();
        accounts.signIn(in.getString("username"), in.getString("password"), address).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            StaffAccounts.SignIn result = ar.result();
            switch (result.outcome()) {
                case LOCKED -> refuse(ctx, 429, "locked", "登录失败次数过多，请 15 分钟后再试，或请管理员重置密码");
                case REFUSED -> refuse(ctx, 401, "refused", "用户名或密码不对");
                case OK -> {
                    Cookie cookie = Cookie.cookie(COOKIE, result.sessionId()).setPath("/console").setHttpOnly(true)
                            .setSameSite(CookieSameSite.STRICT).setSecure(settings.cookieSecure())
                            .setMaxAge(settings.cookieMaxAgeSeconds());
                    ctx.response().addCookie(cookie);
                    ok(ctx, me(result.session()));
                }
            }
        });
    }

    private void authenticate(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(COOKIE);
        accounts.session(cookie == null ? null : cookie.getValue()).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            StaffSession s = ar.result();
            if (s == null) {
                refuse(ctx, 401, "signed_out", "请先登录");
                return;
            }
            HttpMethod m = ctx.request().method();
            if (m != HttpMethod.GET && m != HttpMethod.HEAD
                    && !StaffAccounts.sameToken(ctx.request().getHeader("X-CSRF-Token"), s.csrfToken())) {
                refuse(ctx, 403, "csrf", "缺少或错误的 X-CSRF-Token");
                return;
            }
            ctx.put(STAFF, s);
            ctx.next();
        });
    }

    private static io.vertx.core.Handler<RoutingContext> role(StaffRole needed) {
        return ctx -> {
            StaffSession s = ctx.get(STAFF);
            if (!s.role().atLeast(needed)) {
                refuse(ctx, 403, "role", "您的账号没有这个权限");
                return;
            }
            ctx.next();
        };
    }

    private void me(RoutingContext ctx) {
        ok(ctx, me(staff(ctx)));
    }

    private JsonObject me(StaffSession s) {
        return new JsonObject().put("username", s.username()).put("displayName", s.displayName())
                .put("role", s.role().id()).put("csrfToken", s.csrfToken())
                .put("noticeTemplate", !settings.noticeTemplateId().isEmpty())
                .put("officeHours", settings.officeHours());
    }

    private void signOut(RoutingContext ctx) {
        StaffSession s = staff(ctx);
        accounts.signOut(s).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            ctx.response().addCookie(Cookie.cookie(COOKIE, "").setPath("/console").setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setSecure(settings.cookieSecure()).setMaxAge(0));
            ok(ctx, new JsonObject().put("signedOut", true));
        });
    }

    private void signOutEverywhere(RoutingContext ctx) {
        StaffSession s = staff(ctx);
        accounts.signOutEverywhere(s.username()).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            log.info("console: '{}' signed out everywhere ({} sessions)", s.username(), ar.result());
            ok(ctx, new JsonObject().put("sessionsEnded", ar.result()));
        });
    }

    // ---- the inbox ----

    private void inbox(RoutingContext ctx) {
        StaffSession s = staff(ctx);
        String queue = ctx.request().getParam("queue", "unassigned");
        if (!List.of("unassigned", "mine", "all").contains(queue)) {
            refuse(ctx, 400, "bad_request", "queue 只能是 unassigned、mine 或 all");
            return;
        }
        if (queue.equals("all") && !s.role().atLeast(StaffRole.SUPERVISOR)) {
            refuse(ctx, 403, "role", "全部对话只有督导和管理员能看");
            return;
        }
        Future<Map<String, StaffAccount>> team = staffByName();
        inbox.all().compose(all -> team.map(all)).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            Instant now = clock.instant();
            Map<String, StaffAccount> names = team.result();
            JsonArray items = new JsonArray();
            int unassigned = 0;
            int mine = 0;
            for (EscalationInbox.Item item : ar.result()) {
                boolean isMine = s.username().equals(item.assignee());
                unassigned += item.assignee() == null ? 1 : 0;
                mine += isMine ? 1 : 0;
                boolean shown = switch (queue) {
                    case "unassigned" -> item.assignee() == null;
                    case "mine" -> isMine;
                    default -> true;
                };
                if (shown) {
                    items.add(named(item.json(now), names));
                }
            }
            ok(ctx, new JsonObject().put("queue", queue).put("now", now.toString()).put("items", items)
                    .put("counts", new JsonObject().put("unassigned", unassigned).put("mine", mine)
                            .put("all", ar.result().size())));
        });
    }

    private void next(RoutingContext ctx) {
        StaffSession s = staff(ctx);
        inbox.next(s.username()).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (ar.result() == null) {
                refuse(ctx, 404, "empty", "现在没有等待接手的对话");
                return;
            }
            EscalationInbox.Item item = ar.result();
            takeBack(item.openid(), item.state()).onComplete(v -> {
                events.changed();
                answerNamed(ctx, item, v.succeeded() ? "escalated" : null);
            });
        });
    }

    /** Every account by username, for the display names of assignees (and whether they are disabled). */
    private Future<Map<String, StaffAccount>> staffByName() {
        return accounts.accounts().map(all -> {
            Map<String, StaffAccount> out = new java.util.HashMap<>();
            all.forEach(a -> out.put(a.username(), a));
            return out;
        });
    }

    /** An item's JSON with its assignee's display name, and whether their account is disabled. */
    private static JsonObject named(JsonObject item, Map<String, StaffAccount> names) {
        String assignee = item.getString("assignee");
        StaffAccount a = assignee == null ? null : names.get(assignee);
        return item.put("assigneeName", assignee == null ? null : a == null ? assignee : a.displayName())
                .put("assigneeDisabled", assignee != null && (a == null || a.disabled()));
    }

    private void answerNamed(RoutingContext ctx, EscalationInbox.Item item) {
        answerNamed(ctx, item, null);
    }

    /** {@code status}: the conversation's status now, when this call changed it. */
    private void answerNamed(RoutingContext ctx, EscalationInbox.Item item, String status) {
        staffByName().onComplete(ar -> {
            JsonObject body = named(item.json(clock.instant()), ar.succeeded() ? ar.result() : Map.of());
            if (status != null) {
                body.put("status", status);
            }
            ok(ctx, body);
        });
    }

    // ---- one conversation ----

    /** The chat behind a console id, loaded, with the rule of who may see it applied. */
    private record Chat(String id, String openid, ConversationStore.Snapshot snapshot, EscalationInbox.Item item) {
        ConversationState state() {
            return snapshot.state();
        }
    }

    private void chat(RoutingContext ctx, BiConsumer<RoutingContext, Chat> then) {
        chat(ctx, then, false);
    }

    private void chat(RoutingContext ctx, BiConsumer<RoutingContext, Chat> then, boolean colleaguesToo) {
        StaffSession s = staff(ctx);
        String id = ctx.pathParam("id");
        conversationsStore.openidOfConsoleId(id).compose(openid -> openid == null ? Future.succeededFuture((Chat) null)
                : conversationsStore.load(openid).compose(snapshot -> conversationsStore.transcript(openid)
                        .compose(lines -> inbox.item(openid, snapshot.state(), lines)
                                .map(item -> new Chat(id, openid, snapshot, item))))).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            Chat chat = ar.result();
            if (chat == null || chat.state() == null) {
                refuse(ctx, 404, "not_found", "找不到这个对话（可能已被删除）");
                return;
            }
            // A caseworker works on the chats nobody has and on their own; a colleague's chat is the supervisor's.
            String assignee = chat.item() == null ? null : chat.item().assignee();
            if (!colleaguesToo && !s.role().atLeast(StaffRole.SUPERVISOR) && assignee != null
                    && !assignee.equals(s.username())) {
                refuse(ctx, 403, "not_yours", "这个对话已由 " + assignee + " 接手");
                return;
            }
            then.accept(ctx, chat);
        });
    }

    /**
     * A photo or voice note of the chat, served by CareLine (never a WeChat URL in the browser); only a file
     * this person sent, and every opening is audited like a transcript read.
     */
    private void media(RoutingContext ctx, Chat chat) {
        StaffSession s = staff(ctx);
        String file = ctx.pathParam("file");
        if (file == null || !file.matches("[0-9a-f]{32}")) {
            refuse(ctx, 404, "not_found", "没有这个文件");
            return;
        }
        media.of(chat.openid(), file).compose(kept -> kept == null ? Future.succeededFuture((KeptMedia.File) null)
                : audit(s, "view_media", chat.id(), file).map(kept)).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            KeptMedia.File kept = ar.result();
            if (kept == null) {
                refuse(ctx, 404, "not_found", "这个文件还没从微信取回，或已过保存期");
                return;
            }
            ctx.response().putHeader("Content-Type", kept.contentType())
                    .putHeader("Cache-Control", "private, no-store")
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .sendFile(kept.path().toString())
                    .onFailure(e -> {
                        if (!ctx.response().headWritten()) {
                            refuse(ctx, 404, "not_found", "文件已不在");
                        }
                    });
        });
    }

    private void conversation(RoutingContext ctx, Chat chat) {
        StaffSession s = staff(ctx);
        ConversationStore.Snapshot snap = chat.snapshot();
        // The page asks again at every live change of an open chat (refresh=1): one opening, one entry. A
        // refresh of a chat this session did not open is audited like an opening.
        boolean refresh = "1".equals(ctx.request().getParam("refresh")) && chat.id().equals(opened.get(s.idHash()));
        opened.put(s.idHash(), chat.id());
        Future<Map<String, StaffAccount>> team = staffByName();
        conversationsStore.transcript(chat.openid()).compose(lines -> (refresh ? Future.<Void>succeededFuture()
                : audit(s, "read_transcript", chat.id(), snap.cases().isEmpty() ? null : "cases " + String.join(",",
                snap.cases().stream().map(c -> c.caseId()).toList()))).map(v -> lines))
                .compose(lines -> team.otherwise(Map.of()).map(lines)).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            Instant now = clock.instant();
            ConversationState state = chat.state();
            JsonArray transcript = new JsonArray();
            for (String line : ar.result()) {
                JsonObject l = new JsonObject(line);
                transcript.add(new JsonObject().put("at", l.getString("at")).put("from", l.getString("from"))
                        .put("kind", l.getString("kind")).put("by", l.getString("by")).put("text", l.getString("text"))
                        .put("media", l.getString("media")).put("mediaKind", l.getString("mediaKind")));
            }
            JsonObject profile = new JsonObject()
                    .put("role", snap.profile().role())
                    .put("community", snap.profile().community())
                    .put("town", snap.profile().town())
                    .put("fields", ProfileCard.fields(null, state.fields(), settings.zone()));
            JsonArray cases = new JsonArray();
            snap.cases().forEach(c -> cases.add(new JsonObject().put("caseId", c.caseId()).put("kind", c.kind())
                    .put("status", c.status().name().toLowerCase(Locale.ROOT)).put("updatedAt", String.valueOf(c.updatedAt()))
                    .put("fields", ProfileCard.fields(c.caseId(), c.fields(), settings.zone()))));
            profile.put("cases", cases);
            JsonObject body = new JsonObject().put("id", chat.id()).put("now", now.toString())
                    .put("status", state.status() == null ? "bot" : state.status().name().toLowerCase(Locale.ROOT))
                    .put("open", chat.item() != null)
                    .put("noticeTemplate", !settings.noticeTemplateId().isEmpty())
                    .put("timeZone", settings.zone().getId())
                    .put("profile", profile).put("transcript", transcript);
            if (chat.item() != null) {
                body.put("escalation", named(chat.item().json(now), team.result() == null ? Map.of() : team.result()));
            }
            ok(ctx, body);
        });
    }

    private void reveal(RoutingContext ctx, Chat chat) {
        StaffSession s = staff(ctx);
        JsonObject in = json(ctx);
        String field = in == null ? null : in.getString("field");
        String caseId = in == null ? null : in.getString("caseId");
        if (field == null || field.isBlank()) {
            refuse(ctx, 400, "bad_request", "要查看哪一项？");
            return;
        }
        Map<String, String> fields = caseId == null ? chat.state().fields()
                : chat.snapshot().cases().stream().filter(c -> c.caseId().equals(caseId)).findFirst()
                .map(c -> c.fields()).orElse(null);
        String value = fields == null ? null : fields.get(field);
        if (value == null) {
            refuse(ctx, 404, "not_found", "没有这一项");
            return;
        }
        audit(s, "reveal", chat.id(), (caseId == null ? "" : caseId + ".") + field).onComplete(ar -> {
            if (ar.failed()) {
                // No record, no reveal: every look at a masked field must be traceable.
                ctx.fail(503, ar.cause());
                return;
            }
            ok(ctx, new JsonObject().put("field", field).put("caseId", caseId).put("value", value));
        });
    }

    private void claim(RoutingContext ctx, Chat chat) {
        StaffSession s = staff(ctx);
        if (chat.item() == null) {
            refuse(ctx, 409, "not_open", "这个对话已经交回机器人，不需要接手");
            return;
        }
        inbox.claim(chat.item(), s.username(), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (!ar.result().equals(s.username())) {
                refuse(ctx, 409, "claimed", "这个对话已由同事接手", new JsonObject().put("assignee", ar.result()));
                return;
            }
            takeBack(chat).compose(v -> inbox.reread(chat.item())).onComplete(read -> {
                if (read.failed()) {
                    ctx.fail(503, read.cause());
                    return;
                }
                events.changed();
                answerNamed(ctx, read.result(), "escalated");
            });
        });
    }

    private void assign(RoutingContext ctx, Chat chat) {
        JsonObject in = json(ctx);
        String to = in == null ? null : in.getString("to");
        if (chat.item() == null) {
            refuse(ctx, 409, "not_open", "这个对话已经交回机器人");
            return;
        }
        accounts.accounts().compose(all -> {
            boolean known = all.stream().anyMatch(a -> a.username().equals(to) && !a.disabled());
            return known ? inbox.claim(chat.item(), to, true) : Future.succeededFuture((String) null);
        }).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (ar.result() == null) {
                refuse(ctx, 400, "bad_request", "没有这个同事的账号，或账号已停用");
                return;
            }
            log.info("console: '{}' assigned chat {} to '{}'", staff(ctx).username(), chat.id(), to);
            takeBack(chat).compose(v -> inbox.reread(chat.item())).onComplete(read -> {
                if (read.failed()) {
                    ctx.fail(503, read.cause());
                    return;
                }
                events.changed();
                answerNamed(ctx, read.result(), "escalated");
            });
        });
    }

    /**
     * The bot answers in a chat with an alarm open (its urgent flow still asking, or the person typed 结束人工):
     * whoever takes the chat takes it from the bot, which then stays silent while staff answer (DESIGN §5).
     */
    private Future<Void> takeBack(Chat chat) {
        return takeBack(chat.openid(), chat.state());
    }

    private Future<Void> takeBack(String openid, ConversationState state) {
        if (state.status() == ConversationState.Status.ESCALATED) {
            return Future.succeededFuture();
        }
        return conversations.takeBackFromBot(openid).mapEmpty();
    }

    private void reply(RoutingContext ctx, Chat chat) {
        StaffSession s = staff(ctx);
        String text = text(ctx);
        if (text == null) {
            return;
        }
        if (!mayAnswer(ctx, s, chat)) {
            return;
        }
        Instant now = clock.instant();
        if (!chat.item().windowOpen(now)) {
            windowClosed(ctx, chat.item());
            return;
        }
        wechat.sendText(chat.openid(), text).onComplete(ar -> {
            if (ar.failed()) {
                log.warn("console: reply to chat {} not sent: {}", chat.id(), ar.cause().toString());
                refuse(ctx, 502, "send_failed", "消息没有发出去（微信接口出错），请稍后再试");
                return;
            }
            switch (ar.result()) {
                case SENT -> conversations.addStaffLine(chat.openid(), "reply", s.username(), text).onComplete(saved -> {
                    if (saved.failed()) {
                        // Sent, so say so: only the transcript line is missing.
                        log.warn("console: reply to chat {} sent but not written to the transcript: {}", chat.id(),
                                saved.cause().toString());
                    }
                    events.changed();
                    ok(ctx, new JsonObject().put("sent", true).put("at", now.toString()));
                });
                case OUTSIDE_WINDOW -> windowClosed(ctx, chat.item());
                case QUOTA_USED -> refuse(ctx, 409, "quota_used",
                        "对方最后一条消息之后，能发的客服消息已经用完；等对方再发消息，或发送模板通知");
                case REJECTED -> refuse(ctx, 502, "rejected", "微信拒收了这条消息（可能太长），请改短后再发");
            }
        });
    }

    private void windowClosed(RoutingContext ctx, EscalationInbox.Item item) {
        Instant until = item.windowOpenUntil();
        refuse(ctx, 409, "window_closed", settings.noticeTemplateId().isEmpty()
                        ? "对方超过 48 小时没有发消息，微信不允许再发客服消息；也没有配置模板消息（console.noticeTemplateId），只能等对方再发消息"
                        : "对方超过 48 小时没有发消息，微信不允许再发客服消息；可以发送模板通知，请对方回复",
                new JsonObject().put("windowOpenUntil", until == null ? null : until.toString())
                        .put("noticeTemplate", !settings.noticeTemplateId().isEmpty()));
    }

    private void notice(RoutingContext ctx, Chat chat) {
        StaffSession s = staff(ctx);
        if (settings.noticeTemplateId().isEmpty()) {
            refuse(ctx, 409, "no_template", "没有配置模板消息（console.noticeTemplateId），无法发送通知");
            return;
        }
        if (!mayAnswer(ctx, s, chat)) {
            return;
        }
        Instant now = clock.instant();
        Map<String, String> data = new LinkedHashMap<>();
        // Template fields since 2023: thing ≤ 20 characters; no first/remark (DESIGN §4).
        data.put("thing1", "民政局工作人员回复了您");
        data.put("time2", NOTICE_TIME.format(now.atZone(settings.zone())));
        // The same notice clicked twice within a minute is sent once (WeChat deduplicates for 10 minutes).
        String clientMsgId = "console-" + chat.id() + "-" + now.getEpochSecond() / 60;
        wechat.sendTemplate(chat.openid(), settings.noticeTemplateId(), null, data, clientMsgId).onComplete(ar -> {
            if (ar.failed() || ar.result() != WeChatApi.SendResult.SENT) {
                refuse(ctx, 502, "send_failed", "模板通知没有发出去：" + (ar.failed() ? "微信接口出错" : ar.result()));
                return;
            }
            conversations.addStaffLine(chat.openid(), "notice", s.username(), "【模板通知】民政局工作人员回复了您，请回到公众号查看并回复")
                    .onComplete(saved -> {
                        events.changed();
                        ok(ctx, new JsonObject().put("sent", true).put("at", now.toString()));
                    });
        });
    }

    /** Only the member of staff who has the chat answers in it (a supervisor takes it over by assigning). */
    private boolean mayAnswer(RoutingContext ctx, StaffSession s, Chat chat) {
        if (chat.item() == null) {
            refuse(ctx, 409, "not_open", "这个对话已经交回机器人；对方再发消息时机器人会回答");
            return false;
        }
        if (!s.username().equals(chat.item().assignee())) {
            refuse(ctx, 409, "not_yours", chat.item().assignee() == null ? "请先接手这个对话" : "这个对话由 "
                    + chat.item().assignee() + " 负责", new JsonObject().put("assignee", chat.item().assignee()));
            return false;
        }
        return true;
    }

    private void note(RoutingContext ctx, Chat chat) {
        StaffSession s = staff(ctx);
        String text = text(ctx);
        if (text == null) {
            return;
        }
        conversations.addStaffLine(chat.openid(), "note", s.username(), text).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            events.changed();
            ok(ctx, new JsonObject().put("saved", true));
        });
    }

    private void policeReport(RoutingContext ctx, Chat chat) {
        StaffSession s = staff(ctx);
        JsonObject in = json(ctx);
        String number = in == null ? null : in.getString("reportNumber");
        if (number == null || number.isBlank() || number.length() > 64) {
            refuse(ctx, 400, "bad_request", "请填写报警回执编号（不超过 64 个字符）");
            return;
        }
        conversations.recordPoliceReport(chat.openid(), s.username(), number.trim()).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (!ar.result()) {
                refuse(ctx, 409, "not_urgent", "只有紧急对话需要登记报警");
                return;
            }
            log.info("console: '{}' recorded the police report of chat {}", s.username(), chat.id());
            events.changed();
            ok(ctx, new JsonObject().put("reportNumber", number.trim()).put("recordedBy", s.username())
                    .put("recordedAt", clock.instant().toString()));
        });
    }

    private void resolve(RoutingContext ctx, Chat chat) {
        StaffSession s = staff(ctx);
        if (chat.item() == null) {
            // Nothing open: refused before anything (the resolution note) is written.
            refuse(ctx, 409, "not_open", "这个对话已经交回机器人");
            return;
        }
        if (chat.item() != null && !s.role().atLeast(StaffRole.SUPERVISOR) && !s.username().equals(chat.item().assignee())) {
            refuse(ctx, 409, "not_yours", "请先接手这个对话");
            return;
        }
        JsonObject in = json(ctx);
        // "resolution"; "note" is read too (the word the page and people use for it).
        Object given = in == null ? null : in.getValue("resolution", in.getValue("note"));
        String resolution = given instanceof String text ? text.strip() : null;
        boolean alarm = chat.item() != null && chat.item().escalation().alarm();
        // An alarm (a child in danger, a suicide risk, an unsure check) is not closed without a word of how it
        // ended, answered or not: a reply says someone wrote, not that the child is safe; the record and the
        // back office need the outcome. A request for a person (level staff) closes without one.
        if (alarm && !saysSomething(resolution)) {
            refuse(ctx, 400, "resolution_required",
                    "关闭警报前请写一句处理结果：怎么处理的、孩子现在怎样（例如：已电话确认孩子在奶奶家，安全）；只写“已处理”不够");
            return;
        }
        if (resolution != null && resolution.codePointCount(0, resolution.length()) > MAX_TEXT) {
            refuse(ctx, 400, "too_long", "处理结果最多 " + MAX_TEXT + " 个字");
            return;
        }
        String note = resolution == null || resolution.isEmpty() ? null : resolution;
        Instant now = clock.instant();
        boolean windowOpen = chat.item() != null && chat.item().windowOpen(now);
        Future<Void> noted = note == null ? Future.succeededFuture()
                : conversations.addStaffLine(chat.openid(), "note", s.username(), "【处理结果】" + note);
        noted.compose(v -> conversations.resolve(chat.openid(), "staff:" + s.username(), note)).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            if (!ar.result()) {
                refuse(ctx, 409, "not_open", "这个对话已经交回机器人");
                return;
            }
            log.info("console: '{}' resolved chat {}; the bot answers again", s.username(), chat.id());
            events.changed();
            handedBack(chat, s, windowOpen).onComplete(told -> ok(ctx, new JsonObject().put("status", "bot")
                    .put("familyTold", told.result())));
        });
    }

    /**
     * A note of how an alarm ended says something: three letters or characters at least, not one repeated
     * ("已报警" passes; ".", "ok", "111", "xx", "啊啊", "没事" do not).
     */
    static boolean saysSomething(String note) {
        if (note == null) {
            return false;
        }
        long letters = note.codePoints().filter(Character::isLetter).count();
        long distinct = note.codePoints().filter(Character::isLetter).distinct().count();
        String content = note.toLowerCase(java.util.Locale.ROOT);
        for (String filler : FILLER) {
            content = content.replace(filler, "");
        }
        return letters >= 3 && distinct >= 2 && content.codePoints().filter(Character::isLetter).count() >= 2;
    }

    /**
     * Words that say nothing of how an alarm ended ("没事了", "好了好了", "ok了"), or say only that it did
     * ("已处理", "处理完毕", "已解决", "搞定", "done"): a critical alarm was once closed with "已处理" after one reply
     * the child never answered. Longer words first, so that "处理完毕" goes as a whole.
     */
    private static final List<String> FILLER = List.of("处理完毕", "处理好", "处理完", "处理", "解决", "完毕", "完成",
            "结束", "结案", "关闭", "搞定", "办好", "办完", "核实", "回访", "跟进", "联系", "确认", "误报", "done", "fixed", "closed", "resolved", "handled", "finished",
            "没事", "没问题", "好了", "好的", "okay", "ok", "嗯", "哦", "啊", "了", "儿", "吧", "呢", "行", "无", "已", "都",
            "的");

    /**
     * Tells the family that staff are done (a customer-service message, only while WeChat's window is open).
     * Answers what became of it — {@code sent}, {@code window_closed} or {@code failed} — never fails: the chat
     * is closed either way, and the page shows staff when the family was not told.
     */
    private Future<String> handedBack(Chat chat, StaffSession s, boolean windowOpen) {
        if (!windowOpen) {
            return Future.succeededFuture("window_closed");
        }
        boolean alarm = chat.item() != null && chat.item().escalation().alarm();
        String text = texts.get(alarm ? "console.handed_back.alarm" : "console.handed_back");
        return wechat.sendText(chat.openid(), text).compose(result -> {
            if (result != WeChatApi.SendResult.SENT) {
                log.warn("console: handing back chat {}: the family was not told ({})", chat.id(), result);
                return Future.succeededFuture(result == WeChatApi.SendResult.OUTSIDE_WINDOW ? "window_closed" : "failed");
            }
            return conversations.addStaffLine(chat.openid(), "farewell", s.username(), text)
                    .otherwise((Void) null).map("sent");
        }).otherwise(e -> {
            log.warn("console: handing back chat {}: the family was not told: {}", chat.id(), e.toString());
            return "failed";
        });
    }

    // ---- canned replies, staff, accounts, audit ----

    private void cannedReplies(RoutingContext ctx) {
        canned.list().onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            ok(ctx, new JsonObject().put("replies", ar.result()));
        });
    }

    private void saveCannedReplies(RoutingContext ctx) {
        JsonObject in = json(ctx);
        JsonArray replies = in == null ? null : in.getJsonArray("replies");
        String problem = CannedReplies.problem(replies);
        if (problem != null) {
            refuse(ctx, 400, "bad_request", problem);
            return;
        }
        canned.save(replies).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            log.info("console: '{}' changed the canned replies ({})", staff(ctx).username(), replies.size());
            ok(ctx, new JsonObject().put("replies", replies));
        });
    }

    private void staffList(RoutingContext ctx) {
        accounts.accounts().onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            JsonArray out = new JsonArray();
            ar.result().stream().filter(a -> !a.disabled()).forEach(a -> out.add(new JsonObject()
                    .put("username", a.username()).put("displayName", a.displayName()).put("role", a.role().id())));
            ok(ctx, new JsonObject().put("staff", out));
        });
    }

    private void accountList(RoutingContext ctx) {
        accounts.accounts().onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            JsonArray out = new JsonArray();
            ar.result().forEach(a -> out.add(new JsonObject(StaffAccounts.view(a))));
            ok(ctx, new JsonObject().put("accounts", out));
        });
    }

    private void createAccount(RoutingContext ctx) {
        JsonObject in = json(ctx);
        if (in == null) {
            refuse(ctx, 400, "bad_request", "请求格式不对");
            return;
        }
        accounts.create(in.getString("username"), in.getString("displayName"), in.getString("role"),
                in.getString("password")).onComplete(ar -> {
            if (ar.failed()) {
                if (ar.cause() instanceof IllegalArgumentException) {
                    refuse(ctx, 400, "bad_request", ar.cause().getMessage());
                } else if (ar.cause() instanceof IllegalStateException) {
                    refuse(ctx, 409, "exists", ar.cause().getMessage());
                } else {
                    ctx.fail(503, ar.cause());
                }
                return;
            }
            log.info("console: '{}' created the {} account '{}'", staff(ctx).username(), ar.result().role().id(),
                    ar.result().username());
            ctx.response().setStatusCode(201);
            ok(ctx, new JsonObject(StaffAccounts.view(ar.result())));
        });
    }

    private void disable(RoutingContext ctx) {
        JsonObject in = json(ctx);
        boolean disabled = in == null || in.getBoolean("disabled", true);
        String username = ctx.pathParam("username");
        accounts.setDisabled(username, disabled).compose(a -> a == null || !disabled ? Future.succeededFuture(a)
                // Their chats go back to 待接手 at once: a disabled account answers nobody.
                : inbox.release(a.username()).map(n -> {
                    if (n > 0) {
                        log.info("console: {} chats of disabled account '{}' are unassigned again", n, a.username());
                        events.changed();
                    }
                    return a;
                })).onComplete(ar -> accountChanged(ctx, ar, disabled ? "disabled" : "enabled"));
    }

    private void password(RoutingContext ctx) {
        JsonObject in = json(ctx);
        accounts.resetPassword(ctx.pathParam("username"), in == null ? null : in.getString("password"))
                .onComplete(ar -> accountChanged(ctx, ar, "gave a new password to"));
    }

    private void accountChanged(RoutingContext ctx, io.vertx.core.AsyncResult<StaffAccount> ar, String what) {
        if (ar.failed()) {
            if (ar.cause() instanceof IllegalArgumentException) {
                refuse(ctx, 400, "bad_request", ar.cause().getMessage());
            } else {
                ctx.fail(503, ar.cause());
            }
            return;
        }
        if (ar.result() == null) {
            refuse(ctx, 404, "not_found", "没有这个账号");
            return;
        }
        log.info("console: '{}' {} account '{}'", staff(ctx).username(), what, ar.result().username());
        ok(ctx, new JsonObject(StaffAccounts.view(ar.result())));
    }

    private void audit(RoutingContext ctx) {
        int limit = Math.max(1, Math.min(1000, parseInt(ctx.request().getParam("limit"), 200)));
        store.auditEntries(limit).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            JsonArray out = new JsonArray();
            ar.result().forEach(e -> out.add(new JsonObject().put("at", e.at().toString()).put("who", e.who())
                    .put("role", e.role()).put("action", e.action()).put("conversation", e.conversation())
                    .put("detail", e.detail())));
            ok(ctx, new JsonObject().put("entries", out));
        });
    }

    private void auditCsv(RoutingContext ctx) {
        store.auditEntries(ConsoleStore.AUDIT_MAX).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            StringBuilder csv = new StringBuilder("\uFEFFat,who,role,action,conversation,detail\r\n");
            for (ConsoleStore.AuditEntry e : ar.result()) {
                csv.append(String.join(",", List.of(e.at().toString(), cell(e.who()), cell(e.role()), cell(e.action()),
                        cell(e.conversation()), cell(e.detail())))).append("\r\n");
            }
            ctx.response().putHeader("Content-Type", "text/csv; charset=utf-8")
                    .putHeader("Content-Disposition", "attachment; filename=\"careline-console-audit.csv\"")
                    .putHeader("Cache-Control", "no-store")
                    .end(csv.toString());
        });
    }

    /** A CSV cell, quoted; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
    static String cell(String v) {
        String s = v == null ? "" : v;
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    // ---- helpers ----

    private Future<Void> audit(StaffSession s, String action, String conversation, String detail) {
        return store.audit(new ConsoleStore.AuditEntry(clock.instant(), s.username(), s.role().id(), action,
                conversation, detail));
    }

    private static StaffSession staff(RoutingContext ctx) {
        return ctx.get(STAFF);
    }

    /** The body's {@code text}, trimmed; null (and the answer sent) when missing or too long. */
    private static String text(RoutingContext ctx) {
        JsonObject in = json(ctx);
        String text = in == null ? null : in.getString("text");
        if (text == null || text.isBlank()) {
            refuse(ctx, 400, "bad_request", "内容不能为空");
            return null;
        }
        text = text.strip();
        if (text.codePointCount(0, text.length()) > MAX_TEXT) {
            refuse(ctx, 400, "too_long", "一条消息最多 " + MAX_TEXT + " 个字，请分开发送");
            return null;
        }
        return text;
    }

    private static JsonObject json(RoutingContext ctx) {
        try {
            return ctx.body() == null || ctx.body().isEmpty() ? null : ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void ok(RoutingContext ctx, JsonObject body) {
        ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Cache-Control", "no-store").end(body.encode());
    }

    static void refuse(RoutingContext ctx, int status, String code, String message) {
        refuse(ctx, status, code, message, null);
    }

    static void refuse(RoutingContext ctx, int status, String code, String message, JsonObject extra) {
        JsonObject body = new JsonObject().put("error", message).put("code", code);
        if (extra != null) {
            body.mergeIn(extra);
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Cache-Control", "no-store").end(body.encode());
    }

    private static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
