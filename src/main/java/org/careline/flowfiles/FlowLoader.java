package org.careline.flowfiles;

import org.careline.flow.Common;
import org.careline.flow.Flow;
import org.careline.flow.FlowValidationException;
import org.careline.flow.FlowValidator;
import org.careline.flow.Flows;
import org.careline.flow.IntentClassifier;
import org.careline.flow.Regions;
import org.careline.flow.RoutingTable;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads a folder of flow files ({@code *.yaml}, one per flow, plus {@code common.yaml}) and the regions
 * file, and validates them all. Either every flow is usable or nothing is: a half-loaded set of flows
 * would strand people mid-conversation.
 */
public final class FlowLoader {

    static final String COMMON = "common.yaml";

    private FlowLoader() {
    }

    /** Loads {@code dir} with the regions file at {@code config/regions.yaml} beside it. */
    public static Flows load(Path dir) {
        Path parent = dir.toAbsolutePath().getParent();
        return load(dir, (parent == null ? Path.of(".") : parent).resolve("config").resolve("regions.yaml"));
    }

    /** @throws FlowValidationException listing every problem as {@code file:line: message} */
    public static Flows load(Path dir, Path regionsFile) {
        List<String> errors = new ArrayList<>();
        Flows flows = read(dir, regionsFile, errors);
        if (errors.isEmpty()) {
            errors.addAll(new FlowValidator(flows).validate());
        }
        if (!errors.isEmpty()) {
            throw new FlowValidationException(errors);
        }
        return flows;
    }

    /**
     * The version {@link #load} would give these files, read without parsing, validating or training the
     * classifiers (milliseconds instead of seconds): a reload check skips the load when it is unchanged.
     * Computed exactly as {@link #read} does; any file it cannot read gives null (then load to hear why).
     */
    public static String version(Path dir, Path regionsFile) {
        MessageDigest digest = sha256();
        try {
            for (Path file : yamlFiles(dir, new ArrayList<>())) {
                digest.update((file.getFileName() + "\n" + Files.readString(file, StandardCharsets.UTF_8) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            Path examples = dir.resolve(IntentExamples.FOLDER);
            if (Files.isDirectory(examples)) {
                for (Path file : yamlFiles(examples, new ArrayList<>())) {
                    digest.update((IntentExamples.FOLDER + "/" + file.getFileName() + "\n"
                            + Files.readString(file, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            digest.update(Files.readAllBytes(regionsFile));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    }

    private static Flows read(Path dir, Path regionsFile, List<String> errors) {
        Map<String, Flow> flows = new LinkedHashMap<>();
        Common common = null;
        RoutingTable routing = null;
        MessageDigest digest = sha256();
        List<Path> files = yamlFiles(dir, errors);
        for (Path file : files) {
            String name = file.getFileName().toString();
            String shown = dir.resolve(name).toString();
            String content;
            try {
                content = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                errors.add(shown + ":1: cannot read: " + e.getMessage());
                continue;
            }
            digest.update((name + "\n" + content + "\n").getBytes(StandardCharsets.UTF_8));
            Optional<YamlNode> root;
            try {
                root = YamlNode.parse(new StringReader(content));
            } catch (RuntimeException e) {
                errors.add(shown + ":" + yamlErrorLine(e) + ": not valid YAML: " + firstLine(e.getMessage()));
                continue;
            }
            if (root.isEmpty() || !root.get().isMap()) {
                errors.add(shown + ":1: empty file or not a YAML mapping");
                continue;
            }
            root.get().duplicateKeys().forEach(d -> errors.add(shown + ":" + d));
            FlowReader reader = new FlowReader(shown, errors);
            if (name.equals(COMMON)) {
                common = reader.common(root.get());
                continue;
            }
            String id = name.substring(0, name.length() - ".yaml".length());
            flows.put(id, reader.flow(root.get(), id));
            RoutingTable r = reader.routing(root.get());
            if (r != null) {
                routing = r;
            }
        }
        if (common == null) {
            errors.add(dir.resolve(COMMON) + ":1: missing common.yaml (global words and shared texts)");
            common = new Common(dir.resolve(COMMON).toString(), List.of(), Map.of(), List.of(), List.of(), Map.of(),
                    Map.of(), null, null, null);
        }
        List<IntentClassifier.Example> examples = IntentExamples.read(dir, digest, errors);
        Regions regions = RegionsFile.load(regionsFile, errors);
        try {
            digest.update(Files.readAllBytes(regionsFile));
        } catch (IOException ignored) {
            // already reported by RegionsFile.load
        }
        String version = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        return new Flows(flows, common, regions, routing == null ? RoutingTable.empty() : routing, examples, version);
    }

    private static List<Path> yamlFiles(Path dir, List<String> errors) {
        if (!Files.isDirectory(dir)) {
            errors.add(dir + ":1: flows folder not found");
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            errors.add(dir + ":1: cannot list: " + e.getMessage());
            return List.of();
        }
    }

    private static int yamlErrorLine(RuntimeException e) {
        if (e instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
            return m.getProblemMark().getLine() + 1;
        }
        return 1;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
