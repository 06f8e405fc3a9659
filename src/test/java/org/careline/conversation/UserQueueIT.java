package org.careline.conversation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.careline.testing.Await;
import org.careline.testing.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-person ordering across instances: two queues (two CareLine instances) on one Redis. */
class UserQueueIT {

    static TestRedis redis;
    static Vertx vertx;
    static RedisAPI api;

    @BeforeAll
    static void start() {
        redis = TestRedis.start();
        vertx = Vertx.vertx();
        api = RedisAPI.api(Redis.createClient(vertx, redis.url()));
    }

    @AfterAll
    static void stop() {
        Await.result(vertx.close());
        redis.close();
    }

    @Test
    @DisplayName("One person's steps never overlap, even when two instances get their messages at once")
    void noOverlapAcrossInstances() {
        UserQueue first = new UserQueue(vertx, RedisAPI.api(Redis.createClient(vertx, redis.url())), Duration.ofSeconds(10));
        UserQueue second = new UserQueue(vertx, RedisAPI.api(Redis.createClient(vertx, redis.url())), Duration.ofSeconds(10));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        // A read-modify-write with a gap in the middle, as a conversation step is: overlapping runs lose updates.
        int[] counter = {0};
        List<Future<Integer>> steps = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            UserQueue queue = i % 2 == 0 ? first : second;
            steps.add(queue.run("o-queue-it", () -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                int read = counter[0];
                return vertx.timer(2).map(t -> {
                    counter[0] = read + 1;
                    running.decrementAndGet();
                    return read + 1;
                });
            }));
        }
        Await.result(Future.all(steps));
        assertThat(maxRunning.get()).isEqualTo(1);
        assertThat(counter[0]).isEqualTo(40);
        assertThat(Await.result(api.exists(List.of(org.careline.redis.RedisKeys.userLock("o-queue-it")))).toInteger())
                .as("the lock is released").isZero();
    }

    @Test
    @DisplayName("Within one instance a person's messages run in the order they arrived")
    void arrivalOrder() {
        UserQueue queue = new UserQueue(vertx, api, Duration.ofSeconds(10));
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<Future<Void>> steps = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            // Earlier tasks take longer: without the queue, later ones would finish first.
            steps.add(queue.run("o-order-it", () -> vertx.timer(20 - n).map(t -> {
                order.add(n);
                return null;
            })));
        }
        Await.result(Future.all(steps));
        assertThat(order).isSorted().hasSize(20);
    }

    @Test
    @DisplayName("A failed step does not block the person's next message")
    void failureDoesNotBlock() {
        UserQueue queue = new UserQueue(vertx, api, Duration.ofSeconds(10));
        Future<Void> failing = queue.run("o-fail-it", () -> Future.failedFuture(new IllegalStateException("boom")));
        Future<String> next = queue.run("o-fail-it", () -> Future.succeededFuture("next"));
        assertThat(Await.result(next)).isEqualTo("next");
        assertThat(failing.failed()).isTrue();
    }
}
