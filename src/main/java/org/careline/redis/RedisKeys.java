package org.careline.redis;

import java.time.Duration;

/**
 * Every Redis key CareLine uses, in one place. Keys of one person share the hash tag {@code {u:<openid>}}
 * so that a person's state, cases and outbox entries live in one Redis Cluster slot and can be written in
 * one MULTI/EXEC.
 */
public final class RedisKeys {

    private static final String PREFIX = "cl:";

    /**
     * How long a "being processed" dedup marker holds before a retry may run the message again. A step
     * takes milliseconds; WeChat retries at about 5, 10 and 15 s, so a handler that died leaves its
     * message to the retry after next at the latest.
     */
    public static final Duration PROCESSING_LEASE = Duration.ofSeconds(8);
    /** A per-person lock is released by its holder; the TTL only guards against a crashed holder. */
    public static final Duration USER_LOCK_TTL = Duration.ofSeconds(15);
    /** Transcript lines kept per person (newest). */
    public static final int TRANSCRIPT_MAX = 200;

    private RedisKeys() {
    }

    private static String user(String openid) {
        return PREFIX + "{u:" + openid + "}:";
    }

    /** JSON {@code ConversationState}; expires after the configured retention. */
    public static String conversation(String openid) {
        return user(openid) + "conv";
    }

    /** Serialises one person's messages across instances (SET NX PX; value = owner token). */
    public static String userLock(String openid) {
        return user(openid) + "lock";
    }

    /** Hash: role, community, town of a bound director/supervisor; absent for families. */
    public static String profile(String openid) {
        return user(openid) + "profile";
    }

    /** List of JSON transcript lines (user and bot), newest first, capped at {@link #TRANSCRIPT_MAX}. */
    public static String transcript(String openid) {
        return user(openid) + "transcript";
    }

    /** Sorted set of this person's case ids, scored by creation time. */
    public static String userCases(String openid) {
        return user(openid) + "cases";
    }

    /** JSON of one case; lives in its owner's slot. */
    public static String caseRecord(String openid, String caseId) {
        return user(openid) + "case:" + caseId;
    }

    /**
     * Outbox stream of this person's case events, written in the same MULTI/EXEC as the state that caused
     * them. Per person, so that the transaction stays within one cluster slot.
     */
    public static String outbox(String openid) {
        return user(openid) + "outbox";
    }

    /** Set of openids whose outbox may hold undelivered events: the delivery worker's index. */
    public static String outboxIndex() {
        return PREFIX + "outbox:index";
    }

    /** Case id → owning openid, for status updates that arrive by case id. */
    public static String caseOwner(String caseId) {
        return PREFIX + "case-owner:" + caseId;
    }

    /** Daily counter behind case numbers (CL + yyMMdd + sequence). */
    public static String caseSequence(String yyMMdd) {
        return PREFIX + "case-seq:" + yyMMdd;
    }

    /**
     * The processing marker, then the reply, of one inbound message of this person (DESIGN §2 step 2).
     * Per person: a MsgId is only unique within one person's messages, and another person's message with
     * the same MsgId must not be taken for a retry (and answered with someone else's reply). It carries the
     * person's hash tag (same cluster slot) but sits outside their {@code cl:{u:…}:} prefix: it expires with
     * the dedup window rather than being part of the person's stored data.
     */
    public static String dedup(String openid, String dedupKey) {
        return PREFIX + "dedup:{u:" + openid + "}:" + dedupKey;
    }

    /**
     * The SHA-256 of the body a signed callback URL (timestamp + nonce) first came with; kept until the
     * timestamp would be refused as stale. Not per person: a replayed URL may carry any openid.
     */
    public static String callbackNonce(String timestamp, String nonce) {
        return PREFIX + "nonce:" + timestamp + ":" + nonce;
    }

    /** Sorted set of escalated openids for the staff console, scored by severity then arrival. */
    public static String escalationInbox() {
        return PREFIX + "escalations";
    }

    /** Every key that holds one person's data, for deletion on unsubscribe or request. */
    public static String[] personalKeys(String openid) {
        return new String[] {conversation(openid), profile(openid), transcript(openid), userLock(openid),
                staffHandling(openid), consoleId(openid)};
    }

    // ---- staff console ----

    /**
     * Hash: who on staff has the person's open escalation ({@code assignee}, {@code claimedAt}, and the
     * {@code openedAt} of the escalation claimed), the first staff reply, the police report of an urgent chat.
     */
    public static String staffHandling(String openid) {
        return user(openid) + "staff";
    }

    /** The person's pseudonymous id in the console (URLs and pages never carry the openid). */
    public static String consoleId(String openid) {
        return user(openid) + "console-id";
    }

    /** Pseudonymous console id → openid. */
    public static String consoleConversation(String consoleId) {
        return PREFIX + "console:conv:" + consoleId;
    }

    /** Hash of one console account: role, display name, password hash, disabled. */
    public static String consoleAccount(String username) {
        return PREFIX + "console:account:" + username;
    }

    /** Set of every console username. */
    public static String consoleAccounts() {
        return PREFIX + "console:accounts";
    }

    /** Hash of one console session, by the SHA-256 of its id (a leaked dump holds no usable session id). */
    public static String consoleSession(String idHash) {
        return PREFIX + "console:session:" + idHash;
    }

    /** Set of the session hashes of one account: sign-out everywhere, and disabling, end them all. */
    public static String consoleUserSessions(String username) {
        return PREFIX + "console:sessions:" + username;
    }

    /** Failed sign-ins of one username ({@code kind} "user") or one address ("ip"), expiring with the lockout. */
    public static String consoleFailures(String kind, String who) {
        return PREFIX + "console:failures:" + kind + ":" + who;
    }

    /** Stream of the console's audit log: who read or revealed what, when. */
    public static String consoleAudit() {
        return PREFIX + "console:audit";
    }

    /** JSON list of canned replies (seeded from the file, edited by admin). */
    public static String consoleCannedReplies() {
        return PREFIX + "console:canned";
    }
}
