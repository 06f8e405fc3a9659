package org.careline.directors;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.careline.flow.StepContext;

import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;

/**
 * One child of the roster with its due date under the policy, as of one day: what the reminder sweep counts
 * and what a director's list shows. Built from the roster's JSON and the last visit logged here.
 */
record ChildDue(String id, String name, String communityId, String grade, LocalDate birthDate, List<String> tags,
                LocalDate lastVisit, VisitPolicy.Due due, int daysOverdue) {

    static ChildDue of(JsonObject child, String loggedVisit, LocalDate today, VisitPolicy policy, WorkingDays days) {
        List<String> tags = new ArrayList<>();
        JsonArray t = child.getJsonArray("tags");
        if (t != null) {
            t.forEach(x -> tags.add(String.valueOf(x)));
        }
        LocalDate rosterVisit = date(child.getString("lastVisitOn"));
        LocalDate logged = date(loggedVisit);
        // The later of the back office's last visit and one logged here.
        LocalDate last = rosterVisit == null ? logged : logged == null || rosterVisit.isAfter(logged) ? rosterVisit : logged;
        VisitPolicy.Due due = policy.nextDue(tags, child.getString("grade"), date(child.getString("registeredOn")),
                last, today, days);
        int overdue = (int) (today.toEpochDay() - due.dueOn().toEpochDay());
        return new ChildDue(child.getString("id"), child.getString("name"), child.getString("communityId"),
                child.getString("grade"), date(child.getString("birthDate")), List.copyOf(tags), last, due, overdue);
    }

    private static LocalDate date(String s) {
        return s == null || s.isBlank() ? null : LocalDate.parse(s);
    }

    /** Listed in a digest: due within {@code ahead} days, or overdue. */
    boolean dueWithin(int ahead) {
        return daysOverdue >= -ahead;
    }

    StepContext.ChildOnList onList(LocalDate today, String community, boolean listed) {
        Integer age = birthDate == null ? null : Period.between(birthDate, today).getYears();
        List<String> labels = tags.stream().map(x -> ChildTag.of(x).map(ChildTag::label).orElse(x)).toList();
        return new StepContext.ChildOnList(id, name, age, String.join("、", labels), community, due.dueOn(),
                daysOverdue, listed);
    }
}
