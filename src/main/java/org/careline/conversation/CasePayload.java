package org.careline.conversation;

import org.careline.cases.CaseRecord;
import org.careline.privacy.Redaction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data of a {@code case.created} / {@code change.reported} event: what a caseworker needs to pick the
 * case up (DESIGN §6). The verified phone goes to the back office in full (a caseworker must call it);
 * an ID number only masked.
 */
final class CasePayload {

    private CasePayload() {
    }

    static Map<String, Object> of(CaseRecord c) {
        Map<String, String> f = c.fields() == null ? Map.of() : c.fields();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("caseId", c.caseId());
        data.put("kind", c.kind());
        data.put("status", c.status().name());
        data.put("createdAt", c.createdAt().toString());
        data.put("openidHash", Redaction.openid(c.openid()));
        Map<String, String> fields = new LinkedHashMap<>(f);
        fields.replaceAll((k, v) -> k.toLowerCase().contains("id_number") ? Redaction.idNumber(v) : v);
        data.put("fields", fields);
        data.put("urgency", f.getOrDefault("urgency", f.getOrDefault("assistance_type", "")));
        data.put("referral", f.getOrDefault("referral", ""));
        data.put("transcript", "/console/conversations/" + Redaction.openid(c.openid()));
        return data;
    }
}
