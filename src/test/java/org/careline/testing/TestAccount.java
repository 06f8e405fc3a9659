package org.careline.testing;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.careline.sandbox.FakeWeChatPlatform;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * What an integration test needs around CareLine: a real Redis, a fake WeChat API server on its own port,
 * and the credentials of one official account that both sides know. CareLine instances started from it
 * are configured through the environment only, as an operator would configure them.
 */
public final class TestAccount implements AutoCloseable {

    public final String appId;
    public final String secret;
    public final String token;
    private final TestRedis redis;
    private final Vertx vertx;
    private final FakeWeChatPlatform platform;
    private final RedisAPI api;

    private TestAccount(String appId, String token) {
        this.appId = appId;
        this.secret = appId + "-secret";
        this.token = token;
        this.redis = TestRedis.start();
        this.vertx = Vertx.vertx();
        this.platform = new FakeWeChatPlatform(vertx, appId, secret);
        Await.result(platform.listen(0));
        this.api = RedisAPI.api(Redis.createClient(vertx, redis.url()));
    }

    public static TestAccount start(String appId, String token) {
        return new TestAccount(appId, token);
    }

    /** The variables that point a CareLine at this account, this Redis and this fake WeChat. */
    public Map<String, String> env() {
        return Map.of(
                "CARELINE_REDIS_URL", redis.url(),
                "CARELINE_WECHAT_APP_ID", appId,
                "CARELINE_WECHAT_SECRET", secret,
                "CARELINE_WECHAT_TOKEN", token,
                "CARELINE_WECHAT_API_HOST", "http://127.0.0.1:" + platform.port());
    }

    public RunningCareLine startCareLine(Map<String, String> extra) {
        return startCareLine(extra, Clock.systemUTC());
    }

    public RunningCareLine startCareLine(Map<String, String> extra, Clock clock) {
        Map<String, String> all = new HashMap<>(env());
        all.putAll(extra);
        return RunningCareLine.start(all, clock);
    }

    public FakeWeChatPlatform platform() {
        return platform;
    }

    /** Direct access to the same Redis, to check what was stored. */
    public RedisAPI redis() {
        return api;
    }

    @Override
    public void close() {
        Await.result(vertx.close());
        redis.close();
    }
}
