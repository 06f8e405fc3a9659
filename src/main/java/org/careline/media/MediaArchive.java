package org.careline.media;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.careline.config.AppConfig;
import org.careline.privacy.Redaction;
import org.careline.redis.RedisKeys;
import org.careline.wechat.InboundMessage;
import org.careline.wechat.WeChatApi;
import org.careline.wechat.WeChatApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keeps the photos and voice notes people send (DESIGN §4: WeChat's media ids last 3 days). A message with
 * media is noted in Redis at once and fetched soon after, off the chat's path: a failed fetch is retried
 * with backoff (by whichever instance claims it) until WeChat no longer has the file, and never delays a
 * reply. Files live under {@code media.dir} (0700; files 0600) and are deleted after {@code media.retention}.
 */
public final class MediaArchive implements org.careline.conversation.PersonalFiles {

    private static final Logger log = LoggerFactory.getLogger(MediaArchive.class);

    /** WeChat keeps a received message's media this long; after that a fetch cannot succeed. */
    static final Duration WECHAT_KEEPS = Duration.ofDays(3);
    /** Waits between attempts: quick at first (a passing error), then up to an hour. */
    static final long[] BACKOFF_MS = {2_000, 10_000, 60_000, 300_000, 1_800_000, 3_600_000};
    /** A claimed fetch is left to its instance this long before another may take it. */
    static final Duration CLAIM_LEASE = Duration.ofMinutes(2);
    static final long RETRY_SWEEP_MS = 5_000;
    static final long CLEANUP_SWEEP_MS = 3_600_000;
    /** errcode 40007: invalid media id (or expired): asking again will not help. */
    static final int MEDIA_GONE = 40007;

    /**
     * KEYS: pending. ARGV: now ms, lease-until ms, limit. Takes the due fetches and pushes their score to the
     * lease's end, so that each is attempted by one instance at a time.
     */
    private static final String CLAIM = """
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
            for _, id in ipairs(due) do
              redis.call('ZADD', KEYS[1], ARGV[2], id)
            end
            return due
            """;

    /** KEYS: media hash, pending. ARGV: fields…, then at the end: now ms, file id. Notes a new fetch once. */
    private static final String NOTE = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            local n = #ARGV
            for i = 1, n - 2, 2 do
              redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
            end
            redis.call('ZADD', KEYS[2], ARGV[n - 1], ARGV[n])
            return 1
            """;

    /**
     * KEYS: media hash, pending, expiry. ARGV: file id, expiry ms (empty: none), then fields…. Settles an attempt
     * in one step (stored or given up): the hash's state and the pending set never disagree, even for a moment
     * or after a crash between two writes.
     */
    private static final String SETTLE = """
            for i = 3, #ARGV - 1, 2 do
              redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
            end
            redis.call('ZREM', KEYS[2], ARGV[1])
            if ARGV[2] ~= '' then redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1]) end
            return 1
            """;

    private final Vertx vertx;
    private final RedisAPI redis;
    private final WeChatApi wechat;
    private final Path dir;
    private final Path incoming;
    private final Duration retention;
    private final Clock clock;
    private long retryTimer = -1;
    private long cleanupTimer = -1;

    public MediaArchive(Vertx vertx, RedisAPI redis, WeChatApi wechat, AppConfig.Media config, Clock clock) {
        this.vertx = vertx;
        this.redis = redis;
        this.wechat = wechat;
        this.dir = config.dir();
        this.incoming = dir.resolve("incoming");
        this.retention = config.retention();
        this.clock = clock;
    }

    /** Creates the folders (0700) and starts the retry and cleanup sweeps. Blocking file work runs on a worker. */
    public Future<Void> start() {
        return vertx.executeBlocking(() -> {
            for (Path d : List.of(dir, incoming)) {
                Files.createDirectories(d);
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
            }
            return null;
        }).onSuccess(v -> {
            retryTimer = vertx.setPeriodic(RETRY_SWEEP_MS, t -> fetchDue());
            cleanupTimer = vertx.setPeriodic(CLEANUP_SWEEP_MS, t -> cleanup());
        }).mapEmpty();
    }

    public void stop() {
        vertx.cancelTimer(retryTimer);
        vertx.cancelTimer(cleanupTimer);
    }

    /** A message arrived: note its photo or voice note for fetching, and try at once. Never fails the caller. */
    public void collect(InboundMessage message) {
        if (message.mediaId() == null || message.mediaId().isBlank()
                || message.kind() != InboundMessage.Kind.IMAGE && message.kind() != InboundMessage.Kind.VOICE) {
            return;
        }
        String file = MediaLinks.fileId(message.mediaId());
        Instant now = clock.instant();
        Instant received = message.createTime() > 0 ? Instant.ofEpochSecond(message.createTime()) : now;
        List<String> args = new ArrayList<>(List.of(NOTE, "2", RedisKeys.media(file), RedisKeys.mediaPending(),
                "state", "pending", "mediaId", message.mediaId(), "kind", message.kind().name().toLowerCase(Locale.ROOT),
                "openidHash", Redaction.openid(message.fromUser()), "receivedAt", received.toString(), "attempts", "0",
                Long.toString(now.toEpochMilli()), file));
        // The person's own set (another slot) lets erasure find their files.
        redis.eval(args)
                .compose(r -> redis.sadd(List.of(RedisKeys.userMedia(message.fromUser()), file)))
                .onSuccess(r -> fetchDue())
                .onFailure(e -> log.warn("media {} of {} not noted for fetching: {}", file,
                        Redaction.openid(message.fromUser()), e.toString()));
    }

    /** Fetches whatever is due now (this instance's claim). Completes when the attempts have settled. */
    public Future<Integer> fetchDue() {
        long now = clock.millis();
        return redis.eval(List.of(CLAIM, "1", RedisKeys.mediaPending(), Long.toString(now),
                        Long.toString(now + CLAIM_LEASE.toMillis()), "10"))
                .compose(due -> {
                    List<Future<Boolean>> each = new ArrayList<>();
                    for (Response id : due) {
                        each.add(fetch(id.toString()));
                    }
                    return Future.join(each).map(all -> each.size());
                })
                .recover(e -> {
                    log.warn("media fetch sweep failed: {}", e.toString());
                    return Future.succeededFuture(0);
                });
    }

    private Future<Boolean> fetch(String file) {
        return redis.hgetall(RedisKeys.media(file)).compose(h -> {
            Map<String, String> job = map(h);
            if (job.get("mediaId") == null) {
                return redis.zrem(List.of(RedisKeys.mediaPending(), file)).map(false);
            }
            return wechat.downloadMedia(job.get("mediaId"), incoming)
                    .compose(downloaded -> vertx.executeBlocking(() -> keep(file, downloaded), false))
                    .compose(kept -> stored(file, kept))
                    .map(true)
                    .recover(e -> failed(file, job, e));
        });
    }

    /** The file as kept: moved into the media folder under CareLine's id, readable by the owner only. */
    private record Kept(Path path, String contentType, long size) {}

    private Kept keep(String file, WeChatApi.DownloadedMedia downloaded) throws IOException {
        String name = downloaded.fileName() == null ? "" : downloaded.fileName().toLowerCase(Locale.ROOT);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "bin";
        if (!ext.matches("[a-z0-9]{1,5}")) {
            ext = "bin";
        }
        Path target = dir.resolve(file + "." + ext);
        Files.setPosixFilePermissions(downloaded.file(), PosixFilePermissions.fromString("rw-------"));
        try {
            Files.move(downloaded.file(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(downloaded.file(), target, StandardCopyOption.REPLACE_EXISTING);
        }
        return new Kept(target, contentType(ext), Files.size(target));
    }

    static String contentType(String ext) {
        return switch (ext) {
            case "jpg", "jpeg" -> "image/jpeg";
            case "png" -> "image/png";
            case "gif" -> "image/gif";
            case "amr" -> "audio/amr";
            case "mp3" -> "audio/mpeg";
            case "speex" -> "audio/speex";
            default -> "application/octet-stream";
        };
    }

    private Future<Void> stored(String file, Kept kept) {
        Instant now = clock.instant();
        Instant expires = now.plus(retention);
        return settle(file, Long.toString(expires.toEpochMilli()), "state", "stored",
                        "path", kept.path().getFileName().toString(), "contentType", kept.contentType(),
                        "size", Long.toString(kept.size()), "storedAt", now.toString(), "expiresAt", expires.toString())
                .onSuccess(v -> log.info("media {} kept ({} bytes)", file, kept.size()))
                .mapEmpty();
    }

    private Future<Boolean> failed(String file, Map<String, String> job, Throwable e) {
        int attempts = Integer.parseInt(job.getOrDefault("attempts", "0")) + 1;
        Instant received = Instant.parse(job.getOrDefault("receivedAt", clock.instant().toString()));
        boolean gone = e instanceof WeChatApiException w && w.errcode() == MEDIA_GONE
                || clock.instant().isAfter(received.plus(WECHAT_KEEPS));
        if (gone) {
            log.warn("media {} given up after {} attempt(s): {}", file, attempts, e.getMessage());
            return settle(file, "", "state", "failed", "attempts", Integer.toString(attempts),
                    "error", String.valueOf(e.getMessage())).map(false);
        }
        long wait = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)];
        log.info("media {} not fetched (attempt {}), again in {} s: {}", file, attempts, wait / 1000, e.getMessage());
        return redis.hset(List.of(RedisKeys.media(file), "attempts", Integer.toString(attempts)))
                .compose(v -> redis.zadd(List.of(RedisKeys.mediaPending(), Long.toString(clock.millis() + wait), file)))
                .map(false);
    }

    private Future<Void> settle(String file, String expiresMs, String... fields) {
        List<String> args = new ArrayList<>(List.of(SETTLE, "3", RedisKeys.media(file), RedisKeys.mediaPending(),
                RedisKeys.mediaExpiry(), file, expiresMs));
        args.addAll(List.of(fields));
        return redis.eval(args).mapEmpty();
    }

    /** A kept file as the media route serves it; null when not (or not yet, or no longer) kept. */
    public record Stored(Path path, String contentType, long size) {}

    public Future<Stored> stored(String file) {
        if (!MediaLinks.validFileId(file)) {
            return Future.succeededFuture(null);
        }
        return redis.hgetall(RedisKeys.media(file)).map(h -> {
            Map<String, String> m = map(h);
            if (!"stored".equals(m.get("state")) || m.get("path") == null) {
                return null;
            }
            return new Stored(dir.resolve(m.get("path")), m.get("contentType"), Long.parseLong(m.getOrDefault("size", "0")));
        });
    }

    /** What Redis knows of a file (state pending, stored or failed; attempts), for tests and the admin view. */
    public Future<Map<String, String>> describe(String file) {
        return redis.hgetall(RedisKeys.media(file)).map(MediaArchive::map);
    }

    /** Deletes the files whose retention has passed. Completes with how many were deleted. */
    public Future<Integer> cleanup() {
        return redis.zrangebyscore(List.of(RedisKeys.mediaExpiry(), "-inf", Long.toString(clock.millis()), "LIMIT", "0", "500"))
                .compose(due -> {
                    List<Future<Void>> each = new ArrayList<>();
                    for (Response id : due) {
                        each.add(delete(id.toString()));
                    }
                    return Future.join(each).map(all -> each.size());
                })
                .onSuccess(n -> {
                    if (n > 0) {
                        log.info("media retention: {} file(s) deleted", n);
                    }
                })
                .recover(e -> {
                    log.warn("media cleanup failed: {}", e.toString());
                    return Future.succeededFuture(0);
                });
    }

    /** Deletes one kept file and what Redis knows of it (retention passed, or the person asked). */
    public Future<Void> delete(String file) {
        return redis.hget(RedisKeys.media(file), "path").compose(p -> {
            Future<Void> removed = p == null ? Future.succeededFuture()
                    : vertx.executeBlocking(() -> {
                        Files.deleteIfExists(dir.resolve(p.toString()));
                        return null;
                    }, false);
            return removed.compose(v -> redis.del(List.of(RedisKeys.media(file))))
                    .compose(v -> redis.zrem(List.of(RedisKeys.mediaExpiry(), file)))
                    .compose(v -> redis.zrem(List.of(RedisKeys.mediaPending(), file)))
                    .mapEmpty();
        });
    }

    /** Deletes every file a person sent (erasure on request or unsubscribe). Completes with how many. */
    @Override
    public Future<Integer> eraseOf(String openid) {
        return redis.smembers(RedisKeys.userMedia(openid)).compose(ids -> {
            List<Future<Void>> each = new ArrayList<>();
            for (Response id : ids) {
                each.add(delete(id.toString()));
            }
            return Future.all(each).compose(all -> redis.del(List.of(RedisKeys.userMedia(openid)))).map(v -> each.size());
        });
    }

    private static Map<String, String> map(Response hash) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (hash == null) {
            return out;
        }
        // RESP2 (RedisConnector): HGETALL answers field, value, field, value …
        for (int i = 0; i + 1 < hash.size(); i += 2) {
            out.put(hash.get(i).toString(), hash.get(i + 1).toString());
        }
        return out;
    }
}
