package org.careline.cases;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.RedisAPI;
import org.careline.config.AppConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Delivers the outbox to the back office (DESIGN §6). Each instance takes due people from the index (a lease,
 * so instances spread out), then drains each person's stream one event at a time: POST, and on 2xx acknowledge
 * and delete in the same round trip that takes the next. A 4xx the receiver will never accept goes to the dead
 * letters; anything else waits (exponential backoff, full jitter) and is tried again, by whichever instance is
 * there then, until the event is {@code giveUpAfter} old. An instance that dies holding an event leaves it
 * pending; another takes it over after {@code claimTimeout} and sends it again, which the event id makes
 * harmless to a receiver that honours it.
 */
public final class OutboxWorker extends VerticleBase {

    private static final Logger log = LoggerFactory.getLogger(OutboxWorker.class);

    private final OutboxStore store;
    private final java.time.Clock clock;
    private final AppConfig.BackOffice backOffice;
    private final AppConfig.Outbox settings;
    private final DeliveryPolicy policy;
    private final String consumer = "w-" + UUID.randomUUID();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final AtomicBoolean pollAgain = new AtomicBoolean();
    private final Counter delivered;
    private final Counter retried;
    private final MeterRegistry meters;
    private final Timer latency;
    private final Timer post;
    private volatile boolean backlog;
    private volatile boolean stopped;
    private BackOfficeClient client;
    private long timer;

    public OutboxWorker(RedisAPI redis, AppConfig.BackOffice backOffice, AppConfig.Outbox settings,
                        MeterRegistry meters, java.time.Clock clock) {
        this.clock = clock;
        this.store = new OutboxStore(redis, clock);
        this.backOffice = backOffice;
        this.settings = settings;
        this.policy = new DeliveryPolicy(settings.backoffBase(), settings.backoffMax(), settings.giveUpAfter());
        this.meters = meters;
        this.delivered = Counter.builder("careline.outbox.delivered").description("events the back office accepted")
                .register(meters);
        this.retried = Counter.builder("careline.outbox.retried").description("failed tries that will be repeated")
                .register(meters);
        this.latency = Timer.builder("careline.outbox.delivery.latency")
                .description("from an event being written to the back office accepting it").register(meters);
        this.post = Timer.builder("careline.outbox.post").description("one POST to the back office").register(meters);
    }

    @Override
    public Future<?> start() {
        client = new BackOfficeClient(vertx, backOffice.url(), backOffice.secret(), settings.requestTimeout(),
                settings.concurrency(), () -> clock.millis() / 1000);
        log.info("back office: delivering case events to {} (consumer {}, {} people at a time)",
                shown(backOffice.url()), consumer, settings.concurrency());
        timer = vertx.setPeriodic(settings.pollInterval().toMillis(), t -> poll());
        poll();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        vertx.cancelTimer(timer);
        client.close();
        return Future.succeededFuture();
    }

    /** Takes as many due people as there is room for; called on a timer and whenever a person is done. */
    private void poll() {
        if (stopped) {
            return;
        }
        if (!polling.compareAndSet(false, true)) {
            pollAgain.set(true);
            return;
        }
        int room = settings.concurrency() - inFlight.size();
        if (room <= 0) {
            polling.set(false);
            return;
        }
        long now = clock.millis();
        store.claimDue(now, room, now + settings.claimTimeout().toMillis()).onComplete(ar -> {
            polling.set(false);
            if (ar.failed()) {
                log.warn("outbox: cannot read the index: {}", ar.cause().toString());
                return;
            }
            List<String> people = ar.result();
            backlog = people.size() == room;
            for (String person : people) {
                if (inFlight.add(person)) {
                    take(person, null);
                }
            }
            if (pollAgain.getAndSet(false) || backlog) {
                vertx.runOnContext(v -> poll());
            }
        });
    }

    /** Acknowledges {@code deliveredId} (if any) and goes on with the person's next event. */
    private void take(String person, String deliveredId) {
        if (stopped) {
            // Shutting down: acknowledge what was delivered, take nothing more.
            (deliveredId == null ? Future.<Void>succeededFuture() : store.acknowledge(person, deliveredId))
                    .onComplete(v -> done(person));
            return;
        }
        store.next(person, consumer, clock.millis(), settings.claimTimeout().toMillis(), deliveredId)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        // The index still holds the person (leased); they are looked at again after the lease.
                        log.warn("outbox: cannot take the next event of {}: {}", person, ar.cause().toString());
                        done(person);
                        return;
                    }
                    OutboxStore.Take t = ar.result();
                    switch (t.kind()) {
                        case ENTRY -> deliver(person, t.entry());
                        case EMPTY -> store.drained(person).onComplete(v -> done(person));
                        case WAIT -> store.reschedule(person, t.waitUntil()).onComplete(v -> done(person));
                        case BUSY -> done(person);
                    }
                });
    }

    private void deliver(String person, OutboxStore.Entry entry) {
        long started = System.nanoTime();
        client.post(entry).onComplete(ar -> {
            post.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            BackOfficeClient.Outcome outcome = ar.succeeded() ? ar.result()
                    : new BackOfficeClient.Outcome(DeliveryPolicy.Verdict.RETRY, 0, ar.cause().toString());
            long now = clock.millis();
            switch (outcome.verdict()) {
                case DELIVERED -> {
                    delivered.increment();
                    latency.record(Math.max(0, now - entry.writtenAtMillis()), TimeUnit.MILLISECONDS);
                    take(person, entry.streamId());
                }
                case PERMANENT -> deadLetter(person, entry, "refused: " + outcome.reason(), "refused");
                case RETRY -> {
                    if (stopped) {
                        // Most likely cut off by our own shutdown: left pending, another instance takes it over.
                        done(person);
                        return;
                    }
                    if (policy.expired(entry.writtenAtMillis(), now)) {
                        deadLetter(person, entry, "gave up after " + settings.giveUpAfter() + ": " + outcome.reason(),
                                "expired");
                        return;
                    }
                    retried.increment();
                    long wait = policy.backoff(entry.attempt(), ThreadLocalRandom.current()).toMillis();
                    log.info("outbox: event {} ({}) try {} failed ({}), next in {} ms", entry.eventId(), entry.type(),
                            entry.attempt(), outcome.reason(), wait);
                    store.scheduleRetry(person, entry.streamId(), now + wait).onComplete(v -> done(person));
                }
            }
        });
    }

    private void deadLetter(String person, OutboxStore.Entry entry, String reason, String kind) {
        store.deadLetter(person, entry, reason, clock.millis()).onComplete(ar -> {
            if (ar.failed()) {
                // Still pending here: taken over after the claim timeout and tried again.
                log.warn("outbox: event {} not moved to the dead letters: {}", entry.eventId(), ar.cause().toString());
                done(person);
                return;
            }
            meters.counter("careline.outbox.dead_lettered", "reason", kind).increment();
            log.warn("outbox: event {} ({}) moved to the dead letters after try {}: {}", entry.eventId(), entry.type(),
                    entry.attempt(), reason);
            take(person, entry.streamId());
        });
    }

    private void done(String person) {
        inFlight.remove(person);
        if (backlog) {
            poll();
        }
    }

    /** People being delivered to by this instance now (for tests). */
    public int active() {
        return inFlight.size();
    }

    /** Scheme, host and port only: a URL may carry credentials or a token in its query. */
    static String shown(String url) {
        try {
            URI u = URI.create(url);
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
        } catch (RuntimeException e) {
            return "(the configured URL)";
        }
    }
}
