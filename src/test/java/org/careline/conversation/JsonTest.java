package org.careline.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JsonTest {

    /** Jackson as configured before the quick paths: the reference they must agree with. */
    private static final ObjectMapper JACKSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    @DisplayName("transcript lines written by hand are what Jackson writes for the same map, on 20,000 random texts")
    void objectAsJacksonWritesIt() throws Exception {
        Random random = new Random(3);
        String[] pieces = {"a", "孩子", "\"", "\\", "/", "\b", "\t", "\n", "\f", "\r", "\u0000", "\u0001", "\u001f",
                "\u007f", "\u2028", "😀", "\uD83D", "<", "&", "'", " ", "不想活了"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(10); k > 0; k--) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            String text = b.toString();
            Map<String, String> map = new LinkedHashMap<>();
            map.put("at", "2026-12-02T13:54:25.290Z");
            map.put("from", "user");
            map.put("text", text);
            assertThat(Json.object("at", "2026-12-02T13:54:25.290Z", "from", "user", "text", text)).as(text)
                    .isEqualTo(JACKSON.writeValueAsString(map));
        }
        assertThat(Json.object("text", null)).isEqualTo("{\"text\":\"\"}");
    }

    @Test
    @DisplayName("times are written as Instant.toString and read as Instant.parse, on 100,000 random instants")
    void instantsAsJavaTimeHasThem() throws Exception {
        Random random = new Random(5);
        long from = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond() - 86_400L * 365 * 80;
        long to = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond();
        int[] nanos = {0, 1, 999_999_999, 290_000_000, 290_344_000, 290_344_163, 100, 1_000, 1_000_000};
        for (int i = 0; i < 100_000; i++) {
            long second = from + (long) (random.nextDouble() * (to - from));
            int nano = i % 3 == 0 ? nanos[random.nextInt(nanos.length)] : random.nextInt(1_000_000_000);
            Instant t = Instant.ofEpochSecond(second, nano);
            String text = t.toString();
            assertThat(IsoInstant.format(t)).isEqualTo(text);
            assertThat(IsoInstant.parse(text)).isEqualTo(t);
            assertThat(Json.write(Map.of("t", t))).isEqualTo(JACKSON.writeValueAsString(Map.of("t", t)));
        }
        // Fraction digits not in groups of three, as another writer may have stored them.
        assertThat(IsoInstant.parse("2026-12-02T13:54:25.5Z")).isEqualTo(Instant.parse("2026-12-02T13:54:25.5Z"));
        assertThat(IsoInstant.parse("2026-12-02T13:54:25.1234Z")).isEqualTo(Instant.parse("2026-12-02T13:54:25.1234Z"));
        // Years outside 0000-9999 are written as java.time writes them.
        Instant far = Instant.parse("+12026-01-01T00:00:00Z");
        assertThat(IsoInstant.format(far)).isEqualTo(far.toString());
    }

    record Stamp(Instant at) {}

    @Test
    @DisplayName("what the quick reader does not take (offsets, lower case, leap second, numbers, nonsense) is read "
            + "by Jackson's own reader, as before")
    void otherFormsFallBack() throws Exception {
        for (String json : new String[] {"\"2026-12-02T21:54:25+08:00\"", "\"2026-12-02t13:54:25z\"",
                "\"2026-12-02T13:54:25.Z\"", "\"2026-12-31T23:59:60Z\"", "1796219665", "1796219665.5",
                "\"2026-02-30T10:00:00Z\"", "\"2026-12-02T24:00:00Z\""}) {
            String doc = "{\"at\":" + json + "}";
            Object expected;
            try {
                expected = JACKSON.readValue(doc, Stamp.class);
            } catch (Exception e) {
                expected = e.getClass();
            }
            Object actual;
            try {
                actual = Json.MAPPER.readValue(doc, Stamp.class);
            } catch (Exception e) {
                actual = e.getClass();
            }
            assertThat(actual).as(json).isEqualTo(expected);
        }
        assertThat(IsoInstant.parse("2026-12-02T21:54:25+08:00")).isNull();
        assertThat(IsoInstant.parse("2026-02-30T10:00:00Z")).isNull();
    }
}
