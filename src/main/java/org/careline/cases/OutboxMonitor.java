package org.careline.cases;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Keeps the outbox gauges ({@code careline.outbox.depth}, {@code careline.outbox.oldest.age},
 * {@code careline.outbox.people}, {@code careline.outbox.dead_letters}) fresh. Runs whether or not this
 * instance delivers: events waiting with no back office configured are exactly what an operator must see.
 */
public final class OutboxMonitor {

    private static final Logger log = LoggerFactory.getLogger(OutboxMonitor.class);
    /** Streams read per refresh; beyond that the people gauge is the index size and depth a lower bound. */
    public static final int MAX_PEOPLE = 10_000;

    private final Vertx vertx;
    private final OutboxStore store;
    private volatile OutboxStore.Stats last = new OutboxStore.Stats(0, 0, 0, 0, false);
    private long timer;

    private OutboxMonitor(Vertx vertx, OutboxStore store) {
        this.vertx = vertx;
        this.store = store;
    }

    public static OutboxMonitor start(Vertx vertx, OutboxStore store, MeterRegistry meters, Duration every) {
        OutboxMonitor m = new OutboxMonitor(vertx, store);
        Gauge.builder("careline.outbox.depth", m, x -> x.last.depth()).description("events waiting for delivery")
                .register(meters);
        Gauge.builder("careline.outbox.people", m, x -> x.last.people()).description("people with events waiting")
                .register(meters);
        Gauge.builder("careline.outbox.oldest.age", m, OutboxMonitor::oldestAgeSeconds).baseUnit("seconds")
                .description("age of the oldest event waiting for delivery").register(meters);
        Gauge.builder("careline.outbox.dead_letters", m, x -> x.last.deadLetters())
                .description("events in the dead-letter stream").register(meters);
        m.refresh();
        m.timer = vertx.setPeriodic(every.toMillis(), t -> m.refresh());
        return m;
    }

    private double oldestAgeSeconds() {
        long oldest = last.oldestWrittenAtMillis();
        return oldest == 0 ? 0 : Math.max(0, store.clock().millis() - oldest) / 1000.0;
    }

    private void refresh() {
        store.stats(MAX_PEOPLE).onSuccess(s -> last = s)
                .onFailure(e -> log.debug("outbox gauges not refreshed: {}", e.toString()));
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }
}
