package org.careline;

import io.vertx.core.Vertx;
import org.careline.config.AppConfig;
import org.careline.config.ConfigException;
import org.careline.config.ConfigLoader;
import org.careline.flow.FlowValidationException;
import org.careline.flow.Flows;
import org.careline.flowfiles.FlowLoader;
import org.careline.flowfiles.FlowsCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar careline.jar}: load and check the configuration and the flows, then deploy
 * {@link MainVerticle}. {@code java -jar careline.jar flows check|test}: the flow authors' tools.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    /**
     * {@code flows check|test} look where the service would: the configured flows folder and regions file
     * ({@code CARELINE_CONVERSATION_FLOWS_DIR} …), unless given on the command line.
     */
    static String[] withConfiguredFolders(String[] args) {
        List<String> out = new ArrayList<>(List.of(args));
        if (out.isEmpty()) {
            return args;
        }
        try {
            AppConfig.Conversation c = new ConfigLoader(System.getenv()).load().conversation();
            if (!out.contains("--flows")) {
                out.addAll(1, List.of("--flows", c.flowsDir().toString()));
            }
            if (!out.contains("--regions")) {
                out.addAll(1, List.of("--regions", c.regionsFile().toString()));
            }
        } catch (ConfigException e) {
            System.err.println("careline: configuration error (using the default folders): " + e.getMessage());
        }
        return out.toArray(String[]::new);
    }

    /** The office hours are read by the engine (texts at night): a text it cannot read stops the start. */
    static org.careline.flow.OfficeHours officeHours(AppConfig config) {
        try {
            return org.careline.flow.OfficeHours.parse(config.conversation().officeHours());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("conversation.officeHours (CARELINE_CONVERSATION_OFFICE_HOURS): " + e.getMessage());
        }
    }

    /** The flows' validation errors behind a failed start, if that is what stopped it. */
    private static FlowValidationException invalidFlows(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FlowValidationException e) {
                return e;
            }
        }
        return null;
    }

    private static long sinceJvmStart() {
        return ProcessHandle.current().info().startInstant()
                .map(t -> java.time.Duration.between(t, java.time.Instant.now()).toMillis()).orElse(-1L);
    }

    public static void main(String[] args) {
        if (args.length > 0 && "flows".equals(args[0])) {
            System.exit(FlowsCommand.run(withConfiguredFolders(Arrays.copyOfRange(args, 1, args.length)), System.out));
        }
        if (args.length > 0) {
            System.err.println("usage: java -jar careline.jar [flows check|flows test]");
            System.exit(2);
        }
        long started = System.nanoTime();
        AppConfig config;
        try {
            config = new ConfigLoader(System.getenv()).load();
            officeHours(config);
        } catch (ConfigException e) {
            System.err.println("careline: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        // The flows (YAML, validation, two n-gram models: most of a second) load on a thread of their own
        // while Vert.x, the embedded Redis and the sandbox start; no port opens before they are valid.
        CompletableFuture<Flows> flows = new CompletableFuture<>();
        Thread loading = new Thread(() -> {
            try {
                flows.complete(FlowLoader.load(config.conversation().flowsDir(), config.conversation().regionsFile()));
            } catch (RuntimeException | Error e) {
                flows.completeExceptionally(e);
            }
        }, "careline-flows");
        loading.setDaemon(true);
        loading.start();
        if (config.wechat().sandbox()) {
            log.warn("==================================================================");
            log.warn(" SANDBOX MODE: no WeChat app id configured (CARELINE_WECHAT_APP_ID).");
            log.warn(" Nothing reaches real WeChat users; a fake WeChat API records sends.");
            log.warn(" Simulator: http://127.0.0.1:{}/simulator", config.admin().port());
            log.warn("==================================================================");
        }
        Vertx vertx = Vertx.vertx();
        MainVerticle main = new MainVerticle(config, flows, Clock.systemUTC());
        vertx.deployVerticle(main).onComplete(ar -> {
            if (ar.failed()) {
                FlowValidationException invalid = invalidFlows(ar.cause());
                ConfigException misconfigured = ar.cause() instanceof ConfigException c ? c
                        : ar.cause().getCause() instanceof ConfigException c ? c : null;
                vertx.close().onComplete(v -> {
                    if (misconfigured != null) {
                        System.err.println("careline: configuration error: " + misconfigured.getMessage());
                        System.exit(2);
                    }
                    if (invalid != null) {
                        System.err.println("careline: the conversation flows are invalid:");
                        invalid.errors().forEach(line -> System.err.println("  " + line));
                        System.exit(2);
                    }
                    log.error("CareLine failed to start: {}", ar.cause().toString());
                    System.exit(1);
                });
                return;
            }
            Flows loaded = flows.join();
            log.info("CareLine started in {} ms ({} ms since the JVM started): WeChat callback on :{} /wechat, "
                    + "internal on {}:{}, {} flows (version {})",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), sinceJvmStart(), main.publicPort(),
                    config.admin().host(), main.adminPort(), loaded.size(), loaded.version());
            // HanLP's conversion dictionary (about 0.3 s) can wait until the ports are open, but not for the
            // first traditional-Chinese message to load it on an event loop.
            vertx.executeBlocking(() -> {
                org.careline.flow.ChineseText.warmUp();
                return null;
            }, false);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long stopping = System.nanoTime();
            log.info("CareLine stopping: closing its ports{}", config.redis().embedded() ? " and the embedded Redis" : "");
            // Undeploying stops the embedded Redis cleanly so its append-only file is complete.
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
                log.info("CareLine stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
            } catch (Exception e) {
                log.warn("shutdown did not finish cleanly: {}", e.toString());
            }
        }, "careline-shutdown"));
    }
}
