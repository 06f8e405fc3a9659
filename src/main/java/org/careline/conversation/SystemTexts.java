package org.careline.conversation;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** The few texts shown outside any flow (e.g. "系统繁忙"), from {@code texts/system.properties}. */
public final class SystemTexts {

    private final Properties texts = new Properties();

    public SystemTexts() {
        try (InputStream in = SystemTexts.class.getResourceAsStream("/texts/system.properties")) {
            if (in == null) {
                throw new IllegalStateException("texts/system.properties missing from the classpath");
            }
            texts.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a family reads for a case's status, the kind's own text first. */
    public String status(org.careline.cases.CaseStatus status, String kind) {
        String own = texts.getProperty("status." + status.name() + "." + kind);
        return own != null ? own : get("status." + status.name());
    }

    public String get(String key) {
        String text = texts.getProperty(key);
        if (text == null) {
            throw new IllegalStateException("missing system text: " + key);
        }
        return text;
    }
}
