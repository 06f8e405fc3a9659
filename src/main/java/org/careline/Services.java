package org.careline;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.careline.config.AppConfig;
import org.careline.conversation.ConversationService;
import org.careline.conversation.ConversationStore;
import org.careline.conversation.FlowsHolder;
import org.careline.conversation.UserQueue;
import org.careline.flow.Flows;
import org.careline.redis.RedisConnector;
import org.careline.redis.RedisServerProcess;
import org.careline.sandbox.FakeWeChatPlatform;
import org.careline.wechat.CallbackHandler;
import org.careline.wechat.MenuPublisher;
import org.careline.wechat.MessageDispatcher;
import org.careline.wechat.NonceLedger;
import org.careline.conversation.SystemTexts;
import org.careline.wechat.WeChatApi;
import org.careline.wechat.WeChatCrypto;
import org.careline.wechat.WeChatIdentity;
import org.careline.wechat.WxJavaApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;

/**
 * The composition root: builds the object graph once — Redis (embedded or configured), the WeChat API (real
 * or the sandbox's fake), the conversation pieces. Dependencies go through constructors; nothing is static.
 * Only {@link MainVerticle} reads it, and hands each verticle the few collaborators it uses, never this whole.
 */
final class Services {

    private static final Logger log = LoggerFactory.getLogger(Services.class);

    final AppConfig config;
    final WeChatIdentity identity;
    final Redis redisClient;
    final RedisAPI redis;
    final ConversationStore store;
    final FlowsHolder flows;
    final ConversationService conversations;
    final WeChatApi wechatApi;
    final CallbackHandler callback;
    final FakeWeChatPlatform sandboxPlatform;
    final MenuPublisher menu;
    final PrometheusMeterRegistry meters;
    /** Each person's turn (one message or change at a time); shared by everything that changes their data. */
    final UserQueue turns;
    final org.careline.media.MediaArchive media;
    /** Null when no back-office secret is set: attachments then carry WeChat media ids only. */
    final org.careline.media.MediaLinks mediaLinks;
    final org.careline.directors.RosterStore roster;
    final org.careline.directors.BindingCodes bindingCodes;
    final org.careline.directors.ReminderSweep reminders;
    final org.careline.directors.ReminderScheduler reminderScheduler;
    final org.careline.backoffice.UndeliveredNotices undeliveredNotices;
    final org.careline.backoffice.CaseStatusUpdates caseStatusUpdates;
    final org.careline.backoffice.BackOfficeInbound backOfficeInbound;
    private volatile AppConfig.BackOffice backOffice;
    private final Clock clock;
    private final JvmGcMetrics gcMetrics;
    private final RedisServerProcess embeddedRedis;
    private final WxJavaApi wxJavaApi;
    private final long flowsWatch;
    private final Vertx vertx;

