package org.careline.directors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a roster from JSON (DESIGN §3) or CSV and checks every row, collecting every problem rather than
 * stopping at the first: the back office fixes its export once, not error by error. A roster with any
 * error is refused whole.
 *
 * <p>CSV: one file, a header row, one row per town, community, person or child, told apart by the
 * {@code kind} column ({@code town}, {@code community}, {@code director}, {@code supervisor}, {@code child}).
 * Columns: {@code kind,id,name,townId,communityId,phone,birthDate,tags,grade,registeredOn,lastVisitOn}, in
 * any order; a kind leaves the columns it does not use empty. Tags are separated by {@code ;} (or 、).
 */
public final class RosterReader {

    /** One problem: {@code row} (CSV line) or {@code path} (JSON), the field, and what is wrong. */
    public record RowError(Integer row, String path, String field, String message) {}

    /** The roster read, or the errors that refuse it. */
    public record Result(Roster roster, List<RowError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    static final List<String> CSV_COLUMNS = List.of("kind", "id", "name", "townId", "communityId", "phone",
            "birthDate", "tags", "grade", "registeredOn", "lastVisitOn");
    static final List<String> GRADES = List.of("red", "orange", "yellow", "green");
    private static final Map<String, String> GRADE_NAMES = Map.of("红", "red", "橙", "orange", "黄", "yellow", "绿", "green");
    /** Pseudonymous ids only: letters, digits and . _ - (an ID number is refused below). */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ID_NUMBER = Pattern.compile("\\d{17}[\\dXx]");
    private static final Pattern PHONE = Pattern.compile("(1\\d{10})|(0\\d{2,3}-?\\d{7,8})");
    private static final Pattern TAG_SEPARATOR = Pattern.compile("[;；、]");
    private static final ObjectMapper JSON = new ObjectMapper();

    private RosterReader() {
    }

    /** One row before checking: its kind, where it came from, and its raw values. */
    private record Row(String kind, Integer line, String path, Map<String, Object> values) {}

    public static Result fromJson(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return refused(new RowError(null, "$", null, "not valid JSON"));
        }
        if (root == null || !root.isObject()) {
            return refused(new RowError(null, "$", null, "expected a JSON object with towns, communities, people, children"));
        }
        List<RowError> errors = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (String section : List.of("towns", "communities", "people", "children")) {
            JsonNode list = root.get(section);
            if (list == null || list.isNull()) {
                continue;
            }
            if (!list.isArray()) {
                errors.add(new RowError(null, section, null, "expected a list"));
                continue;
            }
            for (int i = 0; i < list.size(); i++) {
                String path = section + "[" + i + "]";
                JsonNode item = list.get(i);
                if (!item.isObject()) {
                    errors.add(new RowError(null, path, null, "expected an object"));
                    continue;
                }
                Map<String, Object> values = new LinkedHashMap<>();
                item.fields().forEachRemaining(e -> values.put(e.getKey(), jsonValue(e.getValue())));
                String kind = switch (section) {
                    case "towns" -> "town";
                    case "communities" -> "community";
                    case "children" -> "child";
                    default -> values.get("role") instanceof String r ? r : "person";
                };
                rows.add(new Row(kind, null, path, values));
            }
        }
        return check(rows, errors);
    }

