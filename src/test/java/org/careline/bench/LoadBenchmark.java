package org.careline.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import org.careline.redis.RedisServerProcess;
import org.careline.testing.Await;
import org.careline.testing.WeChatClient;
import org.careline.wechat.WeChatCrypto;
import org.careline.wechat.WeChatSignature;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load on the public port, CareLine against a bare Vert.x + Redis service ({@link BaselineServer}) in the
 * same run, in plain and in safe mode. Each server under test runs in a JVM of its own (same flags for
 * both: none), so that its peak RSS ({@code VmHWM}) can be read; all share one redis-server; the load
 * generator is this JVM: HTTP/1.1 written and read over Vert.x's TCP client, as lean as wrk, so that it takes as
 * little of the shared cores as it can. Everything is on loopback, on one machine.
 *
 * <p>10,000 people send signed text messages that move them between the menu and the flows; 64
 * connections, each sending its next message when the previous answer has arrived; a person's messages
 * never overlap. Per mode, both servers run side by side; each gets a warm-up, then its measured seconds are
 * taken in {@code bench.rounds} windows, the two targets in turn, so that a slower minute of the shared machine
 * falls on both. Not part of the test run (the name ends in Benchmark):
 * {@code mvn -q test -Dtest=LoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (options: {@code -Dbench.seconds=20 -Dbench.rounds=4 -Dbench.warmup=60 -Dbench.connections=64
 * -Dbench.people=10000}).
 * Writes {@code target/benchmark-callback.txt}.
 */
class LoadBenchmark {

    static final int PEOPLE = Integer.getInteger("bench.people", 10_000);
    static final int CONNECTIONS = Integer.getInteger("bench.connections", 64);
    static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    /**
     * Long enough for the JIT to finish with CareLine's message path on 2 shared cores (it compiles for about
     * 40 s; the report gives the compile time left inside the measured period, which should be near zero).
     */
    static final int WARMUP = Integer.getInteger("bench.warmup", 60);
    /** The measured seconds of each target are taken in this many windows, the targets of a mode in turn. */
    static final int ROUNDS = Integer.getInteger("bench.rounds", 4);
    /** Extra JVM options for the servers under test, e.g. {@code -XX:StartFlightRecording=filename=x.jfr}. */
    static final String SERVER_JVM_ARGS = System.getProperty("bench.serverJvmArgs", "");
    /** Which targets run, by name without spaces: {@code CareLine-plain,baseline-plain,...}; empty = all. */
    static final String ONLY = System.getProperty("bench.targets", "");
    static final String TOKEN = "bench-token";
    static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    /** Menu, a help request begun and left, the case list, a change report begun and left, a greeting. */
    static final List<String> MOVES = List.of("菜单", "1", "同意", "王女士", "菜单", "3", "菜单", "2", "菜单", "你好");

    record Target(String name, boolean careline, boolean safe) {}

    /** CPU time per message during the measured period, in microseconds, of each process on the machine's cores. */
    record Cpu(double server, double generator, double redis) {}

    record Figures(Target target, long messages, double seconds, long errors, long success, double p50, double p99,
                   double p999, double max, long peakRssKib, Cpu cpu, long jitMillis) {
        double rate() {
            return messages / seconds;
        }
    }

    @Test
    @DisplayName("Benchmark: CareLine and a bare Vert.x + Redis baseline under the same load, plain and safe mode")
    void load() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "bench"));
        Vertx vertx = Vertx.vertx();
        List<Figures> all = new ArrayList<>();
        try (RedisServerProcess redis = RedisServerProcess.start(0, Files.createTempDirectory(dir, "redis-"), false)) {
            NetClient client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
            for (boolean safe : new boolean[] {false, true}) {
                List<Server> servers = new ArrayList<>();
                try {
                    for (boolean careline : new boolean[] {false, true}) {
                        Target target = new Target((careline ? "CareLine" : "baseline") + (safe ? " safe" : " plain"),
                                careline, safe);
                        if (ONLY.isEmpty() || List.of(ONLY.split(",")).contains(target.name().replace(' ', '-'))) {
                            servers.add(Server.start(target, redis, dir));
                        }
                    }
                    for (Server server : servers) {
                        server.warmUp(vertx, client);
                    }
                    // The machine's speed drifts (other tenants): short windows taken in turn give each target
                    // the same share of good and bad moments.
                    for (int round = 0; round < ROUNDS; round++) {
                        for (Server server : servers) {
                            server.measure(vertx, client, redis, Math.max(1, SECONDS / ROUNDS));
                        }
                    }
                    servers.forEach(server -> all.add(server.figures()));
                } finally {
                    servers.forEach(Server::stop);
                }
            }
        } finally {
            Await.result(vertx.close());
        }
        String report = report(all);
        System.out.print(report);
        Files.writeString(Path.of("target/benchmark-callback.txt"), report);
        for (Figures f : all) {
            assertThat(f.errors()).as(f.target().name() + " errors").isZero();
        }
    }

    /** One server under test, in a JVM of its own, and what its measured windows added up to. */
    static final class Server {
        final Target target;
        final Process process;
        final int port;
        final WeChatCrypto crypto;
        final String prefix;
        int[] cursors = new int[PEOPLE];
        long messages;
        double seconds;
        long errors;
        long success;
        long[] latencies = new long[0];
        long[] cpu = new long[3];
        long jit;

        private Server(Target target, Process process, int port) {
            this.target = target;
            this.process = process;
            this.port = port;
            this.crypto = target.safe() ? new WeChatCrypto(TOKEN, BaselineServer.APP_ID, AES_KEY) : null;
            this.prefix = "o-" + target.name().replace(' ', '-') + "-" + System.nanoTime() + "-";
        }

        static Server start(Target target, RedisServerProcess redis, Path dir) throws Exception {
            int port = RedisServerProcess.freePort();
            Map<String, String> env = new HashMap<>();
            String main;
            if (target.careline()) {
                main = "org.careline.Main";
                env.put("CARELINE_HTTP_PORT", Integer.toString(port));
                env.put("CARELINE_HTTP_HOST", "127.0.0.1");
                env.put("CARELINE_ADMIN_PORT", Integer.toString(RedisServerProcess.freePort()));
                env.put("CARELINE_REDIS_URL", redis.url());
                // One INFO line per message would measure the log file, not the service.
                env.put("CARELINE_LOG_LEVEL", "WARN");
                env.put("CARELINE_WECHAT_TOKEN", TOKEN);
                if (target.safe()) {
                    env.put("CARELINE_WECHAT_AES_KEY", AES_KEY);
                }
            } else {
                main = BaselineServer.class.getName();
                env.put("BASELINE_PORT", Integer.toString(port));
                env.put("BASELINE_REDIS_URL", redis.url());
                env.put("BASELINE_TOKEN", TOKEN);
                if (target.safe()) {
                    env.put("BASELINE_AES_KEY", AES_KEY);
                }
            }
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            if (!SERVER_JVM_ARGS.isBlank()) {
                command.addAll(List.of(SERVER_JVM_ARGS.trim().split("\\s+")));
            }
            // The test class path carries logback-test.xml (INFO for everything): the servers log as in production.
            command.add("-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath());
            command.addAll(List.of("-cp", classpath, main));
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().keySet().removeIf(k -> k.startsWith("CARELINE_"));
            pb.environment().putAll(env);
            pb.redirectErrorStream(true).redirectOutput(dir.resolve(target.name().replace(' ', '-') + ".log").toFile());
            Server server = new Server(target, pb.start(), port);
            try {
                awaitHealth(port, server.process);
            } catch (AssertionError | RuntimeException e) {
                server.stop();
                throw e;
            }
            return server;
        }

        void warmUp(Vertx vertx, NetClient client) {
            Load warm = new Load(prefix, crypto);
            warm.cursors = cursors;
            warm.run(vertx, client, port, WARMUP);
        }

        /** One measured window of {@code windowSeconds}, added to the totals. */
        void measure(Vertx vertx, NetClient client, RedisServerProcess redis, int windowSeconds) throws IOException {
            Load load = new Load(prefix, crypto);
            load.cursors = cursors; // people go on where the last window left them
            long redisPid = redisPid();
            redisCommand(vertx, redis, "CONFIG", "RESETSTAT");
            long[] before = {cpuMicros(process.pid()), cpuMicros(ProcessHandle.current().pid()), cpuMicros(redisPid)};
            long jitBefore = jitMillis(process.pid());
            load.run(vertx, client, port, windowSeconds);
            long[] after = {cpuMicros(process.pid()), cpuMicros(ProcessHandle.current().pid()), cpuMicros(redisPid)};
            long jitAfter = jitMillis(process.pid());
            jit = jit < 0 || jitBefore < 0 || jitAfter < 0 ? -1 : jit + jitAfter - jitBefore;
            for (int i = 0; i < 3; i++) {
                cpu[i] += after[i] - before[i];
            }
            commandStats.put(target.name(), redisCommand(vertx, redis, "INFO", "commandstats"));
            long[] l = load.latencies();
            long[] joined = Arrays.copyOf(latencies, latencies.length + l.length);
            System.arraycopy(l, 0, joined, latencies.length, l.length);
            latencies = joined;
            messages += l.length;
            seconds += load.seconds;
            errors += load.errors.get();
            success += load.success.get();
        }

        Figures figures() {
            long rss;
            try {
                rss = peakRssKib(process.pid());
            } catch (IOException e) {
                rss = -1;
            }
            long[] l = latencies.clone();
            Arrays.sort(l);
            return new Figures(target, messages, seconds, errors, success, pct(l, 50), pct(l, 99), pct(l, 99.9),
                    l.length == 0 ? 0 : l[l.length - 1] / 1e6, rss, new Cpu(perMessage(cpu[0], messages),
                    perMessage(cpu[1], messages), perMessage(cpu[2], messages)), jit);
        }

        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** Redis's own account of the commands each target sent during its measured period. */
    static final Map<String, String> commandStats = new java.util.LinkedHashMap<>();

    private static String redisCommand(Vertx vertx, RedisServerProcess redis, String... args) {
        io.vertx.redis.client.Redis client = io.vertx.redis.client.Redis.createClient(vertx, redis.url());
        try {
            io.vertx.redis.client.Request request = io.vertx.redis.client.Request.cmd(
                    io.vertx.redis.client.Command.create(args[0]));
            for (int i = 1; i < args.length; i++) {
                request.arg(args[i]);
            }
            return String.valueOf(Await.result(client.send(request)));
        } finally {
            client.close();
        }
    }

    static final class Load {
        final String prefix;
        final WeChatCrypto crypto;
        final AtomicLong errors = new AtomicLong();
        final AtomicLong success = new AtomicLong();
        final AtomicLong ids = new AtomicLong(System.nanoTime());
        final long[][] perLane = new long[CONNECTIONS][];
        final int[] counts = new int[CONNECTIONS];
        int[] cursors = new int[PEOPLE];
        double seconds;

        Load(String prefix, WeChatCrypto crypto) {
            this.prefix = prefix;
            this.crypto = crypto;
        }

        void run(Vertx vertx, NetClient client, int port, int duration) {
            long end = System.nanoTime() + Duration.ofSeconds(duration).toNanos();
            long t0 = System.nanoTime();
            List<Future<Void>> lanes = new ArrayList<>();
            List<Lane> all = new ArrayList<>();
            for (int lane = 0; lane < CONNECTIONS; lane++) {
                perLane[lane] = new long[1 << 16];
                Lane l = new Lane(this, vertx, client, port, lane, end);
                all.add(l);
                // Each connection is driven from one event loop, as a real client's would be.
                vertx.getOrCreateContext().runOnContext(v -> l.open());
                lanes.add(l.done.future());
            }
            // One watchdog instead of a timer per request: an answer later than 10 s is an error.
            long watchdog = vertx.setPeriodic(500, t -> all.forEach(Lane::checkTimeout));
            try {
                Future.all(lanes).toCompletionStage().toCompletableFuture().get(duration + 30L, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("load run did not finish: " + e, e);
            } finally {
                vertx.cancelTimer(watchdog);
            }
            seconds = (System.nanoTime() - t0) / 1e9;
        }

        /** The request for {@code person}'s next message: one buffer, head and body. */
        Buffer request(int port, int person) {
            String text = MOVES.get(cursors[person]++ % MOVES.size());
            long msgId = ids.incrementAndGet();
            String openid = prefix + person;
            String xml = WeChatClient.text(openid, text, msgId);
            String ts = Long.toString(Instant.now().getEpochSecond());
            String nonce = Long.toString(msgId);
            StringBuilder target = new StringBuilder(200).append("/wechat?signature=")
                    .append(WeChatSignature.sign(TOKEN, ts, nonce)).append("&timestamp=").append(ts)
                    .append("&nonce=").append(nonce).append("&openid=").append(openid);
            String body = xml;
            if (crypto != null) {
                String encrypt = crypto.encrypt(xml);
                target.append("&encrypt_type=aes&msg_signature=").append(WeChatSignature.sign(TOKEN, ts, nonce, encrypt));
                body = "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[" + encrypt
                        + "]]></Encrypt></xml>";
            }
            byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String head = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " + bytes.length + "\r\n\r\n";
            return Buffer.buffer(head.length() + bytes.length).appendString(head).appendBytes(bytes);
        }

        /** What an answer's status and body say: a reply, WeChat's "success" or an error. */
        void answered(int status, String body) {
            if (status != 200) {
                errors.incrementAndGet();
            } else if ("success".equals(body)) {
                success.incrementAndGet();
            } else if (!body.contains(crypto == null ? "<Content>" : "<Encrypt>")) {
                errors.incrementAndGet();
            }
        }

        void record(int lane, long nanos) {
            if (counts[lane] == perLane[lane].length) {
                perLane[lane] = Arrays.copyOf(perLane[lane], counts[lane] * 2);
            }
            perLane[lane][counts[lane]++] = nanos;
        }

        long[] latencies() {
            int n = 0;
            for (int c : counts) {
                n += c;
            }
            long[] all = new long[n];
            int at = 0;
            for (int lane = 0; lane < CONNECTIONS; lane++) {
                System.arraycopy(perLane[lane], 0, all, at, counts[lane]);
                at += counts[lane];
            }
            return all;
        }
    }

    /**
     * One keep-alive connection: sends a request, reads its answer (status line, Content-Length, body), sends the
     * next. Lane {@code lane} serves the people lane, lane + CONNECTIONS, …, one message each, round and round. A
     * connection that closes or an answer that does not come within 10 s is an error, and the lane goes on
     * on a new connection.
     */
    static final class Lane {
        final Load load;
        final Vertx vertx;
        final NetClient client;
        final int port;
        final int lane;
        final long end;
        final Promise<Void> done = Promise.promise();
        int person;
        NetSocket socket;
        Buffer received = Buffer.buffer();
        int headEnd = -1;
        int status;
        int length;
        /** When the request in flight was sent (System.nanoTime), or 0 when none is. */
        volatile long sentAt;

        Lane(Load load, Vertx vertx, NetClient client, int port, int lane, long end) {
            this.load = load;
            this.vertx = vertx;
            this.client = client;
            this.port = port;
            this.lane = lane;
            this.end = end;
            this.person = lane;
        }

        void open() {
            if (System.nanoTime() >= end) {
                done.tryComplete();
                return;
            }
            client.connect(port, "127.0.0.1").onComplete(ar -> {
                if (ar.failed()) {
                    load.errors.incrementAndGet();
                    vertx.setTimer(100, t -> open());
                    return;
                }
                NetSocket s = ar.result();
                socket = s;
                s.handler(this::read);
                s.closeHandler(v -> closed(s));
                next();
            });
        }

        void next() {
            if (System.nanoTime() >= end) {
                socket.close();
                done.tryComplete();
                return;
            }
            Buffer request = load.request(port, person);
            person = person + CONNECTIONS < PEOPLE ? person + CONNECTIONS : lane;
            received = Buffer.buffer(512);
            headEnd = -1;
            sentAt = System.nanoTime();
            socket.write(request);
        }

        void read(Buffer data) {
            received.appendBuffer(data);
            if (headEnd < 0 && !readHead()) {
                return;
            }
            if (received.length() < headEnd + length) {
                return;
            }
            long took = System.nanoTime() - sentAt;
            sentAt = 0;
            load.record(lane, took);
            load.answered(status, received.getString(headEnd, headEnd + length, "UTF-8"));
            next();
        }

        /** Finds the end of the head and reads status and Content-Length from it; false until it is all here. */
        private boolean readHead() {
            int n = received.length();
            for (int i = 3; i < n; i++) {
                if (received.getByte(i) == '\n' && received.getByte(i - 1) == '\r' && received.getByte(i - 2) == '\n'
                        && received.getByte(i - 3) == '\r') {
                    String head = received.getString(0, i - 3, "ISO-8859-1");
                    status = Integer.parseInt(head.substring(9, 12));
                    length = 0;
                    for (String line : head.split("\r\n")) {
                        if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    headEnd = i + 1;
                    return true;
                }
            }
            return false;
        }

        /** Called every half second from another thread: an answer 10 s late counts as an error. */
        void checkTimeout() {
            long at = sentAt;
            NetSocket s = socket;
            if (at != 0 && System.nanoTime() - at > 10_000_000_000L && s != null) {
                s.close(); // the close handler counts the error and goes on
            }
        }

        private void closed(NetSocket s) {
            if (s != socket) {
                return;
            }
            if (sentAt != 0) {
                load.record(lane, System.nanoTime() - sentAt);
                load.errors.incrementAndGet();
                sentAt = 0;
            }
            socket = null;
            open();
        }
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private static double perMessage(long micros, long messages) {
        return messages == 0 ? 0 : (double) micros / messages;
    }

    /** The redis-server this JVM started (a child process). */
    private static long redisPid() {
        return ProcessHandle.current().children()
                .filter(p -> commandLine(p.pid()).contains("redis-server"))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
    }

    private static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        } catch (IOException gone) {
            return "";
        }
    }

    /** User + system CPU time of a process so far, from /proc (clock ticks of 10 ms). */
    static long cpuMicros(long pid) throws IOException {
        if (pid < 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000L;
    }

    /**
     * Milliseconds the server's JIT compilers have worked so far ({@code java.ci.totalTime} read by jcmd), or -1
     * when jcmd cannot tell.
     */
    static long jitMillis(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "PerfCounter.print").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            long ticks = -1;
            long frequency = -1;
            for (String line : out.lines().toList()) {
                if (line.startsWith("java.ci.totalTime=")) {
                    ticks = Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
                } else if (line.startsWith("sun.os.hrt.frequency=")) {
                    frequency = Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
                }
            }
            return ticks < 0 || frequency <= 0 ? -1 : ticks * 1000 / frequency;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return -1;
        }
    }

    static long peakRssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void awaitHealth(int port, Process process) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("server under test exited with " + process.exitValue());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health").toURL()
                        .openConnection();
                c.setConnectTimeout(200);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("server under test did not answer /health within 30 s");
    }

    private static String report(List<Figures> all) {
        StringBuilder out = new StringBuilder(String.format(
                "LoadBenchmark: %d people, %d connections, %d s measured after %d s warm-up, %d cores (load generator included)%n",
                PEOPLE, CONNECTIONS, SECONDS, WARMUP, Runtime.getRuntime().availableProcessors()));
        out.append(String.format("(each target's measured seconds in %d windows, taken in turn with the other target of its mode)%n", ROUNDS));
        out.append(String.format("%-16s %10s %8s %8s %8s %8s %7s %9s %10s %26s %8s%n", "target", "msg/s", "p50 ms", "p99 ms",
                "p99.9 ms", "max ms", "errors", "success", "peak RSS", "CPU µs/msg server/gen/redis", "JIT ms"));
        for (Figures f : all) {
            out.append(String.format("%-16s %10.0f %8.2f %8.2f %8.2f %8.1f %7d %9d %7d MiB %10.0f /%4.0f /%4.0f %8d%n",
                    f.target().name(), f.rate(), f.p50(), f.p99(), f.p999(), f.max(), f.errors(), f.success(),
                    f.peakRssKib() / 1024, f.cpu().server(), f.cpu().generator(), f.cpu().redis(), f.jitMillis()));
        }
        for (boolean safe : new boolean[] {false, true}) {
            Figures base = find(all, false, safe);
            Figures care = find(all, true, safe);
            if (base != null && care != null) {
                out.append(String.format("%s mode: CareLine at %.0f%% of the baseline's throughput, %.2f× its peak RSS%n",
                        safe ? "safe" : "plain", 100 * care.rate() / base.rate(),
                        (double) care.peakRssKib() / base.peakRssKib()));
            }
        }
        commandStats.forEach((name, stats) -> {
            out.append("Redis commands during ").append(name).append("'s last window (calls, µs per call):\n");
            stats.lines().filter(l -> l.startsWith("cmdstat_")).forEach(l -> {
                String cmd = l.substring(8, l.indexOf(':'));
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("calls=(\\d+).*usec_per_call=([\\d.]+)").matcher(l);
                if (m.find()) {
                    out.append(String.format("  %-10s %10s %8s%n", cmd, m.group(1), m.group(2)));
                }
            });
        });
        return out.toString();
    }

    private static Figures find(List<Figures> all, boolean careline, boolean safe) {
        return all.stream().filter(f -> f.target().careline() == careline && f.target().safe() == safe)
                .findFirst().orElse(null);
    }
}
