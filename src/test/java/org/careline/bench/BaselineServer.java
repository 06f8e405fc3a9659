package org.careline.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.careline.redis.RedisConnector;
import org.careline.wechat.InboundMessage;
import org.careline.wechat.InboundXml;
import org.careline.wechat.ReplyXml;
import org.careline.wechat.WeChatCrypto;
import org.careline.wechat.WeChatSignature;

import java.time.Instant;
import java.util.List;

/**
 * The yardstick of {@link LoadBenchmark}: what a bare Vert.x service costs for the same callback — the
 * signature and timestamp checked, the body decrypted in safe mode, the same XML parser, one Redis GET and
 * one SET, a passive reply (encrypted in safe mode) — with none of CareLine's conversation. Runs in its own
 * JVM so that its memory can be read: {@code java -cp … org.careline.bench.BaselineServer}, configured by
 * {@code BASELINE_PORT}, {@code BASELINE_REDIS_URL}, {@code BASELINE_TOKEN}, {@code BASELINE_AES_KEY} (safe mode).
 * Like CareLine, one HTTP verticle instance per core, and the same Redis client settings, but Vert.x's pooled
 * client rather than CareLine's connection per event loop.
 */
public final class BaselineServer extends VerticleBase {

    static final String APP_ID = "wxcareline0sandbox";

    private final RedisAPI redis;
    private final String token;
    private final WeChatCrypto crypto;
    private final int port;

    private BaselineServer(RedisAPI redis, String token, WeChatCrypto crypto, int port) {
        this.redis = redis;
        this.token = token;
        this.crypto = crypto;
        this.port = port;
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(System.getenv("BASELINE_PORT"));
        String token = System.getenv("BASELINE_TOKEN");
        String aesKey = System.getenv().getOrDefault("BASELINE_AES_KEY", "");
        Vertx vertx = Vertx.vertx();
        // Vert.x's own pooled client, as a bare service would use it (CareLine's is RedisConnector.create).
        RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, RedisConnector.options(System.getenv("BASELINE_REDIS_URL"))));
        WeChatCrypto crypto = aesKey.isEmpty() ? null : new WeChatCrypto(token, APP_ID, aesKey);
        vertx.deployVerticle(() -> new BaselineServer(redis, token, crypto, port),
                        new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
                .onSuccess(id -> System.out.println("baseline listening on " + port))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.post("/wechat").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
        router.post("/wechat").handler(this::receive);
        router.get("/health").handler(ctx -> ctx.response().end("{\"status\":\"UP\"}"));
        return vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1");
    }

    private void receive(RoutingContext ctx) {
        String timestamp = ctx.request().getParam("timestamp");
        String nonce = ctx.request().getParam("nonce");
        if (!WeChatSignature.verify(token, timestamp, nonce, ctx.request().getParam("signature"))
                || !WeChatSignature.freshTimestamp(timestamp, Instant.now())) {
            ctx.response().setStatusCode(401).end();
            return;
        }
        InboundMessage message;
        try {
            String body = ctx.body().asString();
            message = InboundXml.parse(crypto == null ? body
                    : crypto.decryptRequest(body, ctx.request().getParam("msg_signature"), timestamp, nonce));
        } catch (RuntimeException e) {
            ctx.response().setStatusCode(400).end();
            return;
        }
        String key = "bl:{u:" + message.fromUser() + "}";
        redis.get(key)
                .compose(previous -> redis.set(List.of(key, message.content() == null ? "" : message.content(),
                        "PX", "1800000")))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        ctx.response().setStatusCode(503).end();
                        return;
                    }
                    String xml = ReplyXml.text(message.fromUser(), message.toUser(), Instant.now().getEpochSecond(),
                            "收到：" + message.content());
                    ctx.response().putHeader("Content-Type", "application/xml; charset=utf-8")
                            .end(crypto == null ? xml : crypto.encryptedReply(xml, timestamp, nonce));
                });
    }
}
