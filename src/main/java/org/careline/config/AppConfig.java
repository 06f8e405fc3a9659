package org.careline.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;

/**
 * CareLine's whole configuration, typed and already validated. Built once by {@link ConfigLoader} at
 * start-up; everything else receives the part it needs through its constructor.
 */
public record AppConfig(Http http, Admin admin, WeChat wechat, Redis redis, Conversation conversation,
                        BackOffice backOffice) {

    public record Http(String host, int port) {}

    public record Admin(String host, int port, String token) {}

    /**
     * @param appId       empty means sandbox mode (see {@link #sandbox()})
     * @param acceptPlain with an AES key set, still accept plain (unencrypted) callbacks: only while the
     *                    account is being switched to safe mode, since a plain callback's body is not signed
     */
    public record WeChat(String appId, String secret, String token, String aesKey, String previousAesKey,
                         boolean acceptPlain, String apiHost, Duration replyBudget, Duration maxClockSkew, int maxBodyBytes,
                         int apiWorkers, Duration dedupWindow, Path menuFile) {

        /** No app id configured: run against the in-process fake platform with the simulator. */
        public boolean sandbox() {
            return appId.isEmpty();
        }

        public boolean safeMode() {
            return !aesKey.isEmpty();
        }
    }

    /** @param url empty means: start an embedded Redis server */
    public record Redis(String url, int embeddedPort, Path dataDir) {
        public boolean embedded() {
            return url.isEmpty();
        }
    }

    public record Conversation(Path flowsDir, Path regionsFile, Duration idleTimeout, Duration retention,
                               ZoneId timeZone, String officeHours) {}

    public record BackOffice(String url, String secret) {}
}
