package org.careline.flowfiles;

import org.careline.flow.IntentClassifier;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads {@code conversation-flows/examples/*.yaml}: per file an {@code intent:} (a flow id, or {@code none}
 * for messages that lead nowhere) and its {@code examples:}, one message per line. Missing folder = no
 * examples (the word lists alone then route).
 */
final class IntentExamples {

    static final String FOLDER = "examples";
    private IntentExamples() {
    }

    static List<IntentClassifier.Example> read(Path flowsDir, MessageDigest digest, List<String> errors) {
        Path dir = flowsDir.resolve(FOLDER);
        List<IntentClassifier.Example> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            errors.add(dir + ":1: cannot list: " + e.getMessage());
            return out;
        }
        for (Path file : files) {
            String shown = flowsDir.resolve(FOLDER).resolve(file.getFileName()).toString();
            String content;
            try {
                content = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                errors.add(shown + ":1: cannot read: " + e.getMessage());
                continue;
            }
            digest.update((FOLDER + "/" + file.getFileName() + "\n" + content + "\n").getBytes(StandardCharsets.UTF_8));
            Optional<YamlNode> root;
            try {
                root = YamlNode.parse(new StringReader(content));
            } catch (RuntimeException e) {
                errors.add(shown + ":1: not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
                continue;
            }
            if (root.isEmpty() || !root.get().isMap()) {
                errors.add(shown + ":1: empty file or not a YAML mapping");
                continue;
            }
            root.get().duplicateKeys().forEach(d -> errors.add(shown + ":" + d));
            Optional<YamlNode> intent = root.get().get("intent");
            Optional<YamlNode> examples = root.get().get("examples");
            if (intent.isEmpty() || !intent.get().isScalar() || intent.get().text().isBlank()) {
                errors.add(shown + ":" + root.get().line() + ": needs 'intent:' (a flow id, or none)");
                continue;
            }
            if (examples.isEmpty() || !examples.get().isList() || examples.get().items().isEmpty()) {
                errors.add(shown + ":" + intent.get().line() + ": needs 'examples:', a list of messages");
                continue;
            }
            for (YamlNode item : examples.get().items()) {
                if (!item.isScalar() || item.text().isBlank()) {
                    errors.add(shown + ":" + item.line() + ": an example is one message on one line");
                    continue;
                }
                out.add(new IntentClassifier.Example(intent.get().text().trim(), item.text(), shown, item.line()));
            }
        }
        return out;
    }
}
