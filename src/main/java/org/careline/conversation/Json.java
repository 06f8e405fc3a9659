package org.careline.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.UncheckedIOException;

/** The one JSON mapping of stored records (state, cases, events): ISO times, unknown fields tolerated. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            // Registered after JavaTimeModule, so it is the one used for Instant.
            .registerModule(IsoInstant.module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // A state written by a newer or older version must still load after a deploy.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A JSON object of string values, in the order given ({@code key, value, key, value…}; a null value is
     * written as ""): what {@link #write} gives for such a map, without Jackson's serializer machinery, for
     * the transcript lines written with every message. Escapes as Jackson does: quote, backslash, and control
     * characters (the short forms for \b \t \n \f \r, else \\u00XX); everything else as it is.
     */
    public static String object(String... keysAndValues) {
        int size = 2;
        for (String s : keysAndValues) {
            size += (s == null ? 0 : s.length()) + 4;
        }
        StringBuilder out = new StringBuilder(size).append('{');
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            quote(out, keysAndValues[i]);
            out.append(':');
            quote(out, keysAndValues[i + 1]);
        }
        return out.append('}').toString();
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        if (s != null) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\b' -> out.append("\\b");
                    case '\t' -> out.append("\\t");
                    case '\n' -> out.append("\\n");
                    case '\f' -> out.append("\\f");
                    case '\r' -> out.append("\\r");
                    default -> {
                        if (c < 0x20) {
                            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
        }
        out.append('"');
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** {@link #read(String, Class)} of UTF-8 bytes (Jackson reads them as they are). */
    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
