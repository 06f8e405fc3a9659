package org.careline.console;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.redis.client.RedisAPI;
import org.careline.config.AppConfig;
import org.careline.conversation.ConversationService;
import org.careline.conversation.ConversationStore;
import org.careline.flow.OfficeHours;
import org.careline.wechat.WeChatApi;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;

/**
 * The staff console on the internal port: the page at {@code /console/} and its API. Built from the
 * collaborators it uses; {@link #start()} sets up the accounts and canned replies, {@link #mount} adds the
 * routes to the internal port's router.
 */
public final class Console {

    /**
     * The page is plain HTML with JavaScript modules and a style sheet, all served here: nothing inline, no
     * CDN, no frames. Family text is inserted as text by the page; this policy is the second line.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; media-src 'self'; connect-src 'self'; font-src 'self'; manifest-src 'self'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /**
     * What the console uses.
     *
     * @param requestTimeout the internal port's request timeout: a live-update stream ends before it
     */
    public record Parts(AppConfig.Console config, boolean sandbox, Duration requestTimeout, RedisAPI redis,
                        ConversationStore conversationStore, ConversationService conversations, WeChatApi wechat,
                        OfficeHours officeHours, ZoneId zone, Clock clock, KeptMedia media) {}

    private final Parts parts;
    private final StaffAccounts accounts;
    private final CannedReplies canned;
    private final ConsoleApi api;

    public Console(Vertx vertx, Parts parts) {
        this.parts = parts;
        AppConfig.Console c = parts.config();
        ConsoleStore store = new ConsoleStore(parts.redis());
        this.accounts = new StaffAccounts(vertx, store, new PasswordHasher(), parts.clock(), new StaffAccounts.Settings(
                c.sessionIdle(), c.sessionMax(), c.maxFailures(), c.ipMaxFailures(), c.lockout()));
        this.canned = new CannedReplies(vertx, store, c.cannedRepliesFile());
        EscalationInbox inbox = new EscalationInbox(parts.conversationStore(), new FirstResponseTarget(
                c.urgentResponse(), c.otherResponse(), parts.officeHours(), parts.zone()), parts.clock());
        Duration streamFor = parts.requestTimeout().minusSeconds(2);
        ConsoleEvents events = new ConsoleEvents(vertx, inbox, accounts,
                streamFor.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : streamFor);
        this.api = new ConsoleApi(accounts, inbox, parts.conversationStore(), parts.conversations(), parts.wechat(),
                store, canned, events, parts.clock(), new ConsoleApi.Settings(c.cookieSecure(),
                c.sessionMax().toSeconds(), c.noticeTemplateId(), parts.zone(), parts.officeHours().text()),
                parts.media());
    }

    /** The admin account (from the environment), the sandbox's demo caseworker, the canned replies. */
    public Future<Void> start() {
        return accounts.bootstrap(parts.config().adminPassword(), parts.sandbox()).compose(v -> canned.seed());
    }

    public void mount(Router router) {
        router.get("/console").handler(ctx -> {
            if (ctx.request().path().endsWith("/")) {
                ctx.next();
            } else {
                ctx.redirect("/console/");
            }
        });
        router.route("/console/*").handler(Console::securityHeaders);
        api.mount(router);
        router.route("/console/*").handler(StaticHandler.create("webroot/console").setCachingEnabled(false)
                .setDefaultContentEncoding("UTF-8"));
    }

    private static void securityHeaders(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        ctx.next();
    }
}
