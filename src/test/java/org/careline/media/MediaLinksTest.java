package org.careline.media;

import org.careline.cases.CasePayload;
import org.careline.cases.CaseRecord;
import org.careline.cases.CaseStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MediaLinksTest {

    static final Instant NOW = Instant.parse("2026-12-02T06:00:00Z");
    final MediaLinks links = new MediaLinks("secret", Duration.ofDays(30), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    @DisplayName("A case's attachments carry CareLine's file id and a signed link valid for the configured time")
    void attachmentsCarryLinks() {
        CaseRecord c = new CaseRecord("CL261202001", "help-request", CaseStatus.RECEIVED, null, "o-1",
                Map.of("evidence_media", "image:MEDIA1,voice:MEDIA2"), NOW, NOW);
        @SuppressWarnings("unchecked")
        List<Map<String, String>> attachments = (List<Map<String, String>>)
                CasePayload.of(c, ZoneId.of("Asia/Shanghai"), links::attachment).get("attachments");
        assertThat(attachments).hasSize(2);
        Map<String, String> first = attachments.get(0);
        assertThat(first).containsEntry("type", "image").containsEntry("mediaId", "MEDIA1")
                .containsEntry("file", MediaLinks.fileId("MEDIA1"));
        String url = first.get("url");
        assertThat(url).startsWith("/api/media/" + MediaLinks.fileId("MEDIA1") + "?expires="
                + NOW.plus(Duration.ofDays(30)).getEpochSecond() + "&sig=");
        String expires = url.replaceAll(".*expires=(\\d+).*", "$1");
        String sig = url.replaceAll(".*sig=([0-9a-f]+)$", "$1");
        assertThat(links.valid(first.get("file"), expires, sig, NOW)).isTrue();
        assertThat(links.valid(first.get("file"), expires, sig, NOW.plus(Duration.ofDays(31)))).isFalse();
        assertThat(links.valid(MediaLinks.fileId("MEDIA2"), expires, sig, NOW)).isFalse();
        assertThat(links.valid("../../etc/passwd", expires, sig, NOW)).isFalse();
    }
}
