package org.careline.redis;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.PooledRedisConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Redis client that gives each event loop one connection of its own and pipelines every command of that
 * loop on it.
 *
 * <p>The pooled client leases a connection per command, and the connection it leases usually belongs to
 * another event loop: each command then crosses threads twice (send, reply) and goes through the pool's
 * bookkeeping, which under load cost more CPU than the command itself. Here a command sent from an event
 * loop is written and answered on that loop. Commands from elsewhere (worker threads, start-up) go through
 * the pooled client. A connection that fails or closes is dropped and the next command opens a new one;
 * commands in flight on it fail, as they would on a pooled connection. Works for the standalone, sentinel
 * and cluster set-ups alike (it asks a client of the same options for its connection). No command used
 * here blocks the server (no BLPOP, no XREAD BLOCK), so sharing a connection delays nobody.
 *
 * <p>Writes to a loop's connection are flushed once per turn of the loop, not once per command: the commands
 * that the HTTP requests read in one turn produce leave in one write, and Redis reads them in one read and
 * answers them in one write (Netty's {@link FlushConsolidationHandler}; Vert.x flushes every write made outside
 * the connection's own reads at once). Under load that is a fraction of the system calls on both sides; a
 * lone command waits for nothing but the end of the current turn.
 */
public final class LoopRedis implements Redis {

    private static final Logger LOG = LoggerFactory.getLogger(LoopRedis.class);

    private final Vertx vertx;
    private final RedisOptions options;
    private final Redis pooled;
    private final Map<Thread, Link> links = new ConcurrentHashMap<>();

    public LoopRedis(Vertx vertx, RedisOptions options) {
        this.vertx = vertx;
        this.options = options;
        this.pooled = Redis.createClient(vertx, options);
    }

    @Override
    public Future<Response> send(Request request) {
        Link link = link();
        if (link == null) {
            return pooled.send(request);
        }
        // A full pipeline (thousands waiting) sends through the pool rather than failing.
        return link.connection().compose(c -> c.pendingQueueFull() ? pooled.send(request) : c.send(request));
    }

    @Override
    public Future<List<Response>> batch(List<Request> requests) {
        Link link = link();
        if (link == null) {
            return pooled.batch(requests);
        }
        return link.connection().compose(c -> c.pendingQueueFull() ? pooled.batch(requests) : c.batch(requests));
    }

    @Override
    public Future<RedisConnection> connect() {
        return pooled.connect();
    }

    @Override
    public Future<Void> close() {
        List<Future<Void>> closing = new ArrayList<>();
        links.values().forEach(link -> closing.add(link.client.close()));
        links.clear();
        closing.add(pooled.close());
        return Future.join(closing).mapEmpty();
    }

    /** This event loop's link, or null off the event loops. */
    private Link link() {
        Context context = Vertx.currentContext();
        if (context == null || !context.isEventLoopContext()) {
            return null;
        }
        return links.computeIfAbsent(Thread.currentThread(), t -> new Link(Redis.createClient(vertx, options)));
    }

    /** One event loop's connection; only that loop's thread touches {@code current}. */
    private static final class Link {
        final Redis client;
        Future<RedisConnection> current;

        Link(Redis client) {
            this.client = client;
        }

        Future<RedisConnection> connection() {
            Future<RedisConnection> c = current;
            if (c != null) {
                return c;
            }
            Future<RedisConnection> opening = client.connect();
            current = opening;
            Runnable drop = () -> {
                if (current == opening) {
                    current = null;
                }
            };
            opening.onFailure(e -> drop.run()).onSuccess(conn -> {
                consolidateFlushes(conn);
                conn.exceptionHandler(e -> {
                    drop.run();
                    conn.close();
                });
                conn.endHandler(v -> drop.run());
            });
            return opening;
        }
    }

    /**
     * Puts a {@link FlushConsolidationHandler} in front of the connection's Vert.x handler. Vert.x's Redis client
     * does not expose its socket; when its shape is not the one expected (another version, a cluster or sentinel
     * connection), the connection works as before, flushing every command.
     */
    static boolean consolidateFlushes(RedisConnection connection) {
        try {
            Object actual = connection instanceof PooledRedisConnection pooled ? pooled.actual() : connection;
            java.lang.reflect.Field field = actual.getClass().getDeclaredField("netSocket");
            field.setAccessible(true);
            if (!(field.get(actual) instanceof NetSocketInternal socket)) {
                return false;
            }
            ChannelHandlerContext vertxHandler = socket.channelHandlerContext();
            if (vertxHandler.pipeline().get(FlushConsolidationHandler.class) == null) {
                vertxHandler.pipeline().addBefore(vertxHandler.name(), "flush-consolidation",
                        new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Redis writes flushed one by one ({})", e.toString());
            return false;
        }
    }
}
