package org.careline.flowfiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every transcript in conversation-flows/tests/ is one test; a failure shows the step and the replies. */
class TranscriptsTest {

    @TestFactory
    Stream<DynamicTest> everyTranscriptPasses() {
        TranscriptRunner runner = new TranscriptRunner(FlowLoader.load(Path.of("conversation-flows"), Path.of("config/regions.yaml")));
        List<TranscriptResult> results = runner.runAll(Path.of("conversation-flows", "tests"));
        // A moved or renamed folder must not turn into a green run of nothing.
        assertThat(results).as("transcripts in conversation-flows/tests/").isNotEmpty();
        return results.stream()
                .map(r -> DynamicTest.dynamicTest(Path.of(r.file()).getFileName() + " " + (r.name() == null ? "" : r.name()),
                        () -> assertThat(r.passed()).as(r.report()).isTrue()));
    }
}
