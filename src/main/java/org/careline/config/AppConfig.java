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
                        Sandbox sandbox, Outbox outbox,
                        Console console, Directors directors) {

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

    /**
     * How the outbox is delivered to the back office.
     *
     * @param requestTimeout a POST without an answer for this long counts as failed (and is retried)
     * @param backoffBase    the first retry waits up to this long (full jitter), doubling each time …
     * @param backoffMax     … up to this
     * @param giveUpAfter    an event still undelivered this long after it was written goes to the dead letters
     * @param claimTimeout   an entry taken by an instance that has not answered for this long (it crashed) is
     *                       taken over by another (XAUTOCLAIM min idle); longer than a request can take
     * @param concurrency    people delivered to at once by one instance (one event of a person at a time)
     * @param pollInterval   how often an idle worker looks for due work
     */
    public record Outbox(Duration requestTimeout, Duration backoffBase, Duration backoffMax, Duration giveUpAfter,
                         Duration claimTimeout, int concurrency, Duration pollInterval) {}

    /**
     * The staff console (internal port).
     *
     * @param adminPassword     creates or resets the {@code admin} account at start; empty leaves it as it is
     * @param cookieSecure      mark the session cookie {@code Secure} (the console is served over HTTPS)
     * @param sessionIdle       a session unused this long ends
     * @param sessionMax        a session ends this long after sign-in, used or not
     * @param maxFailures       failed sign-ins of one username before it is locked for {@code lockout}
     * @param ipMaxFailures     failed sign-ins from one address before it is locked for {@code lockout}
     * @param urgentResponse    first-response target of an urgent chat (clock time)
     * @param otherResponse     first-response target of the others, counted in office hours
     * @param noticeTemplateId  template message offered when WeChat's 48-hour window is closed (empty: none)
     * @param cannedRepliesFile the canned replies the console starts with (admin edits them afterwards)
     */
    public record Console(String adminPassword, boolean cookieSecure, Duration sessionIdle, Duration sessionMax,
                          int maxFailures, int ipMaxFailures, Duration lockout, Duration urgentResponse,
                          Duration otherResponse, String noticeTemplateId, Path cannedRepliesFile) {}
}
