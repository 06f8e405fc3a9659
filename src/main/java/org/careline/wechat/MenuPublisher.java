package org.careline.wechat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/**
 * Publishes the custom menu defined in {@code config/wechat-menu.json} (WeChat's {@code menu/create} body).
 * Its CLICK keys are the ones {@code conversation-flows/common.yaml} maps to flows.
 */
public final class MenuPublisher {

    private final Vertx vertx;
    private final WeChatApi api;
    private final Path menuFile;

    public MenuPublisher(Vertx vertx, WeChatApi api, Path menuFile) {
        this.vertx = vertx;
        this.api = api;
        this.menuFile = menuFile;
    }

    /** The menu definition as configured; fails with a readable reason when missing or not JSON. */
    public Future<JsonObject> definition() {
        return vertx.fileSystem().readFile(menuFile.toString())
                .recover(e -> Future.failedFuture(new IllegalStateException("menu file " + menuFile + " cannot be read")))
                .compose(buffer -> {
                    try {
                        JsonObject menu = buffer.toJsonObject();
                        if (menu.getJsonArray("button") == null || menu.getJsonArray("button").isEmpty()) {
                            return Future.failedFuture(new IllegalStateException("menu file " + menuFile
                                    + " has no \"button\" list"));
                        }
                        return Future.succeededFuture(menu);
                    } catch (DecodeException e) {
                        return Future.failedFuture(new IllegalStateException("menu file " + menuFile + " is not JSON"));
                    }
                });
    }

    public Future<WeChatApi.SendResult> publish() {
        return definition().compose(menu -> api.createMenu(menu.encode()));
    }
}
