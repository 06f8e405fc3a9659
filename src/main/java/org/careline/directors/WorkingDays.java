package org.careline.directors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * China's working days: Monday to Friday, except the official holidays, plus the weekend days made working
 * days (调休) by the State Council's yearly notice. One file per year in {@code config/holidays/}; a year
 * without a file falls back to plain weekends (the caller warns at start-up).
 */
public final class WorkingDays {

    /** One year's file: days off, weekend days worked, and whether the dates are still provisional. */
    public record Year(int year, Set<LocalDate> holidays, Set<LocalDate> workdays, boolean provisional) {}

    private final Map<Integer, Year> years;

    public WorkingDays(Map<Integer, Year> years) {
        this.years = Map.copyOf(years);
    }

    /** Weekends only: no holiday file at all. */
    public static WorkingDays weekendsOnly() {
        return new WorkingDays(Map.of());
    }

    /** Reads every {@code <year>.yaml} in {@code dir}; a bad file stops the start with its name and reason. */
    public static WorkingDays load(Path dir) {
        Map<Integer, Year> years = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return new WorkingDays(years);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.yaml")) {
            for (Path f : files) {
                Year y = read(f);
                years.put(y.year(), y);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new WorkingDays(years);
    }

    static Year read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not readable YAML (" + e.getMessage() + ")");
        }
        if (root == null || !root.path("year").canConvertToInt()) {
            throw new IllegalArgumentException(file + ": 'year' is missing");
        }
        int year = root.path("year").asInt();
        Set<LocalDate> holidays = dates(file, year, root.path("holidays"));
        Set<LocalDate> workdays = dates(file, year, root.path("workdays"));
        for (LocalDate d : workdays) {
            if (holidays.contains(d)) {
                throw new IllegalArgumentException(file + ": " + d + " is both a holiday and a working day");
            }
        }
        return new Year(year, holidays, workdays, root.path("provisional").asBoolean(false));
    }

    private static Set<LocalDate> dates(Path file, int year, JsonNode list) {
        Set<LocalDate> out = new HashSet<>();
        if (list.isMissingNode() || list.isNull()) {
            return out;
        }
        for (JsonNode item : list) {
            String s = item.asText().strip();
            try {
                int range = s.indexOf("..");
                LocalDate first = LocalDate.parse(range < 0 ? s : s.substring(0, range).strip());
                LocalDate last = range < 0 ? first : LocalDate.parse(s.substring(range + 2).strip());
                if (last.isBefore(first) || first.getYear() != year || last.getYear() != year) {
                    throw new IllegalArgumentException(file + ": '" + s + "' is not a range within " + year);
                }
                for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
                    out.add(d);
                }
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(file + ": '" + s + "' is not a date (YYYY-MM-DD or first..last)");
            }
        }
        return out;
    }

    public boolean isWorkingDay(LocalDate d) {
        Year y = years.get(d.getYear());
        if (y != null) {
            if (y.workdays().contains(d)) {
                return true;
            }
            if (y.holidays().contains(d)) {
                return false;
            }
        }
        return d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY;
    }

    /** The {@code n}-th working day after {@code from} ({@code from} itself not counted). */
    public LocalDate plusWorkingDays(LocalDate from, int n) {
        LocalDate d = from;
        int left = n;
        while (left > 0) {
            d = d.plusDays(1);
            if (isWorkingDay(d)) {
                left--;
            }
        }
        return d;
    }

    /** What a start-up should warn about for these years: a missing file, or provisional dates. */
    public List<String> warnings(int... yearsNeeded) {
        List<String> out = new ArrayList<>();
        for (int year : yearsNeeded) {
            Year y = years.get(year);
            if (y == null) {
                out.add("no holiday file for " + year + ": working days that year are Monday to Friday only "
                        + "(add config/holidays/" + year + ".yaml from the State Council's notice)");
            } else if (y.provisional()) {
                out.add("the holiday file for " + year + " is provisional (fixed-date holidays and weekends only): "
                        + "replace it with the State Council's notice");
            }
        }
        return out;
    }
}
