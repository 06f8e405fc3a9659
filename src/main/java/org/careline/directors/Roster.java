package org.careline.directors;

import java.time.LocalDate;
import java.util.List;

/**
 * The district's roster as the back office imports it (DESIGN §3 "roster JSON"): towns/streets, their
 * communities, the people who work there (a child director per community, a supervisor per town) and the
 * children on file. Ids are the back office's pseudonymous ids, never ID numbers.
 */
public record Roster(List<Town> towns, List<Community> communities, List<Person> people, List<Child> children) {

    public record Town(String id, String name) {}

    public record Community(String id, String name, String townId) {}

    /** @param role {@code director} (with {@code communityId}) or {@code supervisor} (with {@code townId}) */
    public record Person(String id, String role, String name, String phone, String communityId, String townId) {}

    /**
     * @param tags  category codes ({@link ChildTag#code()}), a child often has several
     * @param grade the four-colour risk grade: red, orange, yellow or green
     */
    public record Child(String id, String name, LocalDate birthDate, List<String> tags, String grade,
                        String communityId, LocalDate registeredOn, LocalDate lastVisitOn) {}
}
