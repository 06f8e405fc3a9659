package org.careline.wechat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import me.chanjar.weixin.common.error.WxError;
import me.chanjar.weixin.common.error.WxErrorException;
import me.chanjar.weixin.common.util.http.RequestExecutor;
import me.chanjar.weixin.mp.api.WxMpService;
import me.chanjar.weixin.mp.api.impl.WxMpServiceHttpClientImpl;
import me.chanjar.weixin.mp.bean.kefu.WxMpKefuMessage;
import me.chanjar.weixin.mp.bean.template.WxMpTemplateData;
import me.chanjar.weixin.mp.bean.template.WxMpTemplateMessage;
import me.chanjar.weixin.mp.config.WxMpHostConfig;
import me.chanjar.weixin.mp.config.impl.WxMpDefaultConfigImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link WeChatApi} on WxJava's {@link WxMpService}. WxJava blocks the calling thread for every request,
 * so each call runs on the shared, bounded worker executor {@value #WORKER_POOL_NAME}; retries are
 * scheduled with Vert.x timers, never by sleeping a thread.
 *
 * <p>Errors: an invalid or expired access token (40001, 40014, 42001) drops the cached token, fetches
 * the current one and retries once; "system busy" (-1) is retried with exponential backoff; 45015,
 * 45047/45009 and content or user errors become a {@link SendResult}; anything else fails the future
 * with a {@link WeChatApiException}.
 */
public final class WxJavaApi implements WeChatApi, AutoCloseable {

    /** Name of the shared worker pool, visible in thread names and metrics. */
    public static final String WORKER_POOL_NAME = "careline-wechat-api";

    private static final Logger log = LoggerFactory.getLogger(WxJavaApi.class);

    private static final int BUSY = -1;
    private static final Set<Integer> TOKEN_REJECTED = Set.of(40001, 40014, 42001);
    private static final Map<Integer, SendResult> OUTCOMES = Map.of(
            45015, SendResult.OUTSIDE_WINDOW,  // user silent for 48 h
            45047, SendResult.QUOTA_USED,      // customer-service messages to this user used up
            45009, SendResult.QUOTA_USED,      // the account's daily API quota used up
            40003, SendResult.REJECTED,        // invalid openid
            43004, SendResult.NOT_FOLLOWING,   // the user does not follow the account (any more)
            43019, SendResult.NOT_FOLLOWING,   // the user blocked the account
            45002, SendResult.REJECTED,        // content too long
            47003, SendResult.REJECTED);       // argument invalid, e.g. a template field over its limit

    private final Vertx vertx;
    private final Settings settings;
    private final WorkerExecutor workers;
    private final WxMpService wx;

    public WxJavaApi(Vertx vertx, Settings settings) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.wx = newWxMpService(settings);
        this.workers = vertx.createSharedWorkerExecutor(WORKER_POOL_NAME, settings.workerPoolSize());
    }

    @Override
    public Future<SendResult> sendText(String openid, String text) {
        WxMpKefuMessage message = WxMpKefuMessage.TEXT().toUser(openid).content(text).build();
        return call("message/custom/send", service -> service.getKefuService().sendKefuMessage(message));
    }

    @Override
    public Future<SendResult> sendTemplate(String openid, String templateId, String url,
                                           Map<String, String> data, String clientMsgId) {
        // setData, not addData: addData silently cuts thing, character_string, phone_number and
        // car_number values to "…" at their limits; a cut case number is wrong, so an over-long value
        // goes to WeChat as it is and its 47003 comes back as REJECTED for the caller to fix.
        List<WxMpTemplateData> fields = new ArrayList<>(data.size());
        data.forEach((field, value) -> fields.add(new WxMpTemplateData(field, value)));
        WxMpTemplateMessage message = WxMpTemplateMessage.builder()
                .toUser(openid)
                .templateId(templateId)
                .url(url)
                .clientMsgId(clientMsgId)
                .build();
        message.setData(fields);
        return call("message/template/send", service -> service.getTemplateMsgService().sendTemplateMsg(message));
    }

    @Override
    public Future<SendResult> createMenu(String menuJson) {
        return call("menu/create", service -> service.getMenuService().menuCreate(menuJson));
    }

    @Override
    public Future<SendResult> typing(String openid, boolean typing) {
        String command = typing ? "Typing" : "CancelTyping";
        return call("message/custom/typing", service -> service.getKefuService().sendKfTypingState(openid, command));
    }

    @Override
    public Future<DownloadedMedia> downloadMedia(String mediaId, java.nio.file.Path dir) {
        // WxJava's mediaDownload writes into the account's one temp folder; the executor is given ours instead,
        // so the file never lands in a shared /tmp.
        return attempt("media/get", service -> {
            java.io.File file = service.execute(
                    me.chanjar.weixin.common.util.http.BaseMediaDownloadRequestExecutor.create(
                            service.getRequestHttp(), dir.toFile()),
                    me.chanjar.weixin.mp.enums.WxMpApiUrl.Material.MEDIA_GET_URL, "media_id=" + mediaId);
            if (file == null) {
                throw new WxErrorException("media/get answered without a file");
            }
            return new DownloadedMedia(file.toPath(), file.getName());
        }, 0, false).recover(failure -> {
            WeChatApiException error = failure instanceof WeChatApiException e ? e
                    : new WeChatApiException("media/get", errcodeOf(failure), describe(failure));
            return Future.failedFuture(error);
        });
    }

    /** Releases this instance's hold on the shared worker pool. */
    @Override
    public void close() {
        workers.close();
    }

    private Future<SendResult> call(String name, WxCall call) {
        return attempt(name, service -> {
            call.run(service);
            return SendResult.SENT;
        }, 0, false).recover(failure -> {
            if (failure instanceof OutcomeException outcome) {
                return Future.succeededFuture(outcome.result);
            }
            return Future.failedFuture(failure);
        });
    }

    /** A WeChat answer that is a business outcome, not a failure (carried out of the generic retry loop). */
    private static final class OutcomeException extends RuntimeException {
        final SendResult result;

        OutcomeException(SendResult result) {
            super(result.name(), null, false, false);
            this.result = result;
        }
    }

    private <T> Future<T> attempt(String name, WxFunction<T> call, int busyRetries, boolean tokenRetried) {
        // Unordered: the ordered default would run every WeChat call of a context one at a time.
        return workers.<T>executeBlocking(() -> call.apply(wx), false)
                .recover(failure -> {
                    int errcode = errcodeOf(failure);
                    if (TOKEN_REJECTED.contains(errcode) && !tokenRetried) {
                        // WxJava has already dropped the rejected token from its cache, so the retry
                        // fetches the current one first.
                        log.info("WeChat {}: access token rejected (errcode {}), retrying once with a fresh token",
                                name, errcode);
                        return attempt(name, call, busyRetries, true);
                    }
                    if (errcode == BUSY && busyRetries < settings.maxBusyRetries()) {
                        long delayMs = settings.busyBackoff().toMillis() << busyRetries;
                        log.warn("WeChat {}: system busy (errcode -1), retry {} of {} in {} ms",
                                name, busyRetries + 1, settings.maxBusyRetries(), delayMs);
                        return vertx.timer(delayMs, TimeUnit.MILLISECONDS)
                                .compose(fired -> attempt(name, call, busyRetries + 1, tokenRetried));
                    }
                    SendResult outcome = OUTCOMES.get(errcode);
                    if (outcome != null) {
                        log.info("WeChat {}: {} (errcode {})", name, outcome, errcode);
                        return Future.failedFuture(new OutcomeException(outcome));
                    }
                    WeChatApiException error = new WeChatApiException(name, errcode, describe(failure));
                    log.warn(error.getMessage());
                    return Future.failedFuture(error);
                });
    }

    private static int errcodeOf(Throwable failure) {
        if (failure instanceof WxErrorException wxError && wxError.getError() != null) {
            int errcode = wxError.getError().getErrorCode();
            // WxJava reports I/O failures as errcode -99; they are not a WeChat answer.
            return errcode == -99 ? WeChatApiException.NO_ERRCODE : errcode;
        }
        return WeChatApiException.NO_ERRCODE;
    }

    /** What went wrong, without the cause chain: WxJava's messages may carry URLs with the token. */
    private static String describe(Throwable failure) {
        if (failure instanceof WxErrorException wxError && wxError.getError() != null) {
            WxError error = wxError.getError();
            return SecretRedaction.redact(error.getErrorMsg());
        }
        return SecretRedaction.redact(failure.getClass().getSimpleName() + ": " + failure.getMessage());
    }

    private static WxMpService newWxMpService(Settings settings) {
        WxMpDefaultConfigImpl config = new WxMpDefaultConfigImpl();
        config.setAppId(settings.appId());
        config.setSecret(settings.secret());
        // stable_token: one token shared by every instance; fetching it does not invalidate the others'.
        config.useStableAccessToken(true);
        config.setHostConfig(hostConfig(settings.apiHost()));
        // WxJava's own busy retry sleeps the worker thread (up to 31 s); retries are ours, on timers.
        config.setMaxRetryTimes(0);
        WxMpService service = new SingleAttemptWxMpService();
        service.setMaxRetryTimes(0);
        service.setWxMpConfigStorage(config);
        return service;
    }

    private static WxMpHostConfig hostConfig(String apiHost) {
        WxMpHostConfig hosts = new WxMpHostConfig();
        hosts.setApiHost(apiHost);
        boolean realApi = WxMpHostConfig.API_DEFAULT_HOST_URL.equals(apiHost);
        // A fake platform serves everything from one host; CareLine calls only the API host anyway.
        hosts.setMpHost(realApi ? WxMpHostConfig.MP_DEFAULT_HOST_URL : apiHost);
        hosts.setOpenHost(realApi ? WxMpHostConfig.OPEN_DEFAULT_HOST_URL : apiHost);
        return hosts;
    }

    @FunctionalInterface
    private interface WxCall {
        void run(WxMpService service) throws WxErrorException;
    }

    @FunctionalInterface
    private interface WxFunction<T> {
        T apply(WxMpService service) throws WxErrorException;
    }

    /**
     * WxJava's HTTP-client service making exactly one request per call. Its {@code execute} loop turns
     * errcode -1 into a {@code WxRuntimeException} without the errcode (or sleeps and retries), and
     * its token handling retries inside the same blocking call; both are replaced by the retries above.
     * On a token error WxJava still expires its cached token (only if no other call has refreshed it
     * meanwhile), so the next attempt fetches the current stable token in normal mode.
     */
    private static final class SingleAttemptWxMpService extends WxMpServiceHttpClientImpl {
        @Override
        public <T, E> T execute(RequestExecutor<T, E> executor, String uri, E data) throws WxErrorException {
            return executeInternal(executor, uri, data, true);
        }
    }

    /**
     * How to reach WeChat.
     *
     * @param appId          the official account's AppID
     * @param secret         its AppSecret
     * @param apiHost        {@value #REAL_API_HOST}, or a fake such as {@code http://127.0.0.1:8081/sandbox/wechat-api}
     * @param workerPoolSize threads for blocking WxJava calls; at most WxJava's HTTP pool per host (10)
     * @param maxBusyRetries retries after errcode -1 (system busy)
     * @param busyBackoff    wait before the first busy retry; doubles for each further one
     */
    public record Settings(String appId, String secret, String apiHost, int workerPoolSize,
                           int maxBusyRetries, Duration busyBackoff) {

        public static final String REAL_API_HOST = "https://api.weixin.qq.com";
        public static final int DEFAULT_WORKER_POOL_SIZE = 8;
        public static final int DEFAULT_MAX_BUSY_RETRIES = 3;
        public static final Duration DEFAULT_BUSY_BACKOFF = Duration.ofMillis(200);
        /** WxJava's shared Apache HTTP client keeps 10 connections per host; more threads would only queue. */
        static final int MAX_WORKER_POOL_SIZE = 10;

        public Settings {
            requireText(appId, "appId");
            requireText(secret, "secret");
            requireText(apiHost, "apiHost");
            apiHost = apiHost.strip().replaceAll("/+$", "");  // WxJava appends paths starting with '/'
            if (!apiHost.startsWith("http://") && !apiHost.startsWith("https://")) {
                throw new IllegalArgumentException("apiHost must be an http(s) URL: " + apiHost);
            }
            if (workerPoolSize < 1 || workerPoolSize > MAX_WORKER_POOL_SIZE) {
                throw new IllegalArgumentException(
                        "workerPoolSize must be 1.." + MAX_WORKER_POOL_SIZE + ": " + workerPoolSize);
            }
            if (maxBusyRetries < 0) {
                throw new IllegalArgumentException("maxBusyRetries must be >= 0: " + maxBusyRetries);
            }
            Objects.requireNonNull(busyBackoff, "busyBackoff");
            if (busyBackoff.isNegative() || busyBackoff.isZero()) {
                throw new IllegalArgumentException("busyBackoff must be positive: " + busyBackoff);
            }
        }

        /** The defaults: 8 workers, 3 busy retries starting at 200 ms. */
        public Settings(String appId, String secret, String apiHost) {
            this(appId, secret, apiHost, DEFAULT_WORKER_POOL_SIZE, DEFAULT_MAX_BUSY_RETRIES, DEFAULT_BUSY_BACKOFF);
        }

        /** Without the secret, so the settings can be logged. */
        @Override
        public String toString() {
            return "Settings[appId=" + appId + ", secret=***, apiHost=" + apiHost
                    + ", workerPoolSize=" + workerPoolSize + ", maxBusyRetries=" + maxBusyRetries
                    + ", busyBackoff=" + busyBackoff + "]";
        }

        private static void requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " is required");
            }
        }
    }
}
