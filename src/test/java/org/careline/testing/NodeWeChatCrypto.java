package org.careline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * npm {@code wechat-crypto} driven through {@code src/test/node/wxcrypto.js}: an implementation of WeChat's
 * safe mode that shares no code with ours. Missing node or package fails the test, never skips it.
 */
public final class NodeWeChatCrypto {

    private static final String INSTALL_HINT = "run `npm ci --prefix src/test/node` first (./scripts/test.sh does)";
    private static final long NODE_TIMEOUT_SECONDS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path script;

    private NodeWeChatCrypto() {
    }

    public static void requirePresent() {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "node");
        script = dir.resolve("wxcrypto.js");
        if (!Files.isRegularFile(script)) {
            fail("missing " + script);
        }
        if (!Files.isRegularFile(dir.resolve("node_modules/wechat-crypto/package.json"))) {
            fail("npm package wechat-crypto is not installed in " + dir + ": " + INSTALL_HINT);
        }
        try {
            Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (!version.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS) || version.exitValue() != 0) {
                version.destroyForcibly();
                fail("`node --version` did not succeed; install Node.js and " + INSTALL_HINT);
            }
        } catch (IOException e) {
            fail("node is not on the PATH; install Node.js and " + INSTALL_HINT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while checking node");
        }
    }

    public static JsonNode run(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("node", script().toString()));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new AssertionError("could not start node; install Node.js and " + INSTALL_HINT, e);
        }
        try {
            CompletableFuture<byte[]> stdout = drain(process.getInputStream());
            CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("node did not finish within " + NODE_TIMEOUT_SECONDS + " s");
            }
            String err = new String(stderr.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError("node " + args[0] + " exited " + process.exitValue() + ": " + err);
            }
            return JSON.readTree(stdout.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for node", e);
        } catch (Exception e) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError("talking to node failed", e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static Path script() {
        if (script == null) {
            requirePresent();
        }
        return script;
    }
}
