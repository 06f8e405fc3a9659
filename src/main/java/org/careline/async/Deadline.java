package org.careline.async;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeoutException;

/**
 * A time limit on a future, kept by a timer of the calling event loop.
 *
 * <p>Vert.x's own {@code Future.timeout} schedules its timer on Netty's global executor whenever the future
 * has no context (a plain {@code Promise.promise()}, a Redis reply): two wake-ups of another thread per
 * message, one to set the timer and one to cancel it, which under load cost more than the rest of the
 * callback's bookkeeping. Here the timer is set and cancelled on the caller's own event loop.
 */
public final class Deadline {

    private Deadline() {
    }

    /**
     * {@code work}, or a failure with a {@link TimeoutException} if it has not completed within
     * {@code millis}. Call it on an event loop (a verticle's handler): the timer runs there.
     */
    public static <T> Future<T> within(Vertx vertx, Future<T> work, long millis) {
        if (work.isComplete()) {
            return work;
        }
        Promise<T> limited = Promise.promise();
        long timer = vertx.setTimer(Math.max(1, millis),
                id -> limited.tryFail(new TimeoutException("no answer within " + millis + " ms")));
        work.onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                limited.tryComplete(ar.result());
            } else {
                limited.tryFail(ar.cause());
            }
        });
        return limited.future();
    }
}
