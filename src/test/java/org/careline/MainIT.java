package org.careline;

import org.careline.redis.RedisServerProcess;
import org.careline.testing.Await;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code org.careline.Main} as an operator runs it: a separate JVM, configured only through the
 * environment, with nothing configured meaning sandbox mode and an embedded Redis.
 */
class MainIT {

    static Process launch(Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.careline.Main")
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("CARELINE_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * Like {@link #launch}, with the output going to {@code log}: what a process prints while it exits (its
     * shutdown hook) can be lost from a pipe, whose reader the JDK closes when the process ends.
     */
    static Process launch(Map<String, String> env, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.careline.Main")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CARELINE_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    static List<String> collect(Process p) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return lines;
    }

    @Test
    @DisplayName("A bad configuration value stops the service at start with one line naming the key")
    void badConfigStops() throws Exception {
        Process p = launch(Map.of("CARELINE_WECHAT_REPLY_BUDGET", "soon"));
        List<String> out = collect(p);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        Await.until(Duration.ofSeconds(5), "output read", () -> !out.isEmpty());
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).startsWith("careline: configuration error: wechat.replyBudget (CARELINE_WECHAT_REPLY_BUDGET)");
    }

    @Test
    @DisplayName("A bad Redis URL with a password stops the service at start with one line that never shows the password")
    void badRedisUrlNotEchoed() throws Exception {
        Process p = launch(Map.of("CARELINE_REDIS_URL", "redis://:Hunter2-s3cret@redis.internal:63 79"));
        List<String> out = collect(p);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        Await.until(Duration.ofSeconds(5), "output read", () -> !out.isEmpty());
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).startsWith("careline: configuration error: redis.url (CARELINE_REDIS_URL): ")
                .doesNotContain("Hunter2").doesNotContain("redis.internal");

        Process q = launch(Map.of("CARELINE_REDIS_URL", "redis://:Hunter2-s3cret@redis.internal:notaport"));
        List<String> out2 = collect(q);
        assertThat(q.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(q.exitValue()).isEqualTo(2);
        Await.until(Duration.ofSeconds(5), "output read", () -> !out2.isEmpty());
        assertThat(String.join("\n", out2)).startsWith("careline: configuration error: redis.url (CARELINE_REDIS_URL): ")
                .doesNotContain("Hunter2");
    }

