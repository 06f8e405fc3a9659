package org.careline.directors;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV as spreadsheets save it: commas, double quotes ("" inside quotes), CRLF or LF, line breaks
 * inside quoted fields, a UTF-8 byte-order mark (Excel writes one) ignored.
 */
final class RosterCsv {

    /** One record and the line it starts on (1 = the first line of the file). */
    record Record(int line, List<String> fields) {}

    private RosterCsv() {
    }

    static List<Record> parse(String text) {
        String s = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<Record> out = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStarted = false;
        int line = 1;
        int recordLine = 1;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (ch == '\n') {
                        line++;
                    }
                    field.append(ch);
                }
                continue;
            }
            switch (ch) {
                case '"' -> {
                    quoted = true;
                    fieldStarted = true;
                }
                case ',' -> {
                    fields.add(field.toString());
                    field.setLength(0);
                    fieldStarted = true;
                }
                case '\r' -> { }
                case '\n' -> {
                    end(out, fields, field, fieldStarted, recordLine);
                    fields = new ArrayList<>();
                    fieldStarted = false;
                    line++;
                    recordLine = line;
                }
                default -> {
                    field.append(ch);
                    fieldStarted = true;
                }
            }
        }
        end(out, fields, field, fieldStarted, recordLine);
        return out;
    }

    private static void end(List<Record> out, List<String> fields, StringBuilder field, boolean started, int line) {
        if (!started && fields.isEmpty()) {
            return;  // a blank line
        }
        fields.add(field.toString());
        field.setLength(0);
        out.add(new Record(line, List.copyOf(fields)));
    }
}
