package org.careline.cases;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import org.careline.config.AppConfig;
import org.careline.conversation.ConversationStore;
import org.careline.conversation.SystemTexts;
import org.careline.conversation.UserQueue;
import org.careline.privacy.Redaction;
import org.careline.wechat.WeChatApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A caseworker moved a case on in the back office (DESIGN §6 inbound): the case takes the new status and
 * message in its owner's turn (never racing a message of theirs), the back office hears it back as
 * {@code case.updated} through the outbox, and the family is told in WeChat.
 */
public final class CaseStatusUpdates {

    private static final Logger log = LoggerFactory.getLogger(CaseStatusUpdates.class);

    /** The statuses the back office may send (DESIGN §3), as it spells them. */
    public static final List<String> STATUSES =
            List.of("received", "assigned", "visiting", "approved", "declined", "referred", "closed");
    /** A caseworker's message is shown in a chat bubble: keep it to a readable length. */
    public static final int MESSAGE_MAX = 500;

    /** What became of an update: {@code notice} is null when the case was not found. */
    public record Outcome(CaseRecord updated, FamilyNotifier.Notice notice) {
        public boolean found() {
            return updated != null;
        }
    }

    private final ConversationStore store;
    private final UserQueue turns;
    private final FamilyNotifier notifier;
    private final Clock clock;

    public CaseStatusUpdates(ConversationStore store, UserQueue turns, WeChatApi wechat, AppConfig config,
                             UndeliveredNotices undelivered, Clock clock, MeterRegistry meters) {
        this.store = store;
        this.turns = turns;
        this.clock = clock;
        this.notifier = new FamilyNotifier(wechat, config.templates(), undelivered, new SystemTexts(), clock,
                config.conversation().timeZone(), meters);
    }

    /** {@code received} → {@link CaseStatus#RECEIVED}; null for anything not in {@link #STATUSES}. */
    public static CaseStatus parseStatus(String given) {
        if (given == null || !STATUSES.contains(given)) {
            return null;
        }
        return CaseStatus.valueOf(given.toUpperCase(Locale.ROOT));
    }

    /** Applies one update; {@code eventId} is the back office's id of it (kept in the case.updated event). */
    public Future<Outcome> apply(String caseId, CaseStatus status, String message, String eventId) {
        return store.ownerOfCase(caseId).compose(openid -> openid == null
                ? Future.succeededFuture(new Outcome(null, null))
                : turns.run(openid, () -> store.caseRecord(openid, caseId).compose(found -> {
                    if (found == null) {
                        return Future.succeededFuture(new Outcome(null, null));
                    }
                    Instant now = clock.instant();
                    CaseRecord updated = new CaseRecord(found.caseId(), found.kind(), status,
                            message == null || message.isBlank() ? null : message.strip(), openid, found.fields(),
                            found.createdAt(), now);
                    CaseEvent event = new CaseEvent(UUID.randomUUID().toString(), CaseEvent.CASE_UPDATED, now,
                            data(found, updated, eventId));
                    return store.updateCase(updated, event)
                            .compose(v -> store.lastHeardFrom(openid).recover(e -> Future.succeededFuture(null)))
                            .compose(lastHeard -> notifier.tell(updated, lastHeard, eventId))
                            .map(notice -> {
                                log.info("case {} of {} is now {} (back-office event {}); notice {} {}", caseId,
                                        Redaction.openid(openid), status, eventId, notice.channel(), notice.outcome());
                                return new Outcome(updated, notice);
                            });
                })));
    }

    private static Map<String, Object> data(CaseRecord before, CaseRecord after, String eventId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("caseId", after.caseId());
        data.put("kind", after.kind());
        data.put("status", after.status().name());
        data.put("previousStatus", before.status() == null ? null : before.status().name());
        data.put("message", after.statusNote());
        data.put("updatedAt", after.updatedAt().toString());
        data.put("openidHash", Redaction.openid(after.openid()));
        data.put("source", "backoffice");
        data.put("backOfficeEventId", eventId);
        return data;
    }
}
