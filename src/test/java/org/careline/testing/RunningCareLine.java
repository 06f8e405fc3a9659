package org.careline.testing;

import io.vertx.core.Vertx;
import org.careline.MainVerticle;
import org.careline.config.AppConfig;
import org.careline.config.ConfigLoader;
import org.careline.flow.Flows;
import org.careline.flowfiles.FlowLoader;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A whole CareLine deployed in-process on random ports, configured the way an operator would: through
 * {@code CARELINE_*} variables over {@code config/application.yaml}.
 */
public final class RunningCareLine implements AutoCloseable {

    private final Vertx vertx;
    private final MainVerticle main;
    private final AppConfig config;

    private RunningCareLine(Vertx vertx, MainVerticle main, AppConfig config) {
        this.vertx = vertx;
        this.main = main;
        this.config = config;
    }

    public static RunningCareLine start(Map<String, String> env) {
        return start(env, Clock.systemUTC());
    }

    public static RunningCareLine start(Map<String, String> env, Clock clock) {
        Map<String, String> all = new HashMap<>();
        all.put("CARELINE_HTTP_PORT", "0");
        all.put("CARELINE_HTTP_HOST", "127.0.0.1");
        all.put("CARELINE_ADMIN_PORT", "0");
        all.putAll(env);
        AppConfig config = new ConfigLoader(all).load();
        Flows flows = FlowLoader.load(config.conversation().flowsDir(), config.conversation().regionsFile());
        Vertx vertx = Vertx.vertx();
        MainVerticle main = new MainVerticle(config, flows, clock);
        try {
            Await.result(vertx.deployVerticle(main));
        } catch (AssertionError e) {
            vertx.close();
            throw e;
        }
        return new RunningCareLine(vertx, main, config);
    }

    public int publicPort() {
        return main.publicPort();
    }

    public int adminPort() {
        return main.adminPort();
    }

    public String publicUrl() {
        return "http://127.0.0.1:" + publicPort();
    }

    public String adminUrl() {
        return "http://127.0.0.1:" + adminPort();
    }

    public Vertx vertx() {
        return vertx;
    }

    public MainVerticle main() {
        return main;
    }

    public AppConfig config() {
        return config;
    }

    @Override
    public void close() {
        Await.result(vertx.close());
    }
}
