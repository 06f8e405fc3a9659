package org.careline.cases;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** What a family reads when the back office moves their case on: {@code texts/case-notices.properties}. */
final class CaseNoticeTexts {

    private final Properties texts = new Properties();

    CaseNoticeTexts() {
        try (InputStream in = CaseNoticeTexts.class.getResourceAsStream("/texts/case-notices.properties")) {
            if (in == null) {
                throw new IllegalStateException("texts/case-notices.properties missing from the classpath");
            }
            texts.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (CaseStatus status : CaseStatus.values()) {
            phrase(status);
        }
    }

    /** The customer-service text: the case, its new status and the caseworker's message. */
    String text(CaseRecord c, String statusText) {
        String subject = texts.getProperty("notice.subject." + c.kind(), get("notice.subject"));
        String message = c.statusNote() == null || c.statusNote().isBlank() ? ""
                : get("notice.message").replace("{message}", c.statusNote().strip());
        return get("notice.text").replace("{subject}", subject).replace("{caseId}", c.caseId())
                .replace("{status}", statusText).replace("{message}", message);
    }

    /** The status in at most 5 Chinese characters (a template's {@code phrase} field). */
    String phrase(CaseStatus status) {
        String phrase = get("notice.phrase." + status.name());
        if (phrase.codePointCount(0, phrase.length()) > 5) {
            throw new IllegalStateException("notice.phrase." + status.name() + " is longer than 5 characters");
        }
        return phrase;
    }

    private String get(String key) {
        String text = texts.getProperty(key);
        if (text == null) {
            throw new IllegalStateException("missing case-notice text: " + key);
        }
        return text;
    }
}
