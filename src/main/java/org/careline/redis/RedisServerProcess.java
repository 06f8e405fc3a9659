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
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process owned by CareLine: the embedded default when no Redis URL is
 * configured, and the server integration tests run against. Uses {@code redis-server} from PATH when
 * present, else the binary bundled in embedded-redis (Redis 6.2, no longer maintained).
 *
 * <p>Other users of the machine must not read or change the conversations it holds: it listens on loopback
 * only and asks for a random password, its folder is {@code 0700} and every file in it {@code 0600} (the
 * server runs with umask 077). The password lives in the folder's {@code redis.conf}, beside the data it
 * guards, never on a command line (which any local user can list) and never in a log; a server restarted on
 * the same folder keeps it, so clients that knew it reconnect.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisServerProcess.class);
    private static final long START_TIMEOUT_MS = 10_000;
    private static final Pattern VERSION = Pattern.compile("(?:Redis version=|\\bv=)(\\d+\\.\\d+\\.\\d+)");
    private static final Pattern MAJOR = Pattern.compile("^(\\d+)\\.");
    private static final Pattern PASSWORD_LINE = Pattern.compile("(?m)^requirepass ([0-9a-f]{64})$");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final int LAST_LINES = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Process process;
    private final int port;
    private final Path dir;
    private final String password;
    private final Path executable;
    private final boolean bundled;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private volatile String version = "unknown";
    private volatile boolean stopping;

    private RedisServerProcess(Process process, int port, Path dir, String password, Path executable, boolean bundled) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.password = password;
        this.executable = executable;
        this.bundled = bundled;
    }

    /**
     * Starts a server on {@code port} (0 = a free port) with append-only persistence in {@code dir}.
     * A server left behind by a killed JVM (its pid in {@code dir/redis.pid}) is stopped first: it would
     * otherwise keep the port and the data files.
     */
    public static RedisServerProcess start(int port, Path dir, boolean persistent) throws IOException {
        Path home = dir.toAbsolutePath();
        Files.createDirectories(home);
        ownerOnly(home);
        Path pidFile = home.resolve("redis.pid");
        stopStale(pidFile);
        int chosen = port == 0 ? freePort() : port;
        Path conf = home.resolve("redis.conf");
        String password = existingPassword(conf).orElseGet(RedisServerProcess::newPassword);
        writeOwnerOnly(conf, String.join("\n",
                "# Written by CareLine at each start. The password keeps other local users out; it stays the same",
                "# while this folder lives, so clients that knew it reconnect after a restart.",
                "port " + chosen,
                "bind 127.0.0.1",
                "protected-mode yes",
                "requirepass " + password,
                "dir " + quoted(home.toString()),
                "pidfile " + quoted(pidFile.toString()),
                "save \"\"",
                "appendonly " + (persistent ? "yes" : "no"),
                "daemonize no",
                ""));
        Optional<Path> onPath = findOnPath("redis-server");
        Path executable = onPath.isPresent() ? onPath.get() : bundledExecutable();
        // umask 077: the append-only files, their rewrites and the pidfile are created 0600 (folders 0700).
        // exec keeps the pid, so signals and the pidfile still reach redis-server itself.
        Process process = new ProcessBuilder("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$1\"",
                executable.toString(), conf.toString()).redirectErrorStream(true).start();
        RedisServerProcess server = new RedisServerProcess(process, chosen, home, password, executable, onPath.isEmpty());
        server.awaitReady();
        server.watchForExit();
        return server;
    }

    public int port() {
        return port;
    }

    /** The URL a client connects with; it holds the password, so it is a secret: never log it. */
    public String url() {
        return "redis://:" + password + "@127.0.0.1:" + port;
    }

    /** The redis-server binary that runs. */
    public Path executable() {
        return executable;
    }

    /** Its version as it reported it at start ({@code 7.0.15}), or "unknown". */
    public String version() {
        return version;
    }

    /** True when no redis-server was on PATH and embedded-redis's own binary runs. */
    public boolean bundled() {
        return bundled;
    }

    /** The bundled 6.2 line or any release before 7: no longer maintained, so no security fixes. */
    public boolean outdated() {
        if (bundled) {
            return true;
        }
        Matcher m = MAJOR.matcher(version);
        return m.find() && Integer.parseInt(m.group(1)) < 7;
    }

    /** Binary, version, port and folder, for the start-up log line; never the password. */
    public String describe() {
        return "Redis " + version + " (" + executable + (bundled ? ", bundled with embedded-redis" : "")
                + ") on 127.0.0.1:" + port + ", password-protected, data in " + dir;
    }

    private void awaitReady() throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher v = VERSION.matcher(line);
            if (v.find()) {
                version = v.group(1);
            }
            if (line.contains("Ready to accept connections")) {
                drain(out);
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                break;
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not start on port " + port + ":\n" + tail(seen));
    }

    /** Keep reading its output so the pipe never fills and blocks the server; the last lines tell why it died. */
    private void drain(BufferedReader out) {
        Thread t = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    // redis-server's own log: no personal data and no password, only its housekeeping
                    synchronized (lastLines) {
                        if (lastLines.size() == LAST_LINES) {
                            lastLines.removeFirst();
                        }
                        lastLines.addLast(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "redis-server-output");
        t.setDaemon(true);
        t.start();
    }

    /** A server that ends without being asked to is worth a loud line: no conversation can be saved now. */
    private void watchForExit() {
        process.onExit().thenAccept(p -> {
            if (stopping) {
                return;
            }
            String last;
            synchronized (lastLines) {
                last = String.join(" | ", lastLines);
            }
            log.error("redis-server (pid {}, port {}) exited unexpectedly with code {}: conversations cannot be "
                    + "saved until Redis runs again (restart CareLine). Its last lines: {}", p.pid(), port,
                    p.exitValue(), last.isEmpty() ? "-" : last);
        });
    }

    private static String tail(StringBuilder s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s.toString();
    }

    private static Path bundledExecutable() throws IOException {
        File bundled = ExecutableProvider.newJarResourceProvider().get();
        if (!bundled.canExecute() && !bundled.setExecutable(true)) {
            throw new IOException("bundled redis-server is not executable: " + bundled);
        }
        return bundled.toPath();
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

    private static Optional<String> existingPassword(Path conf) throws IOException {
        if (!Files.isRegularFile(conf)) {
            return Optional.empty();
        }
        Matcher m = PASSWORD_LINE.matcher(Files.readString(conf));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String newPassword() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A value in redis.conf's syntax: double quotes, with backslashes and quotes escaped. */
    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** The folder 0700 and what an earlier version left in it (folders 0700, files 0600). */
    private static void ownerOnly(Path home) throws IOException {
        if (!posix()) {
            return;
        }
        Files.setPosixFilePermissions(home, OWNER_ONLY_DIR);
        try (Stream<Path> entries = Files.walk(home, 2)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (p.equals(home) || Files.isSymbolicLink(p)) {
                    continue;
                }
                Files.setPosixFilePermissions(p, Files.isDirectory(p) ? OWNER_ONLY_DIR : OWNER_ONLY_FILE);
            }
        }
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(temp);
        if (posix()) {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        }
        Files.writeString(temp, text);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
        stopping = true;
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