    private Services(Vertx vertx, AppConfig config, WeChatIdentity identity, RedisServerProcess embeddedRedis,
                     FakeWeChatPlatform sandboxPlatform, Flows initialFlows, Clock clock) {
        this.clock = clock;
        this.vertx = vertx;
        this.config = config;
        this.identity = identity;
        this.embeddedRedis = embeddedRedis;
        this.sandboxPlatform = sandboxPlatform;
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        String redisUrl = embeddedRedis != null ? embeddedRedis.url() : config.redis().url();
        this.redisClient = RedisConnector.create(vertx, redisUrl);
        this.redis = RedisAPI.api(redisClient);
        AppConfig.Conversation c = config.conversation();
        this.store = new ConversationStore(redis, c.retention(), clock);
        this.flows = new FlowsHolder(initialFlows, c.flowsDir(), c.regionsFile());
        SystemTexts texts = new SystemTexts();
        this.flowsWatch = flows.watch(vertx, 2000);
        this.backOffice = effectiveBackOffice(config, config.admin().port());
        this.mediaLinks = backOffice.secret().isEmpty() ? null
                : new org.careline.media.MediaLinks(backOffice.secret(), config.media().linkValidity(), clock);
        this.turns = new UserQueue(vertx, redis, Duration.ofSeconds(10));
        this.roster = new org.careline.directors.RosterStore(redis);
        AppConfig.Directors d = config.directors();
        org.careline.directors.VisitPolicy policy = org.careline.directors.VisitPolicy.load(d.policyFile());
        org.careline.directors.WorkingDays workingDays = org.careline.directors.WorkingDays.load(d.holidaysDir());
        int year = java.time.LocalDate.now(clock.withZone(c.timeZone())).getYear();
        workingDays.warnings(year, year + 1).forEach(w -> log.warn("{}", w));
        this.bindingCodes = new org.careline.directors.BindingCodes(redis, roster);
        org.careline.directors.Directory directory = new org.careline.directors.Directory(roster, redis, bindingCodes,
                policy, workingDays, c.timeZone());
        String apiHost = sandboxPlatform != null ? "http://127.0.0.1:" + sandboxPlatform.port() : config.wechat().apiHost();
        this.wxJavaApi = new WxJavaApi(vertx, new WxJavaApi.Settings(identity.appId(), identity.secret(), apiHost,
                config.wechat().apiWorkers(), 3, Duration.ofMillis(200)));
        this.wechatApi = wxJavaApi;
        this.media = new org.careline.media.MediaArchive(vertx, redis, wechatApi, config.media(), clock);
        this.conversations = new ConversationService(store, turns,
                flows, clock, new ConversationService.Settings(c.idleTimeout(), c.retention(), c.timeZone(),
                Main.officeHours(config), config.wechat().dedupWindow()), meters, texts,
                mediaLinks == null ? null : mediaLinks::attachment, directory,
                media);
        this.menu = new MenuPublisher(vertx, wechatApi, config.wechat().menuFile());
        // The sandbox shows reminders as cards in the simulator: it needs template ids, any will do.
        boolean sandbox = sandboxPlatform != null;
        this.reminders = new org.careline.directors.ReminderSweep(redis, roster, directory, bindingCodes, store, wechatApi,
                policy, workingDays, c.timeZone(), new org.careline.directors.ReminderSweep.Templates(
                d.digestTemplate().isEmpty() && sandbox ? "sandbox-visit-digest" : d.digestTemplate(), d.digestFields(),
                d.overdueTemplate().isEmpty() && sandbox ? "sandbox-visit-overdue" : d.overdueTemplate(), d.overdueFields()));
        this.reminderScheduler = new org.careline.directors.ReminderScheduler(vertx, reminders, clock, c.timeZone(),
                d.reminderTime(), d.checkEvery());
        WeChatCrypto crypto = identity.aesKey().isEmpty() ? null : new WeChatCrypto(identity.token(),
                identity.appId(), identity.aesKey(), identity.previousAesKey().isEmpty() ? null : identity.previousAesKey());
        this.undeliveredNotices = new org.careline.backoffice.UndeliveredNotices(redis);
        this.caseStatusUpdates = new org.careline.backoffice.CaseStatusUpdates(store, turns, wechatApi, config,
                undeliveredNotices, clock, meters);
        this.backOfficeInbound = new org.careline.backoffice.BackOfficeInbound(() -> backOffice().secret(), redis,
                caseStatusUpdates, roster, clock);
        MessageDispatcher dispatcher = new MessageDispatcher(vertx,
                conversations, wechatApi,
                config.wechat().replyBudget(), texts, meters, clock, media::collect);
        this.callback = new CallbackHandler(identity.token(), crypto, config.wechat().acceptPlain(),
                new NonceLedger(redis, clock, config.wechat().maxClockSkew()), dispatcher, clock,
                config.wechat().maxClockSkew());
    }

    /** Starts what the configuration asks for; blocking steps (a redis-server process) run on a worker. */
    static Future<Services> start(Vertx vertx, AppConfig config, Future<Flows> flows, Clock clock) {
        AppConfig.WeChat w = config.wechat();
        WeChatIdentity identity = w.sandbox()
                ? new WeChatIdentity(SANDBOX_APP_ID, "sandbox-secret", w.token().isEmpty() ? SANDBOX_TOKEN : w.token(),
                w.aesKey(), w.previousAesKey())
                : new WeChatIdentity(w.appId(), w.secret(), w.token(), w.aesKey(), w.previousAesKey());
        Future<RedisServerProcess> redis = config.redis().embedded()
                ? vertx.executeBlocking(() -> {
                    RedisServerProcess p = RedisServerProcess.start(config.redis().embeddedPort(),
                            config.redis().dataDir(), true);
                    log.info("embedded {}", p.describe());
                    if (p.outdated()) {
                        log.warn("the embedded Redis {} is an old release that gets no more security fixes: install a "
                                + "current redis-server on PATH (Debian: apt-get install redis-server) and restart",
                                p.version());
                    }
                    return p;
                })
                : Future.succeededFuture(null);
        // The redis-server starts while the flows are still loading; if either fails, the other is undone.
        return Future.join(redis, flows).transform(both -> {
            RedisServerProcess server = redis.succeeded() ? redis.result() : null;
            if (both.failed()) {
                Throwable cause = flows.failed() ? flows.cause() : redis.cause();
                return stop(vertx, server).transform(v -> Future.failedFuture(cause));
            }
            return build(vertx, config, identity, server, flows.result(), clock)
                    .recover(e -> stop(vertx, server).transform(v -> Future.failedFuture(e)));
        });
    }

