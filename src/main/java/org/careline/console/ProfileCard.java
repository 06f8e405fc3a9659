package org.careline.console;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.careline.privacy.Redaction;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields a flow collected, as the profile card shows them: a field with a {@code _label} twin shows the
 * label (what the person chose, in words) instead of its code, times are in the bureau's time zone, the
 * flows' bookkeeping is left out, and the order is the same every time. Masked fields stay masked.
 */
final class ProfileCard {

    /** Kept by the flows for themselves (versions, menu choices, codes), not about the person. */
    static final Set<String> INTERNAL = Set.of("consent_version", "handoff_reason", "choice", "binding_code",
            "roster_id", "due_list", "due_count", "overdue_count", "children_count", "confirmed", "wants_more",
            "confirm_unbind", "fix");
    /** The card's order: who, the child, the need, the alarm; the rest after, by name. */
    static final List<String> ORDER = List.of("reporter_name", "name", "reporter_relation", "relation", "phone",
            "id_number", "address", "residence", "home_town", "home_community", "community", "town", "child_name",
            "child_age", "child_age_months", "need", "urgency", "description", "details", "alarm_kind", "safe_now",
            "police_reported", "police_asked_at", "consent", "consent_at");
    /** What an alarm's kind means to staff (urgent.yaml sets it). */
    static final Map<String, String> ALARM_KINDS = Map.of("harm", "孩子受到伤害", "self_harm", "自伤或轻生风险", "self_harm_child", "家长反映孩子有自伤或轻生风险",
            "check", "不确定是否安全", "emergency", "意外或急症");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private ProfileCard() {
    }

    static JsonArray fields(String caseId, Map<String, String> fields, ZoneId zone) {
        JsonArray out = new JsonArray();
        if (fields == null) {
            return out;
        }
        Map<String, String> masked = Redaction.fields(fields);
        List<String> names = new ArrayList<>(fields.keySet());
        names.sort(Comparator.comparingInt((String n) -> ORDER.contains(n) ? ORDER.indexOf(n) : ORDER.size())
                .thenComparing(Comparator.naturalOrder()));
        for (String name : names) {
            String v = fields.get(name);
            if (v == null || v.isEmpty() || INTERNAL.contains(name)
                    || name.endsWith("_label") && fields.containsKey(name.substring(0, name.length() - "_label".length()))) {
                continue;
            }
            String shown = masked.get(name);
            boolean isMasked = !v.equals(shown);
            if (!isMasked) {
                shown = readable(name, v, fields.get(name + "_label"), zone);
            }
            out.add(new JsonObject().put("name", name).put("value", shown).put("masked", isMasked).put("caseId", caseId));
        }
        return out;
    }

    private static String readable(String name, String value, String label, ZoneId zone) {
        if (label != null && !label.isEmpty()) {
            return label;
        }
        if ("alarm_kind".equals(name)) {
            return ALARM_KINDS.getOrDefault(value, value);
        }
        if (name.endsWith("_months") && value.matches("\\d{1,4}")) {
            int months = Integer.parseInt(value);
            return months >= 24 ? months / 12 + " 岁（" + months + " 个月）" : months + " 个月";
        }
        if (name.endsWith("_at") || value.length() >= 20 && value.charAt(4) == '-' && value.endsWith("Z")) {
            try {
                return TIME.format(Instant.parse(value).atZone(zone));
            } catch (DateTimeParseException e) {
                return value;
            }
        }
        return value;
    }
}
