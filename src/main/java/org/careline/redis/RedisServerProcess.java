package org.careline.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process owned by CareLine: the embedded default when no Redis URL is
 * configured, and the server integration tests run against. Uses {@code redis-server} from PATH when
 * present, else the binary bundled in embedded-redis.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisServerProcess.class);
    private static final long START_TIMEOUT_MS = 10_000;

    private final Process process;
    private final int port;
    private final Path dir;

    private RedisServerProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts a server on {@code port} (0 = a free port) with append-only persistence in {@code dir}.
     * A server left behind by a killed JVM (its pid in {@code dir/redis.pid}) is stopped first: it would
     * otherwise keep the port and the data files.
     */
    public static RedisServerProcess start(int port, Path dir, boolean persistent) throws IOException {
        Files.createDirectories(dir);
        Path pidFile = dir.resolve("redis.pid").toAbsolutePath();
        stopStale(pidFile);
        int chosen = port == 0 ? freePort() : port;
        List<String> cmd = new ArrayList<>(List.of(
                executable().getAbsolutePath(),
                "--port", Integer.toString(chosen),
                "--bind", "127.0.0.1",
                "--dir", dir.toAbsolutePath().toString(),
                "--pidfile", pidFile.toString(),
                "--save", "",
                "--appendonly", persistent ? "yes" : "no",
                "--protected-mode", "yes",
                "--daemonize", "no"));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        RedisServerProcess server = new RedisServerProcess(process, chosen, dir);
        server.awaitReady();
        return server;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    private void awaitReady() throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains("Ready to accept connections")) {
                drain(out);
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                break;
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not start on port " + port + ":\n" + tail(seen));
    }

    /** Keep reading its output so the pipe never fills and blocks the server. */
    private static void drain(BufferedReader out) {
        Thread t = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // redis-server's own log; nothing in it is personal data, but nobody reads it either
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "redis-server-output");
        t.setDaemon(true);
        t.start();
    }

    private static String tail(StringBuilder s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s.toString();
    }

    private static File executable() throws IOException {
        Optional<Path> onPath = findOnPath("redis-server");
        if (onPath.isPresent()) {
            return onPath.get().toFile();
        }
        File bundled = ExecutableProvider.newJarResourceProvider().get();
        if (!bundled.canExecute() && !bundled.setExecutable(true)) {
            throw new IOException("bundled redis-server is not executable: " + bundled);
        }
        return bundled;
    }

    private static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void stopStale(Path pidFile) {
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid)
                    .filter(p -> p.info().command().map(c -> c.contains("redis")).orElse(false))
                    .ifPresent(p -> {
                        log.warn("Stopping a redis-server (pid {}) left behind by an earlier run", pid);
                        p.destroy();
                        p.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> {
                            p.destroyForcibly();
                            return p;
                        }).join();
                    });
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            log.warn("Ignoring an unreadable redis pidfile {}", pidFile);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Stops the server (SIGTERM lets it flush the append-only file), then waits for it. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** For a test of a stalled Redis (a long fork, a swapping host): SIGSTOP it, then {@link #resume()}. */
    public void pause() {
        signal("-STOP");
    }

    public void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** For a test of crash recovery: stop it hard, as a power cut would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Path dir() {
        return dir;
    }
}
