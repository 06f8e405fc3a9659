package org.careline.http;

import org.careline.testing.Await;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestAccount;
import org.careline.testing.WeChatClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both HTTP ports as a misbehaving client meets them, over raw sockets: connections that say nothing, trickle
 * their headers or never finish their body are closed; past the cap new connections are closed at once; h2c
 * is not spoken. Short limits (1 s idle, 2 s per request, 4 connections) keep the test quick.
 */
class HttpLimitsIT {

    static final String TOKEN = "limits-it-token";
    static final int MAX_CONNECTIONS = 4;
    /** Far above the configured limits: a connection still open after this was never going to be closed. */
    static final int READ_TIMEOUT_MS = 10_000;

    static TestAccount account;
    static RunningCareLine careline;

    @BeforeAll
    static void start() {
        account = TestAccount.start("wxlimitsit000001", TOKEN);
        careline = account.startCareLine(Map.of(
                "CARELINE_WECHAT_REPLY_BUDGET", "500ms",
                "CARELINE_HTTP_IDLE_TIMEOUT", "1s",
                "CARELINE_HTTP_REQUEST_TIMEOUT", "2s",
                "CARELINE_HTTP_MAX_CONNECTIONS", Integer.toString(MAX_CONNECTIONS),
                "CARELINE_ADMIN_IDLE_TIMEOUT", "1s",
                "CARELINE_ADMIN_REQUEST_TIMEOUT", "2s",
                "CARELINE_ADMIN_MAX_CONNECTIONS", Integer.toString(MAX_CONNECTIONS)));
        // The first connection of a fresh server loads its HTTP classes; time the limits, not that.
        for (int port : ports()) {
            String health = port == careline.publicPort() ? "/health" : "/health/ready";
            assertThat(new WeChatClient("http://127.0.0.1:" + port, TOKEN, null).raw("GET", health, null).status())
                    .isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() {
        if (careline != null) {
            careline.close();
        }
        if (account != null) {
            account.close();
        }
    }

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    /** What the server sent until it closed the connection; fails if it is still open after 10 s. */
    static String readUntilClosed(Socket socket) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                got.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + READ_TIMEOUT_MS + " ms");
        } catch (SocketException reset) {
            // closed by the server with a reset: closed all the same
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    /** True if the server has not closed it (checked without waiting). */
    static boolean stillOpen(Socket socket) throws IOException {
        socket.setSoTimeout(1);
        try {
            return socket.getInputStream().read() != -1;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MS);
        }
    }

    static int[] ports() {
        return new int[] {careline.publicPort(), careline.adminPort()};
    }

    @Test
    @DisplayName("A connection that sends nothing is closed after the idle timeout, on both ports")
    void idleConnectionClosed() throws IOException {
        for (int port : ports()) {
            try (Socket socket = connect(port)) {
                long t0 = System.nanoTime();
                assertThat(readUntilClosed(socket)).isEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    @DisplayName("A client trickling its headers byte by byte (slowloris) is cut off, though it never goes quiet")
    void slowHeadersCutOff() throws Exception {
        for (int port : ports()) {
            try (Socket socket = connect(port)) {
                OutputStream out = socket.getOutputStream();
                out.write("POST /wechat HTTP/1.1\r\nHost: careline\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                AtomicBoolean closed = new AtomicBoolean();
                // The attacker's pace: a byte every 200 ms, well inside any idle timeout.
                CompletableFuture<Integer> trickle = CompletableFuture.supplyAsync(() -> {
                    int sent = 0;
                    try {
                        while (!closed.get() && sent < 100) {
                            out.write('a');
                            out.flush();
                            sent++;
                            Thread.sleep(200);
                        }
                    } catch (IOException e) {
                        // the server closed the connection
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return sent;
                });
                long t0 = System.nanoTime();
                String answer = readUntilClosed(socket);
                closed.set(true);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(answer).isEmpty();
                assertThat(took).isLessThan(Duration.ofSeconds(5));
                assertThat(trickle.get()).as("bytes trickled before the cut").isGreaterThan(3);
            }
        }
    }

    @Test
    @DisplayName("A request whose body never arrives in full gets 408 within the request timeout, and the connection is closed")
    void slowBodyGets408() throws IOException {
        for (int port : ports()) {
            String path = port == careline.publicPort() ? "/wechat?signature=x&timestamp=1&nonce=1" : "/api/admin/wechat/menu";
            try (Socket socket = connect(port)) {
                socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: careline\r\n"
                        + "Content-Length: 1000\r\n\r\n<xml><ToUser").getBytes(StandardCharsets.US_ASCII));
                long t0 = System.nanoTime();
                String answer = readUntilClosed(socket);
                assertThat(answer).startsWith("HTTP/1.1 408");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    @DisplayName("Past the connection cap a new connection is closed at once; once the others go, the port serves again")
    void connectionCap() throws IOException {
        for (int port : ports()) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < MAX_CONNECTIONS; i++) {
                    held.add(connect(port));
                }
                try (Socket extra = connect(port)) {
                    long t0 = System.nanoTime();
                    assertThat(readUntilClosed(extra)).isEmpty();
                    // Well before the 1-second idle timeout, and while earlier ones stay open: refused, not timed
                    // out. (A kept-alive connection of an earlier test may hold a slot too; the first held one
                    // got a slot all the same.)
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(700));
                    assertThat(stillOpen(held.get(0))).isTrue();
                }
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            WeChatClient client = new WeChatClient("http://127.0.0.1:" + port, TOKEN, null);
            String health = port == careline.publicPort() ? "/health" : "/health/ready";
            Await.until(Duration.ofSeconds(5), "the port serves again", () -> client.raw("GET", health, null).status() == 200);
        }
    }

    @Test
    @DisplayName("h2c is not spoken: an upgrade request is answered in HTTP/1.1 and the HTTP/2 preface is refused")
    void noH2c() throws IOException {
        for (int port : ports()) {
            String health = port == careline.publicPort() ? "/health" : "/health/ready";
            try (Socket socket = connect(port)) {
                socket.getOutputStream().write(("GET " + health + " HTTP/1.1\r\nHost: careline\r\n"
                        + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String answer = readUntilClosed(socket);
                assertThat(answer).startsWith("HTTP/1.1 200").doesNotContain("101 Switching Protocols");
            }
            try (Socket socket = connect(port)) {
                socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = readUntilClosed(socket);
                // An HTTP/2 server answers with a binary SETTINGS frame; this one answers in text (HTTP/1.x) or closes.
                assertThat(answer.isEmpty() || answer.startsWith("HTTP/")).as(answer).isTrue();
            }
        }
    }
}
