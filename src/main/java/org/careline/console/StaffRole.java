package org.careline.console;

import java.util.Locale;

/**
 * What a member of bureau staff may do in the console. Each role can do what the ones before it can:
 * a caseworker answers chats; a supervisor sees the whole team's queue and reassigns; admin also keeps the
 * accounts, the canned replies and the audit log.
 */
public enum StaffRole {
    CASEWORKER,
    SUPERVISOR,
    ADMIN;

    boolean atLeast(StaffRole other) {
        return ordinal() >= other.ordinal();
    }

    /** As the API and the store spell it: {@code caseworker}, {@code supervisor}, {@code admin}. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for anything but the three ids */
    static StaffRole of(String id) {
        for (StaffRole r : values()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("role must be caseworker, supervisor or admin");
    }
}
