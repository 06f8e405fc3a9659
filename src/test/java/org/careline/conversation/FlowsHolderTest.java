package org.careline.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;
import org.careline.flow.ConversationState;
import org.careline.flow.Input;
import org.careline.flow.OfficeHours;
import org.careline.flow.StepContext;
import org.careline.flowfiles.FlowLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Staff edit conversation-flows/ while the service runs; the holder picks up what they change. */
class FlowsHolderTest {

    // Made up for this test: no example nor word list is near it, so today it leads to the menu.
    private static final String NEW_PHRASING = "咕噜星球上的蓝色大象今天唱歌了吗";

    @TempDir
    Path tmp;

    @Test
    @DisplayName("An intent example added to a file in examples/ (a sub-folder) changes routing without a restart")
    void exampleEditedInSubFolderIsPickedUp() throws IOException {
        Path flowsDir = copy(Path.of("conversation-flows"), tmp.resolve("flows"));
        Path regions = Path.of("config/regions.yaml");
        FlowsHolder holder = new FlowsHolder(FlowLoader.load(flowsDir, regions), flowsDir, regions);
        holder.reloadIfChanged(); // the first check only takes the files' fingerprint
        assertThat(landed(holder, NEW_PHRASING)).isEqualTo("menu");
        String before = holder.flows().version();

        Path examples = flowsDir.resolve("examples/help-request.yaml");
        FileTime folderTime = Files.getLastModifiedTime(examples.getParent());
        for (int i = 0; i < 3; i++) {
            Files.writeString(examples, "  - " + NEW_PHRASING + "\n", StandardOpenOption.APPEND);
        }
        // Editing a file in place leaves its folder's time alone: only the file itself shows the change.
        assertThat(Files.getLastModifiedTime(examples.getParent())).isEqualTo(folderTime);

        assertThat(holder.reloadIfChanged()).isTrue();
        assertThat(holder.flows().version()).isNotEqualTo(before);
        assertThat(landed(holder, NEW_PHRASING)).isEqualTo("help-request");
    }

    @Test
    @DisplayName("The quick version read from the files is the one a full load gives, so an unchanged tree is not reloaded")
    void quickVersionMatchesTheLoadedOne() {
        Path dir = Path.of("conversation-flows");
        Path regions = Path.of("config/regions.yaml");
        assertThat(FlowLoader.version(dir, regions)).isEqualTo(FlowLoader.load(dir, regions).version());
    }

    private static String landed(FlowsHolder holder, String message) {
        StepContext ctx = new StepContext(Instant.parse("2026-11-29T02:00:00Z"), ZoneId.of("Asia/Shanghai"),
                () -> "CL261129001", StepContext.Profile.family(), List.of(), Duration.ofMinutes(30),
                OfficeHours.parse("工作日 8:30–17:30"));
        ConversationState s = holder.get().step(null, new Input.Text(message), ctx).state();
        return s == null || s.flow() == null || "welcome".equals(s.flow()) ? "menu" : s.flow();
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
