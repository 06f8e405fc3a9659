package org.careline.cases;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * What a back-office answer means for an event, and how long a failed one waits (DESIGN §6). Pure: tested
 * without a network or a clock.
 *
 * @param backoffBase the cap of the first retry's wait
 * @param backoffMax  the cap never grows beyond this
 * @param giveUpAfter an event this old when a try fails goes to the dead letters
 */
public record DeliveryPolicy(Duration backoffBase, Duration backoffMax, Duration giveUpAfter) {

    /** What to do with an event after a try. */
    public enum Verdict {
        /** Acknowledged: remove it. */
        DELIVERED,
        /** The back office will never take it as it is (a 4xx): to the dead letters for an operator. */
        PERMANENT,
        /** Down, overloaded, timed out or busy: try again later. */
        RETRY
    }

    /**
     * 2xx acknowledges. 408 (timeout), 409 (conflict, e.g. the case is being written) and 429 (slow down) are
     * the 4xx a later try can cure; any other 4xx is the receiver saying this event is wrong, and trying
     * again would only repeat it. Everything else (5xx, a 3xx we do not follow) may pass later.
     */
    public static Verdict verdict(int status) {
        if (status >= 200 && status < 300) {
            return Verdict.DELIVERED;
        }
        if (status >= 400 && status < 500 && status != 408 && status != 409 && status != 429) {
            return Verdict.PERMANENT;
        }
        return Verdict.RETRY;
    }

    /**
     * The wait before try {@code attempt + 1} after try {@code attempt} (1-based) failed: exponential with full
     * jitter, a uniform random time up to {@code min(max, base * 2^(attempt-1))}, so that instances retrying
     * after one outage do not all come back at the same moment.
     */
    public Duration backoff(int attempt, RandomGenerator random) {
        long base = backoffBase.toMillis();
        long max = backoffMax.toMillis();
        int doublings = Math.max(0, Math.min(attempt - 1, 40));
        long cap = base > (max >> doublings) ? max : Math.min(max, base << doublings);
        return Duration.ofMillis(random.nextLong(cap + 1));
    }

    /** True when an event written at {@code writtenAtMillis} has waited too long to be tried again. */
    public boolean expired(long writtenAtMillis, long nowMillis) {
        return nowMillis - writtenAtMillis >= giveUpAfter.toMillis();
    }
}