    @Test
    @DisplayName("Killed without warning in the middle of a help request, the restarted service carries on")
    void crashInTheMiddle() throws Exception {
        try (org.careline.testing.TestRedis redis = org.careline.testing.TestRedis.start()) {
            int admin = RedisServerProcess.freePort();
            Map<String, String> env = Map.of(
                    "CARELINE_HTTP_PORT", Integer.toString(RedisServerProcess.freePort()),
                    "CARELINE_ADMIN_PORT", Integer.toString(admin),
                    "CARELINE_REDIS_URL", redis.url());
            HttpClient client = HttpClient.newHttpClient();
            Process first = launch(env);
            List<String> out = collect(first);
            Await.until(Duration.ofSeconds(30), "CareLine started", () -> out.stream().anyMatch(l -> l.contains("CareLine started")));
            assertThat(simulate(client, admin, "我想申请帮助")).contains("同意");
            assertThat(simulate(client, admin, "同意")).contains("怎么称呼");
            first.destroyForcibly();
            assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();

            Process second = launch(env);
            List<String> out2 = collect(second);
            try {
                Await.until(Duration.ofSeconds(30), "CareLine restarted", () -> out2.stream().anyMatch(l -> l.contains("CareLine started")));
                assertThat(simulate(client, admin, "王女士")).contains("什么人");
            } finally {
                second.destroy();
                second.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** A text from the sandbox's parent persona, through the simulator (a signed POST /wechat); the reply text. */
    static String simulate(HttpClient client, int admin, String text) throws Exception {
        String body = new io.vertx.core.json.JsonObject().put("openid", "o-crash-it").put("type", "text")
                .put("content", text).encode();
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/sandbox/api/send"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new io.vertx.core.json.JsonObject(r.body()).getString("reply", "");
    }

    @Test
    @DisplayName("A start that fails (the internal port is taken) says which port and leaves no redis-server behind")
    void failedStartCleansUp() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "failed-start-");
        int redisPort = RedisServerProcess.freePort();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Process p = launch(Map.of(
                    "CARELINE_HTTP_PORT", Integer.toString(RedisServerProcess.freePort()),
                    "CARELINE_ADMIN_PORT", Integer.toString(taken.getLocalPort()),
                    "CARELINE_REDIS_EMBEDDED_PORT", Integer.toString(redisPort),
                    "CARELINE_REDIS_DATA_DIR", data.toString()));
            List<String> out = collect(p);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            Await.until(Duration.ofSeconds(5), "failure logged", () -> out.stream().anyMatch(l -> l.contains("failed to start")));
            assertThat(String.join("\n", out)).contains("internal port (CARELINE_ADMIN_PORT)")
                    .contains(":" + taken.getLocalPort());
        }
        assertThat(Files.exists(data.resolve("redis.pid"))).as("the embedded redis-server was stopped").isFalse();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", redisPort), 500);
            throw new AssertionError("a redis-server still listens on " + redisPort);
        } catch (java.io.IOException expected) {
            // nothing listens: good
        }
    }

    @Test
    @DisplayName("Invalid flows stop the start with every problem listed (exit 2): no port ever answered, no "
            + "redis-server left behind, though both started while the flows were loading")
    void invalidFlowsStop() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "invalid-flows-");
        Path flows = Files.createTempDirectory(Path.of("target"), "flows-");
        for (Path f : Files.list(Path.of("conversation-flows")).filter(f -> f.toString().endsWith(".yaml")).toList()) {
            Files.copy(f, flows.resolve(f.getFileName()));
        }
        Path menu = flows.resolve("menu.yaml");
        Files.writeString(menu, Files.readString(menu).replace("next: director-menu", "next: no-such-node"));
        int httpPort = RedisServerProcess.freePort();
        int redisPort = RedisServerProcess.freePort();
        Process p = launch(Map.of(
                "CARELINE_HTTP_PORT", Integer.toString(httpPort),
                "CARELINE_ADMIN_PORT", Integer.toString(RedisServerProcess.freePort()),
                "CARELINE_CONVERSATION_FLOWS_DIR", flows.toString(),
                "CARELINE_REDIS_EMBEDDED_PORT", Integer.toString(redisPort),
                "CARELINE_REDIS_DATA_DIR", data.toString()));
        List<String> out = collect(p);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        Await.until(Duration.ofSeconds(5), "problems printed", () -> out.stream().anyMatch(l -> l.contains("menu.yaml")));
        assertThat(String.join("\n", out)).contains("careline: the conversation flows are invalid:")
                .doesNotContain("CareLine started");
        assertThat(Files.exists(data.resolve("redis.pid"))).as("the embedded redis-server was stopped").isFalse();
        for (int port : new int[] {redisPort, httpPort}) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
                throw new AssertionError("something still listens on " + port);
            } catch (java.io.IOException expected) {
                // nothing listens: good
            }
        }
    }

    static String redisCommand(int port, String command) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    @DisplayName("The embedded Redis: a password never logged, owner-only files, its binary and version in the log, "
            + "a line when it dies and one when the service stops")
    void embeddedRedisLockedDown() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "embedded-locked-");
        // What an earlier version left: a readable folder.
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = Files.createTempFile(Path.of("target"), "embedded-locked-", ".log");
        int redisPort = RedisServerProcess.freePort();
        Process p = launch(Map.of(
                "CARELINE_HTTP_PORT", Integer.toString(RedisServerProcess.freePort()),
                "CARELINE_ADMIN_PORT", Integer.toString(RedisServerProcess.freePort()),
                "CARELINE_REDIS_EMBEDDED_PORT", Integer.toString(redisPort),
                "CARELINE_REDIS_DATA_DIR", data.toString()), log);
        try {
            Await.until(Duration.ofSeconds(30), "CareLine started", () -> lines(log).stream().anyMatch(l -> l.contains("CareLine started")));
            // Another local user (or a process in another container sharing the network) gets nothing.
            assertThat(redisCommand(redisPort, "PING")).startsWith("-NOAUTH");
            assertThat(redisCommand(redisPort, "KEYS *")).startsWith("-NOAUTH");

            assertThat(lines(log)).anySatisfy(l -> assertThat(l).contains("embedded Redis 7.").contains("/redis-server")
                    .contains("password-protected"));
            String conf = Files.readString(data.resolve("redis.conf"));
            String password = conf.replaceAll("(?s).*requirepass ([0-9a-f]+).*", "$1");
            assertThat(password).hasSize(64);
            assertThat(Files.readString(log)).doesNotContain(password);

            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                    .isEqualTo("rwx------");
            try (var files = Files.walk(data)) {
                for (Path f : files.filter(f -> !f.equals(data)).toList()) {
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                            .as(f.toString()).isEqualTo(Files.isDirectory(f) ? "rwx------" : "rw-------");
                }
            }

            long redisPid = Long.parseLong(Files.readString(data.resolve("redis.pid")).trim());
            ProcessHandle.of(redisPid).orElseThrow().destroyForcibly();
            Await.until(Duration.ofSeconds(10), "the death of Redis logged",
                    () -> lines(log).stream().anyMatch(l -> l.contains("ERROR") && l.contains("exited unexpectedly")));
        } finally {
            p.destroy();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lines(log)).anySatisfy(l -> assertThat(l).contains("CareLine stopping"))
                .anySatisfy(l -> assertThat(l).contains("CareLine stopped in"));
    }

    @Test
    @DisplayName("With no redis-server on PATH the bundled one runs, and the log warns that it is an old release")
    void bundledRedisWarned() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "embedded-bundled-");
        // A PATH without redis-server; embedded-redis needs uname to pick its binary.
        Path bin = Files.createTempDirectory(Path.of("target"), "path-without-redis-");
        Files.createSymbolicLink(bin.resolve("uname"), Path.of("/usr/bin/uname"));
        Process p = launch(Map.of(
                "PATH", bin.toAbsolutePath().toString(),
                "CARELINE_HTTP_PORT", Integer.toString(RedisServerProcess.freePort()),
                "CARELINE_ADMIN_PORT", Integer.toString(RedisServerProcess.freePort()),
                "CARELINE_REDIS_EMBEDDED_PORT", Integer.toString(RedisServerProcess.freePort()),
                "CARELINE_REDIS_DATA_DIR", data.toString()));
        List<String> out = collect(p);
        try {
            Await.until(Duration.ofSeconds(30), "CareLine started", () -> out.stream().anyMatch(l -> l.contains("CareLine started")));
            assertThat(out).anySatisfy(l -> assertThat(l).contains("embedded Redis 6.2.").contains("bundled with embedded-redis"));
            assertThat(out).anySatisfy(l -> assertThat(l).contains("WARN").contains("old release")
                    .contains("apt-get install redis-server"));
        } finally {
            p.destroy();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    @DisplayName("With nothing configured it starts in sandbox mode on an embedded Redis that persists across restarts")
    void sandboxWithEmbeddedRedis() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "embedded-");
        int http = RedisServerProcess.freePort();
        int admin = RedisServerProcess.freePort();
        int redisPort = RedisServerProcess.freePort();
        Map<String, String> env = Map.of(
                "CARELINE_HTTP_PORT", Integer.toString(http),
                "CARELINE_ADMIN_PORT", Integer.toString(admin),
                "CARELINE_REDIS_EMBEDDED_PORT", Integer.toString(redisPort),
                "CARELINE_REDIS_DATA_DIR", data.toString(),
                "CARELINE_ADMIN_TOKEN", "main-it-admin-token");
        HttpClient client = HttpClient.newHttpClient();
        List<Long> startTimes = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            long t0 = System.nanoTime();
            Process p = launch(env);
            List<String> out = collect(p);
            try {
                Await.until(Duration.ofSeconds(30), "CareLine started", () -> out.stream().anyMatch(l -> l.contains("CareLine started")));
                startTimes.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                assertThat(String.join("\n", out.subList(0, Math.min(8, out.size())))).contains("SANDBOX MODE");
                var ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
                var health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                if (run == 0) {
                    // Something to persist: a follow through the simulator (a real signed POST /wechat).
                    var sent = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/sandbox/api/send"))
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"openid\":\"o-main-it\",\"type\":\"follow\"}"))
                                    .header("Content-Type", "application/json").build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    assertThat(sent.body()).contains("申请帮助");
                } else {
                    // The conversation saved by the first run came back from the append-only file.
                    var conv = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
                                    + "/api/admin/conversations/o-main-it"))
                                    .header("Authorization", "Bearer main-it-admin-token").build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(conv.statusCode()).as(conv.body()).isEqualTo(200);
                }
            } finally {
                p.destroy();
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Files.exists(data.resolve("redis.pid"))).as("embedded Redis stopped with the service").isFalse();
        }
        // The append-only file survived the first run and was loaded by the second.
        try (var files = Files.walk(data)) {
            assertThat(files.anyMatch(f -> f.getFileName().toString().startsWith("appendonly"))).isTrue();
        }
        System.out.println("start-up to 'CareLine started' (ms, including JVM start): " + startTimes);
    }
}
