package org.careline.cases;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CasePayloadTest {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    static Map<String, String> seedCase() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("consent", "agree");
        f.put("consent_version", "help-request-consent-v1");
        f.put("consent_at", "2026-11-27T02:00:00Z");
        f.put("reporter_name", "王女士");
        f.put("reporter_relation", "parent");
        f.put("reporter_relation_label", "父亲或母亲");
        f.put("child_age", "under-1");
        f.put("child_age_label", "不满 1 岁");
        f.put("need", "living");
        f.put("need_label", "生活费用（吃穿住、奶粉）");
        f.put("description", "宝宝贫血，髋关节发育不良，奶粉一个月两千块");
        f.put("description_media", "image:MEDIA_1,voice:MEDIA_2");
        f.put("home_town", "凤凰街道");
        f.put("home_community", "园林社区");
        f.put("residence", "none");
        f.put("residence_label", "都没有");
        f.put("urgency", "ongoing");
        f.put("urgency_label", "长期开支");
        f.put("phone", "13812345678");
        f.put("referral", "泰州医药高新区未成年人救助保护中心");
        f.put("child_id_number", "32120120250601123X");
        return f;
    }

    @Test
    @DisplayName("A help request carries what a caseworker needs: reporter, child, need, consent, attachments, referral, next step")
    void helpRequest() {
        CaseRecord c = new CaseRecord("CL261127001", "help-request", CaseStatus.RECEIVED, null, "oMother",
                seedCase(), Instant.parse("2026-11-27T02:00:00Z"), Instant.parse("2026-11-27T02:00:00Z"));
        Map<String, Object> data = CasePayload.of(c, ZONE);
        assertThat(data).containsEntry("caseId", "CL261127001").containsEntry("need", "living")
                .containsEntry("referral", "泰州医药高新区未成年人救助保护中心");
        @SuppressWarnings("unchecked")
        Map<String, Object> reporter = (Map<String, Object>) data.get("reporter");
        assertThat(reporter).containsEntry("phone", "13812345678").containsEntry("relation", "parent");
        @SuppressWarnings("unchecked")
        Map<String, Object> child = (Map<String, Object>) data.get("child");
        assertThat(child).containsEntry("idNumber", "321201**********3X").containsEntry("residence", "none");
        assertThat(data.get("consent")).isEqualTo(Map.of("answer", "agree", "version", "help-request-consent-v1",
                "at", "2026-11-27T02:00:00Z"));
        assertThat(data.get("attachments")).isEqualTo(List.of(
                Map.of("type", "image", "mediaId", "MEDIA_1", "field", "description"),
                Map.of("type", "voice", "mediaId", "MEDIA_2", "field", "description")));
        // Friday 27 Nov 2026 + 10 working days = Friday 11 Dec.
        assertThat(data.get("nextStep")).isEqualTo(Map.of("action", "转介：协助向泰州医药高新区未成年人救助保护中心申请",
                "due", "2026-12-11"));
        assertThat((String) data.get("summary")).contains("父亲或母亲求助").contains("不满 1 岁").contains("凤凰街道园林社区");
        assertThat(data.toString()).doesNotContain("32120120250601123X").doesNotContain("oMother");
        assertThat(data).as("the police question was never asked").doesNotContainKey("policeReport");
    }

    @Test
    @DisplayName("Sudden hardship is due within 3 days; ongoing costs within 10 working days")
    void dueDates() {
        Map<String, String> sudden = new LinkedHashMap<>(seedCase());
        sudden.remove("referral");
        sudden.put("urgency", "sudden");
        CaseRecord c = new CaseRecord("CL1", "help-request", CaseStatus.RECEIVED, null, "o", sudden,
                Instant.parse("2026-11-27T02:00:00Z"), Instant.parse("2026-11-27T02:00:00Z"));
        assertThat(CasePayload.of(c, ZONE).get("nextStep")).isEqualTo(Map.of("action", "电话核实，急难型临时救助先行",
                "due", "2026-11-30"));
        assertThat(CasePayload.addWorkingDays(LocalDate.parse("2026-11-27"), 1)).isEqualTo(LocalDate.parse("2026-11-30"));
    }
}
