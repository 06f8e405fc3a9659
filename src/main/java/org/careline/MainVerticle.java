package org.careline;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.careline.config.AppConfig;
import org.careline.flow.Flows;
import org.careline.http.AdminHttpVerticle;
import org.careline.http.PublicHttpVerticle;
import org.careline.sandbox.ReferenceBackOffice;
import org.careline.sandbox.Simulator;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Starts the services, then deploys the HTTP verticles in order. No logic of its own. */
public final class MainVerticle extends VerticleBase {

    private final AppConfig config;
    private final Flows flows;
    private final Clock clock;
    private Services services;
    private PublicHttpVerticle publicHttp;
    private AdminHttpVerticle adminHttp;

    public MainVerticle(AppConfig config, Flows flows, Clock clock) {
        this.config = config;
        this.flows = flows;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        return Services.start(vertx, config, flows, clock)
                .compose(s -> {
                    services = s;
                    return PublicHttpVerticle.deploy(vertx, s);
                })
                .compose(first -> {
                    publicHttp = first;
                    return Future.succeededFuture();
                })
                .compose(id -> {
                    List<AdminHttpVerticle.RouterContribution> extra = new ArrayList<>();
                    // Mounted after the admin API, so behind its bearer token.
                    extra.add(new org.careline.directors.DirectorsAdminApi(services.bindingCodes, services.reminders,
                            services.conversations, clock)::mount);
                    if (services.sandboxPlatform != null) {
                        extra.add(new Simulator(vertx, services, publicHttp::port)::mount);
                        extra.add(new ReferenceBackOffice(vertx, () -> services.backOffice().secret(),
                                () -> adminHttp.port(), services.roster, clock)::mount);
                    }
                    adminHttp = new AdminHttpVerticle(services, extra);
                    return vertx.deployVerticle(adminHttp);
                })
                .onSuccess(id -> services.internalPortBound(adminHttp.port()))
                .onSuccess(id -> services.reminderScheduler.start())
                // A failed start (a port taken, say) must not leave the embedded redis-server running.
                .recover(e -> services == null ? Future.failedFuture(e)
                        : services.close().transform(v -> Future.failedFuture(e)));
    }

    @Override
    public Future<?> stop() {
        return services == null ? Future.succeededFuture() : services.close();
    }

    public int publicPort() {
        return publicHttp.port();
    }

    public int adminPort() {
        return adminHttp.port();
    }

    public Services services() {
        return services;
    }
}
