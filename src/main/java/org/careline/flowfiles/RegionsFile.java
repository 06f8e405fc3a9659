package org.careline.flowfiles;

import org.careline.flow.Regions;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads {@code config/regions.yaml} into {@link Regions}. */
final class RegionsFile {

    private RegionsFile() {
    }

    /** Reads the file; problems are added to {@code errors} as {@code file:line: message}. */
    static Regions load(Path file, List<String> errors) {
        if (!Files.exists(file)) {
            errors.add(file + ":1: regions file not found");
            return new Regions("", List.of());
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Optional<YamlNode> root = YamlNode.parse(r);
            if (root.isEmpty() || !root.get().isMap()) {
                errors.add(file + ":1: expected 'district:' and 'towns:'");
                return new Regions("", List.of());
            }
            String district = root.get().get("district").map(YamlNode::text).orElse("");
            List<Regions.Town> towns = new ArrayList<>();
            for (YamlNode t : root.get().get("towns").map(YamlNode::items).orElse(List.of())) {
                String name = t.get("name").map(YamlNode::text).orElse(null);
                List<String> communities = t.get("communities").map(YamlNode::items).orElse(List.of())
                        .stream().map(YamlNode::text).toList();
                if (name == null || communities.isEmpty()) {
                    errors.add(file + ":" + t.line() + ": a town needs a name and communities");
                } else {
                    towns.add(new Regions.Town(name, communities));
                }
            }
            if (towns.isEmpty()) {
                errors.add(file + ":1: no towns");
            }
            return new Regions(district, List.copyOf(towns));
        } catch (IOException | RuntimeException e) {
            errors.add(file + ":1: cannot read: " + e.getMessage());
            return new Regions("", List.of());
        }
    }
}
