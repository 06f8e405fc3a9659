package org.careline.flowfiles;

import org.careline.flow.FlowValidationException;
import org.careline.flow.Flows;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code flows check} and {@code flows test}, for the people who edit the flow files.
 *
 * <pre>
 *   flows check [--flows DIR] [--regions FILE]           errors as file:line: message, or "N flows OK"
 *   flows test  [--flows DIR] [--regions FILE] [PATH]    runs transcripts (default DIR/tests)
 * </pre>
 * Exit code 0 when all is well, 1 on errors or failures, 2 on a usage error.
 */
public final class FlowsCommand {

    private FlowsCommand() {
    }

    /** {@code args} start after the word "flows": {@code ["check"]}, {@code ["test", "path"]} … */
    public static int run(String[] args, PrintStream out) {
        if (args.length == 0 || !(args[0].equals("check") || args[0].equals("test"))) {
            out.println("usage: flows check|test [--flows DIR] [--regions FILE] [TRANSCRIPT-FILE-OR-DIR]");
            return 2;
        }
        Path dir = Path.of("conversation-flows");
        Path regions = Path.of("config", "regions.yaml");
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if ((args[i].equals("--flows") || args[i].equals("--regions")) && i + 1 < args.length) {
                if (args[i].equals("--flows")) {
                    dir = Path.of(args[++i]);
                } else {
                    regions = Path.of(args[++i]);
                }
            } else {
                rest.add(args[i]);
            }
        }
        Flows flows;
        try {
            flows = FlowLoader.load(dir, regions);
        } catch (FlowValidationException e) {
            e.errors().forEach(out::println);
            out.println(e.errors().size() + " error(s)");
            return 1;
        }
        if (args[0].equals("check")) {
            out.println(flows.size() + " flows OK");
            return 0;
        }
        Path tests = rest.isEmpty() ? dir.resolve("tests") : Path.of(rest.get(0));
        List<TranscriptResult> results = new TranscriptRunner(flows).runAll(tests);
        long failed = results.stream().filter(r -> !r.passed()).count();
        results.forEach(r -> out.println(r.report()));
        out.println((results.size() - failed) + " passed, " + failed + " failed");
        return failed == 0 && !results.isEmpty() ? 0 : 1;
    }
}
