package org.careline.console;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordHasherTest {

    final PasswordHasher hasher = new PasswordHasher();

    @Test
    @DisplayName("A password is kept as a salted Argon2id PHC string, checks against itself only")
    void argon2id() {
        String hash = hasher.hash("社工的密码 correct horse");
        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("correct horse");
        assertThat(hasher.hash("社工的密码 correct horse")).as("a new salt each time").isNotEqualTo(hash);
        assertThat(hasher.verify("社工的密码 correct horse", hash)).isTrue();
        assertThat(hasher.verify("社工的密码 correct hors", hash)).isFalse();
        assertThat(hasher.verify("anything", null)).isFalse();
        assertThat(hasher.verify("anything", "$2a$10$notargon")).isFalse();
    }

    @Test
    @DisplayName("A CSV cell of the audit export is quoted, and a leading = cannot become a spreadsheet formula")
    void csvCells() {
        assertThat(ConsoleApi.cell("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(ConsoleApi.cell("=HYPERLINK(\"x\")")).startsWith("\"'=");
    }
}
