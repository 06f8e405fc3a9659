package org.careline.testing;

import org.careline.redis.RedisServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real redis-server on a free loopback port for one test class; stopped by {@link #close()}. */
public final class TestRedis implements AutoCloseable {

    private final RedisServerProcess server;

    private TestRedis(RedisServerProcess server) {
        this.server = server;
    }

    public static TestRedis start() {
        try {
            Path dir = Files.createTempDirectory(Path.of("target"), "redis-it-");
            return new TestRedis(RedisServerProcess.start(0, dir, true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return server.url();
    }

    public int port() {
        return server.port();
    }

    public RedisServerProcess server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
