package org.careline.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;

/**
 * CareLine's whole configuration, typed and already validated. Built once by {@link ConfigLoader} at
 * start-up; everything else receives the part it needs through its constructor.
 */
public record AppConfig(Http http, Admin admin, WeChat wechat, Redis redis, Conversation conversation,
                        BackOffice backOffice, Media media, Templates templates,
                        Sandbox sandbox, Directors directors) {

    public record Http(String host, int port, Limits limits) {}

    public record Admin(String host, int port, String token, Limits limits) {}

    /**
     * What one HTTP port allows a connection.
     *
     * @param idleTimeout    a connection without a complete request for this long is closed (also one that
     *                       keeps trickling its headers)
     * @param requestTimeout a request must arrive in full and be answered within this long
     * @param maxConnections connections open at once; more are closed as soon as they open
     */
    public record Limits(Duration idleTimeout, Duration requestTimeout, int maxConnections) {}

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

    /**
     * Photos and voice notes fetched from WeChat (its media ids last 3 days).
     *
     * @param dir          where the files are kept (0700; each file 0600)
     * @param retention    a file is deleted this long after it was received
     * @param linkValidity how long a signed media URL given to the back office stays valid
     */
    public record Media(Path dir, Duration retention, Duration linkValidity) {}

    /**
     * Template messages (模板消息), used when the 48-hour customer-service window is closed.
     *
     * @param caseStatus       template id of the case-status notice; empty = no template (recorded as undelivered)
     * @param caseStatusFields which template field carries what: {@code field:what} pairs, what being
     *                         {@code caseId}, {@code status}, {@code message} or {@code updatedAt}
     */
    public record Templates(String caseStatus, String caseStatusFields) {}

    /**
     * Child directors' visits and reminders.
     *
     * @param policyFile      the visit policy ({@code config/visit-policy.yaml})
     * @param holidaysDir     one {@code <year>.yaml} per year: official holidays and 调休 working days
     * @param reminderTime    when the daily digest goes out, in the conversation time zone
     * @param checkEvery      how often each instance looks whether today's reminders are still to send
     * @param digestTemplate  template id of a director's daily digest; empty = no digest is sent
     * @param digestFields    which template field carries what ({@code community}, {@code summary},
     *                        {@code date}, {@code action})
     * @param overdueTemplate template id of a supervisor's overdue notice; empty = none sent (events still are)
     * @param overdueFields   as digestFields ({@code town} instead of community)
     */
    public record Directors(Path policyFile, Path holidaysDir, java.time.LocalTime reminderTime, Duration checkEvery,
                            String digestTemplate, String digestFields, String overdueTemplate, String overdueFields) {}

    /** @param demoRoster the fictional roster loaded when the sandbox starts */
    public record Sandbox(Path demoRoster) {}
}
