package org.careline.conversation;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The stored records' times ({@code 2026-12-02T13:54:25.290344163Z}, what {@link Instant#toString()} writes),
 * written and read without a {@link java.time.format.DateTimeFormatter}: every message reads and writes a
 * few of them, and the formatter's parse made a dozen objects per time (a twentieth of all the allocation of
 * a message). Anything else (an offset, a number, a year past 9999) goes to Jackson's own reader.
 */
final class IsoInstant {

    private IsoInstant() {
    }

    static SimpleModule module() {
        return new SimpleModule("IsoInstant")
                .addSerializer(Instant.class, new JsonSerializer<>() {
                    @Override
                    public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers)
                            throws IOException {
                        gen.writeString(format(value));
                    }
                })
                .addDeserializer(Instant.class, new JsonDeserializer<>() {
                    @Override
                    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                        if (p.currentToken() == JsonToken.VALUE_STRING) {
                            Instant quick = parse(p.getText());
                            if (quick != null) {
                                return quick;
                            }
                        }
                        return InstantDeserializer.INSTANT.deserialize(p, ctxt);
                    }
                });
    }

    /** Exactly {@link Instant#toString()}. */
    static String format(Instant t) {
        long seconds = t.getEpochSecond();
        long day = Math.floorDiv(seconds, 86_400);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        if (day < DAY_0000 || day > DAY_9999) {
            return t.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(day);
        char[] out = new char[30];
        int n = 0;
        n = digits(out, n, date.getYear(), 4);
        out[n++] = '-';
        n = digits(out, n, date.getMonthValue(), 2);
        out[n++] = '-';
        n = digits(out, n, date.getDayOfMonth(), 2);
        out[n++] = 'T';
        n = digits(out, n, secondOfDay / 3600, 2);
        out[n++] = ':';
        n = digits(out, n, secondOfDay / 60 % 60, 2);
        out[n++] = ':';
        n = digits(out, n, secondOfDay % 60, 2);
        int nano = t.getNano();
        if (nano != 0) {
            out[n++] = '.';
            if (nano % 1_000_000 == 0) {
                n = digits(out, n, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                n = digits(out, n, nano / 1000, 6);
            } else {
                n = digits(out, n, nano, 9);
            }
        }
        out[n++] = 'Z';
        return new String(out, 0, n);
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} (one to nine fraction digits) as an instant; null for anything else,
     * which {@link Instant#parse} may still read.
     */
    static Instant parse(String s) {
        int len = s.length();
        if (len < 20 || len > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(len - 1) != 'Z') {
            return null;
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 7);
        int day = number(s, 8, 10);
        int hour = number(s, 11, 13);
        int minute = number(s, 14, 16);
        int second = number(s, 17, 19);
        int nano = 0;
        if (len > 20) {
            if (s.charAt(19) != '.' || len == 21) {
                return null;
            }
            int fraction = number(s, 20, len - 1);
            if (fraction < 0) {
                return null;
            }
            nano = fraction;
            for (int i = len - 1 - 20; i < 9; i++) {
                nano *= 10;
            }
        }
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        try {
            long epochDay = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nano);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static final long DAY_0000 = LocalDate.of(0, 1, 1).toEpochDay();
    private static final long DAY_9999 = LocalDate.of(9999, 12, 31).toEpochDay();

    /** The decimal digits {@code s[from, to)} as a number; -1 if any is not an ASCII digit. */
    private static int number(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static int digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }
}
