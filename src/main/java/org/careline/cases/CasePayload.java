package org.careline.cases;

import org.careline.privacy.Redaction;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data of a {@code case.created} / {@code change.reported} event: what a caseworker needs to pick a
 * case up without asking again (DESIGN §6). Field names are those the flows collect
 * ({@code conversation-flows/help-request.yaml}, {@code report-change.yaml}); everything collected also
 * travels unchanged under {@code fields}. The phone goes in full (a caseworker must call it); an ID number
 * only masked.
 */
public final class CasePayload {

    /** 急难型 assistance is decided within 3 days; 支出型 within 10 working days (临时救助 rules). */
    static final int SUDDEN_DAYS = 3;
    static final int ONGOING_WORKING_DAYS = 10;

    private CasePayload() {
    }

    /**
     * Where the back office fetches an attachment CareLine keeps: {@code file} (CareLine's id) and {@code url}
     * (signed, expiring, on the internal port), by WeChat media id.
     */
    @FunctionalInterface
    public interface AttachmentLinks {
        Map<String, String> of(String mediaId);
    }

    public static Map<String, Object> of(CaseRecord c, ZoneId zone) {
        return of(c, zone, null);
    }

    public static Map<String, Object> of(CaseRecord c, ZoneId zone, AttachmentLinks links) {
        Map<String, String> f = c.fields() == null ? Map.of() : c.fields();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("caseId", c.caseId());
        data.put("kind", c.kind());
        data.put("status", c.status().name());
        data.put("createdAt", c.createdAt().toString());
        data.put("openidHash", Redaction.openid(c.openid()));

        Map<String, Object> reporter = new LinkedHashMap<>();
        reporter.put("name", f.get("reporter_name"));
        reporter.put("relation", f.get("reporter_relation"));
        reporter.put("relationLabel", f.get("reporter_relation_label"));
        reporter.put("phone", f.get("phone"));
        data.put("reporter", reporter);

        Map<String, Object> child = new LinkedHashMap<>();
        child.put("name", f.get("child_name"));
        child.put("age", f.get("child_age"));
        child.put("ageLabel", f.get("child_age_label"));
        child.put("ageMonths", f.get("child_age_months"));
        if (f.get("child_id_number") != null) {
            child.put("idNumber", Redaction.idNumber(f.get("child_id_number")));
        }
        child.put("town", f.get("home_town"));
        child.put("community", f.get("home_community"));
        child.put("residence", f.get("residence"));
        child.put("residenceLabel", f.get("residence_label"));
        data.put("child", child);

        data.put("need", f.get("need"));
        data.put("needLabel", f.get("need_label"));
        data.put("urgency", f.get("urgency"));
        data.put("description", f.get("description"));
        data.put("attachments", attachments(f, links));
        putPoliceReport(data, f);
        data.put("consent", Map.of(
                "answer", f.getOrDefault("consent", ""),
                "version", f.getOrDefault("consent_version", ""),
                "at", f.getOrDefault("consent_at", "")));
        data.put("referral", f.get("referral"));
        data.put("nextStep", nextStep(c, f, zone));
        data.put("summary", summary(f));
        // On CareLine's internal port, behind the admin token.
        data.put("transcript", "/api/admin/cases/" + c.caseId() + "/transcript");

        data.put("fields", fields(f));
        return data;
    }

    /** Collected fields as events carry them: everything, ID numbers masked. */
    public static Map<String, String> fields(Map<String, String> collected) {
        Map<String, String> fields = new LinkedHashMap<>(collected == null ? Map.of() : collected);
        fields.replaceAll((k, v) -> k.contains("id_number") ? Redaction.idNumber(v) : v);
        return fields;
    }

    /** Adds {@code policeReport} when the question was asked: absent is not the same as "not called". */
    public static void putPoliceReport(Map<String, Object> data, Map<String, String> f) {
        if (f != null && f.containsKey("police_reported")) {
            data.put("policeReport", Map.of("made", "yes".equals(f.get("police_reported")),
                    "answeredAt", f.getOrDefault("police_answered_at", "")));
        }
    }

    /** Media ids as WeChat gave them (temporary, 3 days: the back office must fetch what it keeps). */
    static List<Map<String, String>> attachments(Map<String, String> f) {
        return attachments(f, null);
    }

    /** With {@code links}, each attachment also says where CareLine's kept copy can be fetched. */
    static List<Map<String, String>> attachments(Map<String, String> f, AttachmentLinks links) {
        List<Map<String, String>> out = new ArrayList<>();
        f.forEach((name, value) -> {
            if (!name.endsWith("_media") || value == null || value.isBlank()) {
                return;
            }
            for (String tagged : value.split(",")) {
                int colon = tagged.indexOf(':');
                if (colon > 0) {
                    Map<String, String> one = new LinkedHashMap<>(Map.of("type", tagged.substring(0, colon),
                            "mediaId", tagged.substring(colon + 1),
                            "field", name.substring(0, name.length() - "_media".length())));
                    if (links != null) {
                        one.putAll(links.of(tagged.substring(colon + 1)));
                    }
                    out.add(one);
                }
            }
        });
        return out;
    }

    /** Who acts next and by when, so the case lands in the right queue with a deadline. */
    static Map<String, String> nextStep(CaseRecord c, Map<String, String> f, ZoneId zone) {
        LocalDate today = c.createdAt().atZone(zone).toLocalDate();
        if (f.get("referral") != null) {
            return Map.of("action", "转介：协助向" + f.get("referral") + "申请", "due",
                    addWorkingDays(today, ONGOING_WORKING_DAYS).toString());
        }
        if ("sudden".equals(f.get("urgency"))) {
            return Map.of("action", "电话核实，急难型临时救助先行", "due", today.plusDays(SUDDEN_DAYS).toString());
        }
        if ("help-request".equals(c.kind())) {
            return Map.of("action", "电话核实，列出所缺材料", "due", addWorkingDays(today, ONGOING_WORKING_DAYS).toString());
        }
        return Map.of("action", "更新儿童档案和帮扶台账", "due", addWorkingDays(today, 5).toString());
    }

    /**
     * Weekends only: the holiday calendar with 调休 comes with the visit reminders; until then a due date
     * may fall on a public holiday and is at worst early.
     */
    static LocalDate addWorkingDays(LocalDate from, int days) {
        LocalDate d = from;
        int added = 0;
        while (added < days) {
            d = d.plusDays(1);
            if (d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY) {
                added++;
            }
        }
        return d;
    }

    /** One line a caseworker reads in a list: who, what, where. */
    static String summary(Map<String, String> f) {
        List<String> parts = new ArrayList<>();
        if (f.get("reporter_relation_label") != null) {
            parts.add(f.get("reporter_relation_label") + "求助");
        }
        if (f.get("child_age_label") != null) {
            parts.add("孩子" + f.get("child_age_label"));
        }
        if (f.get("need_label") != null) {
            parts.add(f.get("need_label"));
        }
        if (f.get("what_changed_label") != null) {
            parts.add("变化：" + f.get("what_changed_label"));
        }
        if (f.get("urgency_label") != null) {
            parts.add(f.get("urgency_label"));
        }
        if (f.get("home_town") != null) {
            parts.add(f.get("home_town") + (f.get("home_community") == null ? "" : f.get("home_community")));
        }
        return String.join("；", parts);
    }

    /**
     * CareLine's id of the copy it keeps of a WeChat media id: fixed (a hash, the first 16 bytes of SHA-256 in
     * hex), so a case event or a transcript line can name the file before it is fetched.
     */
    public static String mediaFile(String mediaId) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(mediaId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