    private static Object jsonValue(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isArray()) {
            List<Object> out = new ArrayList<>();
            v.forEach(e -> out.add(e.isTextual() ? e.asText() : e));
            return out;
        }
        return v.isTextual() ? v.asText() : v;
    }

    public static Result fromCsv(String text) {
        List<RosterCsv.Record> records = RosterCsv.parse(text);
        List<RosterCsv.Record> data = records.stream()
                .filter(r -> !(r.fields().size() == 1 && r.fields().get(0).isBlank()))
                .filter(r -> !r.fields().get(0).startsWith("#"))
                .toList();
        if (data.isEmpty()) {
            return refused(new RowError(1, null, null, "empty file: expected a header row " + String.join(",", CSV_COLUMNS)));
        }
        RosterCsv.Record header = data.get(0);
        List<RowError> errors = new ArrayList<>();
        List<String> columns = header.fields().stream().map(String::strip).toList();
        for (String column : columns) {
            if (!CSV_COLUMNS.contains(column)) {
                errors.add(new RowError(header.line(), null, column, "unknown column (known: " + String.join(",", CSV_COLUMNS) + ")"));
            }
        }
        if (!columns.contains("kind") || !columns.contains("id")) {
            errors.add(new RowError(header.line(), null, "kind", "the header row needs at least the columns kind and id"));
        }
        if (!errors.isEmpty()) {
            return new Result(null, errors);
        }
        List<Row> rows = new ArrayList<>();
        for (RosterCsv.Record r : data.subList(1, data.size())) {
            if (r.fields().size() > columns.size()) {
                errors.add(new RowError(r.line(), null, null, "more fields (" + r.fields().size() + ") than columns ("
                        + columns.size() + ")"));
                continue;
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < r.fields().size(); i++) {
                String v = r.fields().get(i).strip();
                if (!v.isEmpty()) {
                    values.put(columns.get(i), v);
                }
            }
            Object tags = values.get("tags");
            if (tags instanceof String t) {
                List<Object> list = new ArrayList<>();
                for (String one : TAG_SEPARATOR.split(t)) {
                    if (!one.isBlank()) {
                        list.add(one.strip());
                    }
                }
                values.put("tags", list);
            }
            String kind = values.get("kind") instanceof String k ? k.toLowerCase(Locale.ROOT) : "";
            if (kind.equals("director") || kind.equals("supervisor")) {
                values.put("role", kind);
            }
            rows.add(new Row(kind, r.line(), null, values));
        }
        return check(rows, errors);
    }

    private static Result refused(RowError error) {
        return new Result(null, List.of(error));
    }

    /** Checks every row; builds the roster only when nothing is wrong. */
    private static Result check(List<Row> rows, List<RowError> errors) {
        List<Roster.Town> towns = new ArrayList<>();
        List<Roster.Community> communities = new ArrayList<>();
        List<Roster.Person> people = new ArrayList<>();
        List<Roster.Child> children = new ArrayList<>();
        Set<String> townIds = new HashSet<>();
        Set<String> communityIds = new HashSet<>();
        for (Row r : rows) {
            if (r.kind().equals("town") && r.values().get("id") instanceof String id) {
                townIds.add(id);
            }
            if (r.kind().equals("community") && r.values().get("id") instanceof String id) {
                communityIds.add(id);
            }
        }
        Map<String, Set<String>> seen = new HashMap<>();
        for (Row r : rows) {
            Checker c = new Checker(r, errors);
            switch (r.kind()) {
                case "town" -> {
                    String id = c.id(seen, "town");
                    String name = c.text("name", true);
                    towns.add(new Roster.Town(id, name));
                }
                case "community" -> {
                    String id = c.id(seen, "community");
                    String name = c.text("name", true);
                    String town = c.reference("townId", townIds, "town");
                    communities.add(new Roster.Community(id, name, town));
                }
                case "director", "supervisor" -> {
                    String id = c.id(seen, "person");
                    String name = c.text("name", true);
                    String phone = c.text("phone", false);
                    if (phone != null && !PHONE.matcher(phone.replace(" ", "")).matches()) {
                        // The value is not echoed: a phone number is personal.
                        c.error("phone", "not a phone number (11-digit mobile or area code + number)");
                    }
                    String community = null;
                    String town = null;
                    if (r.kind().equals("director")) {
                        community = c.reference("communityId", communityIds, "community");
                    } else {
                        town = c.reference("townId", townIds, "town");
                    }
                    people.add(new Roster.Person(id, r.kind(), name, phone == null ? null : phone.replace(" ", ""),
                            community, town));
                }
                case "child" -> {
                    String id = c.id(seen, "child");
                    String name = c.text("name", true);
                    LocalDate birth = c.date("birthDate", true);
                    List<String> tags = c.tags();
                    String grade = c.grade();
                    String community = c.reference("communityId", communityIds, "community");
                    LocalDate registered = c.date("registeredOn", true);
                    LocalDate lastVisit = c.date("lastVisitOn", false);
                    if (birth != null && registered != null && registered.isBefore(birth)) {
                        c.error("registeredOn", "before the birth date");
                    }
                    if (lastVisit != null && registered != null && lastVisit.isBefore(registered)) {
                        c.error("lastVisitOn", "before registeredOn");
                    }
                    children.add(new Roster.Child(id, name, birth, tags, grade, community, registered, lastVisit));
                }
                case "person" -> c.error("role", "must be director or supervisor");
                default -> c.error(r.path() != null ? "role" : "kind", r.path() != null
                        ? "must be director or supervisor"
                        : "unknown kind '" + r.kind() + "' (town, community, director, supervisor, child)");
            }
        }
        if (towns.isEmpty() && errors.isEmpty()) {
            errors.add(new RowError(null, "towns", null, "a roster has at least one town"));
        }
        if (!errors.isEmpty()) {
            return new Result(null, List.copyOf(errors));
        }
        return new Result(new Roster(towns, communities, people, children), List.of());
    }

    /** Reads the fields of one row, adding an error for each that is wrong. */
    private static final class Checker {
        private final Row row;
        private final List<RowError> errors;

        Checker(Row row, List<RowError> errors) {
            this.row = row;
            this.errors = errors;
        }

        void error(String field, String message) {
            errors.add(new RowError(row.line(), row.path(), field, message));
        }

        String text(String field, boolean required) {
            Object v = row.values().get(field);
            if (v == null || v instanceof String s && s.isBlank()) {
                if (required) {
                    error(field, "missing");
                }
                return null;
            }
            if (!(v instanceof String s)) {
                error(field, "expected text");
                return null;
            }
            if (s.length() > 100) {
                error(field, "longer than 100 characters");
                return null;
            }
            return s.strip();
        }

        String id(Map<String, Set<String>> seen, String namespace) {
            String id = text("id", true);
            if (id == null) {
                return null;
            }
            if (ID_NUMBER.matcher(id).matches()) {
                error("id", "looks like an ID number: use the back office's pseudonymous id");
                return null;
            }
            if (!ID.matcher(id).matches()) {
                error("id", "ids are 1-64 letters, digits, '.', '_' or '-'");
                return null;
            }
            if (!seen.computeIfAbsent(namespace, k -> new HashSet<>()).add(id)) {
                error("id", "duplicate " + namespace + " id '" + id + "'");
            }
            return id;
        }

        String reference(String field, Set<String> known, String what) {
            String id = text(field, true);
            if (id != null && !known.contains(id)) {
                error(field, "unknown " + what + " '" + id + "'");
            }
            return id;
        }

        LocalDate date(String field, boolean required) {
            String s = text(field, required);
            if (s == null) {
                return null;
            }
            try {
                LocalDate d = LocalDate.parse(s);
                if (d.isAfter(LocalDate.now().plusDays(1))) {
                    error(field, "in the future");
                }
                return d;
            } catch (DateTimeParseException e) {
                error(field, "not a date YYYY-MM-DD: '" + s + "'");
                return null;
            }
        }

        List<String> tags() {
            Object v = row.values().get("tags");
            List<String> out = new ArrayList<>();
            if (v == null) {
                return out;
            }
            if (!(v instanceof List<?> list)) {
                error("tags", "expected a list of categories");
                return out;
            }
            for (Object t : list) {
                String given = t instanceof String s ? s : String.valueOf(t);
                ChildTag.of(given).ifPresentOrElse(tag -> {
                    if (!out.contains(tag.code())) {
                        out.add(tag.code());
                    }
                }, () -> error("tags", "unknown category '" + given + "'"));
            }
            return out;
        }

        String grade() {
            String s = text("grade", true);
            if (s == null) {
                return null;
            }
            String g = GRADE_NAMES.getOrDefault(s, s.toLowerCase(Locale.ROOT));
            if (!GRADES.contains(g)) {
                error("grade", "unknown grade '" + s + "' (red, orange, yellow, green)");
                return null;
            }
            return g;
        }
    }
}
