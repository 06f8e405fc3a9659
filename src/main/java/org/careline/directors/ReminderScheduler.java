package org.careline.directors;

import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * Runs the reminder sweep once a day at the configured time, on every instance: each checks every
 * {@code checkEvery} whether the day is past the reminder time and not yet swept to the end. So a service
 * that was down over the reminder time sweeps once when it comes back that day (caught up, not skipped),
 * and the day's marker and claims in Redis keep a second instance, or a restart, from sending again.
 * A day missed entirely is not sent late: the next day's digest lists the same children.
 */
public final class ReminderScheduler {

    private static final Logger log = LoggerFactory.getLogger(ReminderScheduler.class);

    private final Vertx vertx;
    private final ReminderSweep sweep;
    private final Clock clock;
    private final ZoneId zone;
    private final LocalTime at;
    private final Duration every;
    private long timer = -1;
    private boolean running;

    public ReminderScheduler(Vertx vertx, ReminderSweep sweep, Clock clock, ZoneId zone, LocalTime at, Duration every) {
        this.vertx = vertx;
        this.sweep = sweep;
        this.clock = clock;
        this.zone = zone;
        this.at = at;
        this.every = every;
    }

    public void start() {
        timer = vertx.setPeriodic(0, Math.max(every.toMillis(), 10), id -> check());
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void check() {
        Instant now = clock.instant();
        if (running || now.atZone(zone).toLocalTime().isBefore(at)) {
            return;
        }
        running = true;
        sweep.sweptOn(now)
                .compose(done -> done ? io.vertx.core.Future.<ReminderSweep.Result>succeededFuture(null) : sweep.run(now))
                .onFailure(e -> log.warn("reminder sweep failed ({}); tried again at the next check", e.toString()))
                .onComplete(ar -> running = false);
    }
}
