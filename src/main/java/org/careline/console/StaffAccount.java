package org.careline.console;

import java.time.Instant;

/**
 * A console account. The password is kept only as an Argon2id hash.
 *
 * @param username    sign-in name: lower-case letters, digits, dot, dash, underscore
 * @param displayName how colleagues see them (陈社工)
 * @param disabled    a disabled account cannot sign in, and its sessions ended when it was disabled
 */
record StaffAccount(String username, String displayName, StaffRole role, String passwordHash, boolean disabled,
                    Instant createdAt) {
}
