package org.careline.redis;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.careline.testing.Await;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redis server CareLine starts for itself, as another user of the same machine would find it. */
class RedisServerProcessIT {

    static Path folder(String name) throws IOException {
        return Files.createTempDirectory(Path.of("target"), name);
    }

    /** The password inside {@code redis://:<password>@host:port}. */
    static String password(RedisServerProcess server) {
        String url = server.url();
        return url.substring("redis://:".length(), url.indexOf('@'));
    }

    /** One command in Redis's inline protocol over a raw socket; the first line of the answer. */
    static String command(Socket socket, String... lines) throws IOException {
        OutputStream out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String last = null;
        for (String line : lines) {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            last = in.readLine();
        }
        return last;
    }

    /** A command whose answer is one bulk string ({@code $<length>} then the bytes). */
    static String bulk(Socket socket, String line) throws IOException {
        socket.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        var in = socket.getInputStream();
        StringBuilder header = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            header.append((char) c);
        }
        int length = Integer.parseInt(header.toString().trim().substring(1));
        byte[] body = in.readNBytes(length + 2);
        return new String(body, 0, length, StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("Without the password another local process gets nothing; with it, the server listens on loopback only")
    void passwordAndLoopback() throws Exception {
        try (RedisServerProcess server = RedisServerProcess.start(0, folder("redis-auth-"), false);
             Socket stranger = new Socket("127.0.0.1", server.port());
             Socket owner = new Socket("127.0.0.1", server.port())) {
            stranger.setSoTimeout(5000);
            owner.setSoTimeout(5000);
            assertThat(command(stranger, "PING")).startsWith("-NOAUTH");
            assertThat(command(stranger, "GET anything")).startsWith("-NOAUTH");
            assertThat(password(server)).hasSize(64);
            assertThat(command(owner, "AUTH " + password(server))).isEqualTo("+OK");
            BufferedReader in = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
            owner.getOutputStream().write("CONFIG GET bind\r\n".getBytes(StandardCharsets.UTF_8));
            List<String> reply = List.of(in.readLine(), in.readLine(), in.readLine(), in.readLine(), in.readLine());
            assertThat(reply.get(4)).isEqualTo("127.0.0.1");
        }
    }

    @Test
    @DisplayName("The password is on no command line another user could list, and each folder gets its own")
    void passwordNotOnCommandLine() throws Exception {
        Path a = folder("redis-cmdline-");
        try (RedisServerProcess server = RedisServerProcess.start(0, a, false);
             RedisServerProcess other = RedisServerProcess.start(0, folder("redis-cmdline-"), false)) {
            long pid = Long.parseLong(Files.readString(a.resolve("redis.pid")).trim());
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
            assertThat(cmdline).contains("redis").doesNotContain(password(server));
            assertThat(password(other)).isNotEqualTo(password(server));
        }
    }

    @Test
    @DisplayName("Its folder is 0700 and every file in it 0600, including files an earlier version left readable")
    void ownerOnlyFiles() throws Exception {
        Path dir = folder("redis-perms-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path old = Files.writeString(dir.resolve("appendonly.aof.old"), "left by an earlier run");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));
        try (RedisServerProcess server = RedisServerProcess.start(0, dir, true);
             Socket owner = new Socket("127.0.0.1", server.port())) {
            owner.setSoTimeout(5000);
            assertThat(command(owner, "AUTH " + password(server), "SET k v", "BGREWRITEAOF")).startsWith("+");
            // The rewrite writes new files: they must be born 0600 too.
            Await.until(Duration.ofSeconds(10), "the rewrite finished", () -> {
                try {
                    String info = bulk(owner, "INFO persistence");
                    return info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0");
                } catch (IOException e) {
                    return false;
                }
            });
            assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            try (Stream<Path> all = Files.walk(dir)) {
                List<Path> entries = all.filter(p -> !p.equals(dir)).toList();
                assertThat(entries).extracting(p -> p.getFileName().toString())
                        .contains("redis.conf", "redis.pid", "appendonly.aof.old");
                assertThat(entries).anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("appendonly"));
                for (Path p : entries) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
                            .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
                }
            }
        }
    }

    @Test
    @DisplayName("Restarted on the same folder it keeps its password, so a connected client carries on")
    void restartKeepsPassword() throws Exception {
        Path dir = folder("redis-restart-");
        String first;
        int port;
        try (RedisServerProcess server = RedisServerProcess.start(0, dir, true)) {
            first = server.url();
            port = server.port();
        }
        try (RedisServerProcess again = RedisServerProcess.start(port, dir, true)) {
            assertThat(again.url()).isEqualTo(first);
        }
    }

    @Test
    @DisplayName("It says which binary and version run, and a server that dies unasked is logged as an error")
    void versionAndDeath() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RedisServerProcess.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (RedisServerProcess server = RedisServerProcess.start(0, folder("redis-death-"), false)) {
            assertThat(server.version()).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(Files.isExecutable(server.executable())).isTrue();
            assertThat(server.describe()).contains(server.version()).contains(server.executable().toString())
                    .doesNotContain(password(server));
            assertThat(server.outdated()).isEqualTo(server.bundled() || server.version().startsWith("6."));
            server.kill();
            Await.until(Duration.ofSeconds(10), "the death logged", () -> logs.list.stream()
                    .anyMatch(e -> e.getLevel() == Level.ERROR && e.getFormattedMessage().contains("exited unexpectedly")));
        } finally {
            logger.detachAppender(logs);
        }
        // Stopping it on purpose is not an error.
        logs.list.clear();
        logs.start();
        logger.addAppender(logs);
        try {
            RedisServerProcess.start(0, folder("redis-stop-"), false).close();
            assertThat(logs.list).noneSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.ERROR));
        } finally {
            logger.detachAppender(logs);
        }
    }
}
