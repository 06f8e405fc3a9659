package org.careline.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Every Redis key CareLine uses, in one place. Keys of one person share the hash tag {@code {p:<person>}}
 * so that a person's state, cases and outbox entries live in one Redis Cluster slot and can be written in
 * one MULTI/EXEC. {@code <person>} is {@link #person(String)}, a pseudonym of the openid: no key name
 * carries a raw openid (key names show up in SCAN, MONITOR, SLOWLOG and keyspace events), and the outbox
 * index can name whose stream has work without holding openids.
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

    /**
     * The pseudonym of an openid in key names and the outbox index: 128 bits of a domain-separated SHA-256.
     * Not reversible (openids are random 28-character strings, nothing to enumerate), stable, so every key
     * of a person is found again from the openid; collisions are out of reach at any district's scale.
     */
    public static String person(String openid) {
        // A message builds a dozen keys of one person: the last pseudonym of this thread is reused.
        String[] last = LAST_PERSON.get();
        if (openid.equals(last[0])) {
            return last[1];
        }
        String person = pseudonym(openid);
        last[0] = openid;
        last[1] = person;
        return person;
    }

    private static final ThreadLocal<String[]> LAST_PERSON = ThreadLocal.withInitial(() -> new String[2]);

    private static String pseudonym(String openid) {
        MessageDigest sha256 = SHA_256.get();
        sha256.update(PERSON_DOMAIN);
        byte[] digest = sha256.digest(openid.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    private static final byte[] PERSON_DOMAIN = "careline:person:".getBytes(StandardCharsets.UTF_8);
    /** One digest per thread (a digest resets itself after {@code digest()}); looking one up costs more than hashing. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });

    private static String user(String openid) {
        return personPrefix(person(openid));
    }

    private static String personPrefix(String person) {
        return PREFIX + "{p:" + person + "}:";
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
     * them. Per person, so that the transaction stays within one cluster slot. Deleted once delivered.
     */
    public static String outbox(String openid) {
        return outboxOf(person(openid));
    }

    /** The outbox stream of a person known by pseudonym only (the delivery worker, from the index). */
    public static String outboxOf(String person) {
        return personPrefix(person) + "outbox";
    }

    /**
     * Hash beside a person's outbox: the entry waiting for a retry and when it may be tried again. Another
     * instance may take that entry over once the time has come (see {@code cases.OutboxStore}).
     */
    public static String outboxRetryOf(String person) {
        return personPrefix(person) + "outbox-retry";
    }

    /**
     * The outbox index: sorted set of person pseudonyms (never openids) whose outbox may hold undelivered
     * events, scored by when (epoch ms) a delivery worker should look at it next: now for new events, later
     * for a retry or while an instance is delivering to that person.
     */
    public static String outboxIndex() {
        return PREFIX + "outbox:due";
    }

    /** Stream of events the back office refused or that outlived the retry limit, for an operator to replay. */
    public static String outboxDeadLetters() {
        return PREFIX + "outbox:dead";
    }

    /** Stream recording dead letters an operator discarded, and why (no event data, no person). */
    public static String outboxDiscarded() {
        return PREFIX + "outbox:discarded";
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
     * person's hash tag (same cluster slot) but sits outside their {@code cl:{p:…}:} prefix: it expires with
     * the dedup window rather than being part of the person's stored data.
     */
    public static String dedup(String openid, String dedupKey) {
        return dedupPrefix(openid) + dedupKey;
    }

    /** The common start of a person's dedup keys (erasure finds them with SCAN MATCH prefix*). */
    public static String dedupPrefix(String openid) {
        return PREFIX + "dedup:{p:" + person(openid) + "}:";
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

    // ---- back office inbound, notices, roster, media ----

    /** The answer given to one inbound back-office request, by its {@code X-CareLine-Event-Id}. */
    public static String backOfficeEvent(String eventId) {
        return PREFIX + "bo-event:" + eventId;
    }

    /** A signature already used by an inbound back-office request (a captured request sent again). */
    public static String backOfficeSignature(String signature) {
        return PREFIX + "bo-sig:" + signature;
    }

    /** List (newest first, capped) of case notices that could not reach the family: JSON, no personal text. */
    public static String undeliveredNotices() {
        return PREFIX + "notices:undelivered";
    }

    /** The version of the roster in force (a content hash); readers go through it to the version's keys. */
    public static String rosterCurrent() {
        return PREFIX + "roster:current";
    }

    /**
     * One part of a roster version: {@code meta} (hash), {@code towns}, {@code communities}, {@code people},
     * {@code children} (hashes id → JSON), {@code community-children:<communityId>} (set of child ids),
     * {@code town-communities:<townId>} (set). One hash tag per version: written in one script.
     */
    public static String roster(String version, String part) {
        return PREFIX + "roster:{v:" + version + "}:" + part;
    }

    /**
     * Hash describing one kept media file (kind, content type, whose, when it expires). The media keys share
     * one hash tag so that noting a fetch (hash + pending set) is one script; media are few next to messages.
     */
    public static String media(String fileId) {
        return PREFIX + "{media}:" + fileId;
    }

    /** Sorted set of media still to fetch from WeChat, scored by when the next attempt is due (ms). */
    public static String mediaPending() {
        return PREFIX + "{media}:pending";
    }

    /** Sorted set of kept media files, scored by when they are to be deleted (ms). */
    public static String mediaExpiry() {
        return PREFIX + "{media}:expiry";
    }

    /** Set of the media file ids a person sent (for erasure). In the person's slot. */
    public static String userMedia(String openid) {
        return user(openid) + "media";
    }

    // ---- child directors: binding codes, bindings, visits, reminders ----

    /**
     * A binding code, by the SHA-256 of its digits (the code itself is never stored): hash of roster id,
     * expiresAt, usedBy, usedAt. Binding keys share the hash tag {@code {bind}} so that a redemption (code,
     * guessing counters) is one script.
     */
    public static String bindingCode(String codeHash) {
        return PREFIX + "{bind}:code:" + codeHash;
    }

    /** The hash of the code last issued to a roster person (a new code revokes the old one). */
    public static String bindingCodeOf(String rosterId) {
        return PREFIX + "{bind}:person:" + rosterId;
    }

    /** Wrong codes sent by one person (hashed handle) within the hour. */
    public static String bindingTries(String openidHandle) {
        return PREFIX + "{bind}:tries:" + openidHandle;
    }

    /** Wrong codes sent by anyone within one hour (epoch hour): a limit on guessing with many accounts. */
    public static String bindingFailures(long epochHour) {
        return PREFIX + "{bind}:failures:" + epochHour;
    }

    /** Hash: roster id of a bound director or supervisor → their openid (who gets the reminders). */
    public static String bindings() {
        return PREFIX + "bindings";
    }

    /** Hash: child roster id → date (YYYY-MM-DD) of the last visit logged through CareLine. */
    public static String lastVisits() {
        return PREFIX + "visits:last";
    }

    /** A director's (or supervisor's) reminder of one day, claimed by the instance that sends it (SET NX). */
    public static String reminderClaim(String date, String rosterId) {
        return PREFIX + "reminder:" + date + ":" + rosterId;
    }

    /** Set when the reminders of a day have all gone out: a restarted instance does not sweep again. */
    public static String remindersSwept(String date) {
        return PREFIX + "reminders:swept:" + date;
    }

    /** Held by the instance sweeping now (SET NX PX, value = its token). */
    public static String remindersLock() {
        return PREFIX + "reminders:lock";
    }

    /** The outbox owner of events no person's message caused ({@code visit.overdue}). */
    public static final String REMINDERS_OWNER = "~reminders";

    /**
     * Hash in an outbox owner's slot: subject → the period its event was last written for (e.g. child id →
     * due date of the overdue period), so that the event is written once per period, in the same script.
     */
    public static String eventLedger(String owner) {
        return user(owner) + "once";
    }
}