    private static Future<Void> stop(Vertx vertx, RedisServerProcess server) {
        return server == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
            server.close();
            return null;
        });
    }

    private static Future<Services> build(Vertx vertx, AppConfig config, WeChatIdentity identity,
                                          RedisServerProcess server, Flows flows, Clock clock) {
        AppConfig.WeChat w = config.wechat();
        return Future.<Services>succeededFuture(null).compose(nothing -> {
            if (!w.sandbox()) {
                return Future.succeededFuture(new Services(vertx, config, identity, server, null, flows, clock));
            }
            FakeWeChatPlatform platform = new FakeWeChatPlatform(vertx, identity.appId(), identity.secret(), clock);
            return platform.listen(0)
                    .map(http -> new Services(vertx, config, identity, server, platform, flows, clock));
        }).compose(s -> s.redis.ping(java.util.List.of())
                .map(v -> s)
                .recover(e -> s.close().transform(v -> Future.failedFuture(e))));
    }

    /**
     * What can wait until the public port answers, but not the internal one: the media sweep and, in the
     * sandbox, the menu (the simulator shows what users would see) and the demo roster.
     */
    Future<Void> startBackground() {
        Future<Void> media = this.media.start();
        if (!config.wechat().sandbox()) {
            return media;
        }
        Future<Void> menuShown = menu.publish().<Void>mapEmpty().recover(e -> {
            log.warn("sandbox menu not published: {}", e.getMessage());
            return Future.succeededFuture();
        });
        return Future.all(media, menuShown, loadDemoRoster()).mapEmpty();
    }

    /** The secret the sandbox's reference back office and CareLine share when none is configured. */
    public static final String SANDBOX_BACKOFFICE_SECRET = "careline-sandbox-backoffice-secret";

    /**
     * The back office events go to and requests come from: the configured one; in sandbox mode with none
     * configured, the built-in reference back office on the internal port ({@code /sandbox/backoffice/events})
     * with {@link #SANDBOX_BACKOFFICE_SECRET}. The outbox worker reads this, not {@code config.backOffice()}.
     */
    AppConfig.BackOffice backOffice() {
        return backOffice;
    }

    /** The internal port is bound (it may have been 0 = any): the sandbox's back-office URL can name it. */
    void internalPortBound(int port) {
        backOffice = effectiveBackOffice(config, port);
    }

    static AppConfig.BackOffice effectiveBackOffice(AppConfig config, int internalPort) {
        AppConfig.BackOffice b = config.backOffice();
        if (!config.wechat().sandbox() || !b.url().isEmpty()) {
            return b;
        }
        String url = internalPort == 0 ? ""
                : "http://127.0.0.1:" + internalPort + org.careline.sandbox.ReferenceBackOffice.EVENTS_PATH;
        return new AppConfig.BackOffice(url, b.secret().isEmpty() ? SANDBOX_BACKOFFICE_SECRET : b.secret());
    }

    /** Sandbox only: the fictional district of {@code sandbox.demoRoster}, so directors' screens have children. */
    private Future<Void> loadDemoRoster() {
        java.nio.file.Path file = config.sandbox().demoRoster();
        return vertx.fileSystem().readFile(file.toString()).compose(bytes -> {
            org.careline.directors.RosterReader.Result read = org.careline.directors.RosterReader.fromJson(bytes.getBytes());
            if (!read.ok()) {
                log.warn("sandbox demo roster {} not loaded: {}", file, read.errors());
                return Future.succeededFuture();
            }
            return roster.replace(read.roster(), clock.instant())
                    .onSuccess(r -> log.info("sandbox demo roster {} loaded: {}", file, r.counts())).<Void>mapEmpty();
        }).recover(e -> {
            log.warn("sandbox demo roster {} not loaded: {}", file, e.toString());
            return Future.succeededFuture();
        });
    }

    static final String SANDBOX_APP_ID = "wxcareline0sandbox";
    static final String SANDBOX_TOKEN = "careline-sandbox";

    Future<Void> close() {
        reminderScheduler.stop();
        vertx.cancelTimer(flowsWatch);
        media.stop();
        gcMetrics.close();
        meters.close();
        try {
            wxJavaApi.close();
        } catch (RuntimeException e) {
            log.debug("closing the WeChat API client: {}", e.toString());
        }
        redisClient.close();
        if (embeddedRedis != null) {
            return vertx.executeBlocking(() -> {
                embeddedRedis.close();
                return null;
            });
        }
        return Future.succeededFuture();
    }
}
