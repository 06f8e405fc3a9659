package org.careline.cases;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.careline.config.AppConfig;
import org.careline.conversation.SystemTexts;
import org.careline.privacy.Redaction;
import org.careline.wechat.WeChatApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tells a family in WeChat that their case moved on (DESIGN §4, §6): a customer-service message while the
 * 48-hour window since they last wrote is open, else a template message. What could not be delivered is
 * recorded in {@link UndeliveredNotices}; it never fails the status update itself.
 */
final class FamilyNotifier {

    private static final Logger log = LoggerFactory.getLogger(FamilyNotifier.class);
    /** WeChat's customer-service window after the person's last message. */
    static final Duration WINDOW = Duration.ofHours(48);
    /** Closer to the end than this, a template is used: the clocks of WeChat and ours are not the same. */
    static final Duration WINDOW_MARGIN = Duration.ofMinutes(10);
    /** Template {@code thing} values: at most 20 characters since 2023 (longer is refused with 47003). */
    static final int THING_MAX = 20;
    private static final DateTimeFormatter TEMPLATE_TIME = DateTimeFormatter.ofPattern("yyyy年M月d日 HH:mm");

    /** How a notice went: {@code channel} customer-service, template or none; {@code outcome} sent or why not. */
    record Notice(String channel, String outcome) {
        boolean delivered() {
            return "sent".equals(outcome);
        }

        JsonObject json() {
            return new JsonObject().put("channel", channel).put("outcome", outcome);
        }
    }

    private final WeChatApi wechat;
    private final AppConfig.Templates templates;
    private final Map<String, String> templateFields;
    private final UndeliveredNotices undelivered;
    private final SystemTexts statusTexts;
    private final CaseNoticeTexts texts = new CaseNoticeTexts();
    private final Clock clock;
    private final ZoneId zone;
    private final MeterRegistry meters;

    FamilyNotifier(WeChatApi wechat, AppConfig.Templates templates, UndeliveredNotices undelivered,
                   SystemTexts statusTexts, Clock clock, ZoneId zone, MeterRegistry meters) {
        this.wechat = wechat;
        this.templates = templates;
        this.templateFields = fields(templates.caseStatusFields());
        this.undelivered = undelivered;
        this.statusTexts = statusTexts;
        this.clock = clock;
        this.zone = zone;
        this.meters = meters;
    }

    /** {@code thing3:message,…} → field → what; checked at start-up by the config loader. */
    static Map<String, String> fields(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            String[] p = pair.trim().split(":");
            if (p.length == 2) {
                out.put(p[0].trim(), p[1].trim());
            }
        }
        return out;
    }

    /** Tells the owner of {@code c} its new status; {@code lastHeard} is when they last wrote (null: unknown). */
    Future<Notice> tell(CaseRecord c, Instant lastHeard, String eventId) {
        Instant now = clock.instant();
        boolean windowOpen = lastHeard != null && now.isBefore(lastHeard.plus(WINDOW).minus(WINDOW_MARGIN));
        Future<Notice> sent = windowOpen
                ? wechat.sendText(c.openid(), texts.text(c, statusTexts.status(c.status(), c.kind())))
                .compose(result -> switch (result) {
                    case SENT -> Future.succeededFuture(new Notice("customer-service", "sent"));
                    // Our idea of the window was wrong, or the person's quota is used: a template still reaches them.
                    case OUTSIDE_WINDOW, QUOTA_USED -> template(c, eventId, now);
                    default -> Future.succeededFuture(new Notice("customer-service", outcome(result)));
                })
                : template(c, eventId, now);
        return sent.recover(e -> {
                    log.warn("notice of case {} not sent: {}", c.caseId(), e.getMessage());
                    return Future.succeededFuture(new Notice(windowOpen ? "customer-service" : "template", "error"));
                })
                .compose(notice -> {
                    meters.counter("careline.case.notices", "channel", notice.channel(), "outcome", notice.outcome())
                            .increment();
                    if (notice.delivered()) {
                        return Future.succeededFuture(notice);
                    }
                    JsonObject entry = new JsonObject().put("at", now.toString()).put("caseId", c.caseId())
                            .put("openidHash", Redaction.openid(c.openid())).put("status", c.status().name().toLowerCase())
                            .put("channel", notice.channel()).put("reason", notice.outcome()).put("eventId", eventId)
                            .put("lastHeardAt", lastHeard == null ? null : lastHeard.toString());
                    log.info("notice of case {} to {} not delivered: {} ({})", c.caseId(), Redaction.openid(c.openid()),
                            notice.outcome(), notice.channel());
                    return undelivered.record(entry).map(notice)
                            .recover(e -> Future.succeededFuture(notice));
                });
    }

    private Future<Notice> template(CaseRecord c, String eventId, Instant now) {
        if (templates.caseStatus().isEmpty()) {
            return Future.succeededFuture(new Notice("template", "no-template"));
        }
        Map<String, String> data = new LinkedHashMap<>();
        templateFields.forEach((field, what) -> data.put(field, switch (what) {
            case "caseId" -> c.caseId();
            case "status" -> texts.phrase(c.status());
            case "message" -> thing(c.statusNote() == null || c.statusNote().isBlank()
                    ? statusTexts.status(c.status(), c.kind()) : c.statusNote());
            default -> TEMPLATE_TIME.format(now.atZone(zone));
        }));
        return wechat.sendTemplate(c.openid(), templates.caseStatus(), null, data, clientMsgId(c.caseId(), eventId))
                .map(result -> new Notice("template", outcome(result)));
    }

    private static String outcome(WeChatApi.SendResult result) {
        return switch (result) {
            case SENT -> "sent";
            case NOT_FOLLOWING -> "not-following";
            case QUOTA_USED -> "quota";
            case OUTSIDE_WINDOW -> "outside-window";
            case REJECTED -> "rejected";
        };
    }

    /** A {@code thing} value: the text cut to 20 characters (with an ellipsis), on one line. */
    static String thing(String text) {
        String line = text.strip().replace('\n', ' ').replace('\r', ' ');
        if (line.codePointCount(0, line.length()) <= THING_MAX) {
            return line;
        }
        return line.substring(0, line.offsetByCodePoints(0, THING_MAX - 1)) + "…";
    }

    /** WeChat sends one template per openid and client_msg_id in 10 minutes: a retried send is not doubled. */
    static String clientMsgId(String caseId, String eventId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((caseId + "\n" + eventId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
