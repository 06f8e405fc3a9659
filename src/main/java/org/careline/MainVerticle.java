package org.careline;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.careline.backoffice.OutboxAdminRoutes;
import org.careline.cases.OutboxMonitor;
import org.careline.cases.OutboxStore;
import org.careline.cases.OutboxWorker;
import org.careline.config.AppConfig;
import org.careline.console.AdminApi;
import org.careline.console.Console;
import org.careline.flow.Flows;
import org.careline.http.AdminHttpVerticle;
import org.careline.media.MediaRoutes;
import org.careline.http.PublicHttpVerticle;
import org.careline.sandbox.ReferenceBackOffice;
import org.careline.sandbox.Simulator;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the services, then deploys the HTTP verticles in order, handing each the collaborators it uses.
 * No logic of its own.
 */
public final class MainVerticle extends VerticleBase {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MainVerticle.class);

    private final AppConfig config;
    private final java.util.concurrent.CompletionStage<Flows> flows;
    private final Clock clock;
    private Services services;
    private PublicHttpVerticle publicHttp;
    private AdminHttpVerticle adminHttp;
    private OutboxMonitor outboxMonitor;
    private Console console;

    public MainVerticle(AppConfig config, Flows flows, Clock clock) {
        this(config, java.util.concurrent.CompletableFuture.completedFuture(flows), clock);
    }

    /** {@code flows} may still be loading: the embedded Redis and the sandbox start meanwhile. */
    public MainVerticle(AppConfig config, java.util.concurrent.CompletionStage<Flows> flows, Clock clock) {
        this.config = config;
        this.flows = flows;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        return Services.start(vertx, config, Future.fromCompletionStage(flows, context), clock)
                .compose(s -> {
                    services = s;
                    return PublicHttpVerticle.deploy(vertx, new PublicHttpVerticle.Parts(config.http(),
                            config.wechat().sandbox(), config.wechat().maxBodyBytes(), s.callback));
                })
                .compose(first -> {
                    publicHttp = first;
                    // What the internal port needs, done once the public port answers.
                    return services.startBackground();
                })
                .compose(id -> {
                    console = new Console(vertx, new Console.Parts(config.console(), config.wechat().sandbox(),
                            config.admin().limits().requestTimeout(), services.redis, services.store,
                            services.conversations, services.wechatApi, Main.officeHours(config),
                            config.conversation().timeZone(), clock, keptMedia(services)));
                    return console.start();
                })
                .compose(id -> {
                    Services s = services;
                    List<AdminHttpVerticle.RouterContribution> routes = new ArrayList<>();
                    routes.add(new AdminApi(s.store, s.conversations, s.menu, config.admin().token())::mount);
                    // Mounted after the admin API, so behind its bearer token.
                    routes.add(new org.careline.directors.DirectorsAdminApi(s.bindingCodes, s.reminders,
                            s.conversations, clock)::mount);
                    // Behind AdminApi's token check (/api/admin/*): what could not be told to families.
                    routes.add(s.undeliveredNotices::mountAdmin);
                    // Signed by the back office (HMAC), not by the admin token.
                    routes.add(s.backOfficeInbound::mount);
                    if (s.mediaLinks != null) {
                        routes.add(new MediaRoutes(s.media, s.mediaLinks, clock)::mount);
                    }
                    if (s.sandboxPlatform != null) {
                        routes.add(new Simulator(vertx, s.identity, s.store, s.sandboxPlatform, s.bindingCodes,
                                config.wechat().menuFile(), clock, publicHttp::port)::mount);
                        routes.add(new ReferenceBackOffice(vertx, () -> s.backOffice().secret(),
                                () -> adminHttp.port(), s.roster, clock)::mount);
                    }
                    routes.add(console::mount);
                    OutboxStore outbox = new OutboxStore(s.redis, clock);
                    outboxMonitor = OutboxMonitor.start(vertx, outbox, s.meters, Duration.ofSeconds(15));
                    // Whether events are delivered is known once the internal port is bound (the sandbox's
                    // reference back office lives there).
                    routes.add(new OutboxAdminRoutes(outbox, () -> !s.backOffice().url().isEmpty())::mount);
                    adminHttp = new AdminHttpVerticle(new AdminHttpVerticle.Parts(config.admin(),
                            config.wechat().sandbox(), s.redis, () -> s.flows.flows().version(), s.meters::scrape),
                            routes);
                    return vertx.deployVerticle(adminHttp);
                })
                .onSuccess(id -> services.internalPortBound(adminHttp.port()))
                .compose(id -> {
                    AppConfig.BackOffice backOffice = services.backOffice();
                    if (backOffice.url().isEmpty()) {
                        log.warn("back office: no CARELINE_BACKOFFICE_URL configured, so case events are not "
                                + "delivered: they wait in the outbox (GET /api/admin/outbox) until one is");
                        return Future.succeededFuture();
                    }
                    return vertx.deployVerticle(new OutboxWorker(services.redis, backOffice, config.outbox(),
                            services.meters, clock));
                })
                .onSuccess(id -> services.reminderScheduler.start())
                // A failed start (a port taken, say) must not leave the embedded redis-server running.
                .recover(e -> services == null ? Future.failedFuture(e)
                        : services.close().transform(v -> Future.failedFuture(e)));
    }

    /** The console opens a person's photos and voice notes through the media archive, only files they sent. */
    private static org.careline.console.KeptMedia keptMedia(Services s) {
        return (openid, file) -> s.redis.sismember(org.careline.redis.RedisKeys.userMedia(openid), file)
                .compose(member -> member != null && member.toBoolean() ? s.media.stored(file)
                        : Future.<org.careline.media.MediaArchive.Stored>succeededFuture(null))
                .map(stored -> stored == null ? null
                        : new org.careline.console.KeptMedia.File(stored.path(), stored.contentType()));
    }

    @Override
    public Future<?> stop() {
        if (outboxMonitor != null) {
            outboxMonitor.stop();
        }
        return services == null ? Future.succeededFuture() : services.close();
    }

    public int publicPort() {
        return publicHttp.port();
    }

    public int adminPort() {
        return adminHttp.port();
    }

    /**
     * The back office events go to and requests come from, as in force (in the sandbox: the built-in
     * reference back office on the internal port).
     */
    public AppConfig.BackOffice backOffice() {
        return services.backOffice();
    }

    // The parts below are handed to integration tests that check what the HTTP API wrote; nothing else uses them.

    public org.careline.directors.RosterStore roster() {
        return services.roster;
    }

    public org.careline.media.MediaArchive media() {
        return services.media;
    }

    /** Null when no back-office secret is set. */
    public org.careline.media.MediaLinks mediaLinks() {
        return services.mediaLinks;
    }

    public org.careline.backoffice.UndeliveredNotices undeliveredNotices() {
        return services.undeliveredNotices;
    }

    public org.careline.backoffice.BackOfficeInbound backOfficeInbound() {
        return services.backOfficeInbound;
    }

    /** The secret shared with the sandbox's reference back office when none is configured. */
    public static final String SANDBOX_BACKOFFICE_SECRET = Services.SANDBOX_BACKOFFICE_SECRET;
}
