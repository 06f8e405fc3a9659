package org.careline.console;

/**
 * A signed-in member of staff, as each console request sees them.
 *
 * @param idHash    the SHA-256 of the session id (the id itself is only in the person's cookie)
 * @param csrfToken the token every state-changing request must carry in {@code X-CSRF-Token}
 */
record StaffSession(String idHash, String username, String displayName, StaffRole role, String csrfToken) {
}
