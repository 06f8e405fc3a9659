package org.careline;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layout of the README, checked against the main sources as text: which package of ours each file
 * names (imports and fully qualified names; same-package references need neither), and what the engine
 * imports. The README's "Layout" section says why these rules hold.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final String ROOT = "org.careline";
    private static final String ENGINE = ROOT + ".flow";
    /** What the engine must not import: it does no I/O (files, YAML, Vert.x). */
    private static final List<String> IO_IMPORTS = List.of(
            "java.nio.file.", "java.io.File", "com.fasterxml.jackson.dataformat.", "org.yaml.", "io.vertx.");

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;",
            Pattern.MULTILINE);
    /** A name of ours: lower-case package segments, then a type. */
    private static final Pattern OURS = Pattern.compile("\\borg\\.careline((?:\\.[a-z]\\w*)*)\\.([A-Z]\\w*)");

    /** One source file: its package, its imports, and for each other package of ours it names, one such name. */
    record Source(Path file, String pkg, List<String> imports, Map<String, String> uses) {}

    @Test
    @DisplayName("no two packages of org.careline depend on each other, directly or round a longer loop")
    void noCycleBetweenPackages() {
        List<Source> sources = mainSources();
        assertThat(sources).as("main sources under " + MAIN).hasSizeGreaterThan(20);
        assertThat(cycles(sources)).as("package cycles (each edge: the file that makes it)").isEmpty();
    }

    @Test
    @DisplayName("org.careline.flow imports nothing that does I/O and no other package of ours: it is the pure engine")
    void engineIsPure() {
        List<String> found = new ArrayList<>();
        for (Source s : mainSources()) {
            if (!s.pkg().equals(ENGINE)) {
                continue;
            }
            for (String imported : s.imports()) {
                if (IO_IMPORTS.stream().anyMatch(imported::startsWith)) {
                    found.add(s.file() + ": import " + imported);
                }
            }
            s.uses().forEach((pkg, name) -> found.add(s.file() + ": uses " + name));
        }
        assertThat(found).isEmpty();
    }

    @Test
    @DisplayName("the cycle check finds a loop of three packages and names the files")
    void cycleCheckCanFail() {
        List<Source> made = List.of(
                new Source(Path.of("a/A.java"), "org.careline.a", List.of(), Map.of("org.careline.b", "org.careline.b.B")),
                new Source(Path.of("b/B.java"), "org.careline.b", List.of(), Map.of("org.careline.c", "org.careline.c.C")),
                new Source(Path.of("c/C.java"), "org.careline.c", List.of(), Map.of("org.careline.a", "org.careline.a.A")),
                new Source(Path.of("d/D.java"), "org.careline.d", List.of(), Map.of("org.careline.a", "org.careline.a.A")));
        assertThat(cycles(made)).singleElement().asString()
                .contains("org.careline.a -> org.careline.b (a/A.java)")
                .contains("org.careline.c -> org.careline.a (c/C.java)")
                .doesNotContain("org.careline.d");
    }

    @Test
    @DisplayName("a reference is read from an import and from a fully qualified name in the code")
    void readsImportsAndQualifiedNames() {
        Source s = parse(Path.of("X.java"), """
                package org.careline.console;

                import io.vertx.core.Future;
                import org.careline.http.Failures;
                import static org.careline.privacy.Redaction.openid;

                final class X {
                    org.careline.flow.ConversationState state; // a name in the code
                    String s = "org.careline.Main";             // the root package's Main
                    org.careline.console.Y same;
                }
                """);
        assertThat(s.pkg()).isEqualTo("org.careline.console");
        assertThat(s.uses().keySet()).containsExactlyInAnyOrder(
                "org.careline.http", "org.careline.privacy", "org.careline.flow", "org.careline");
        assertThat(s.imports()).contains("io.vertx.core.Future");
    }

    /** Each cycle once, as its edges; an edge names one file that makes it. Empty: the graph is acyclic. */
    static List<String> cycles(List<Source> sources) {
        Map<String, Map<String, Path>> edges = new TreeMap<>();
        for (Source s : sources) {
            edges.computeIfAbsent(s.pkg(), k -> new TreeMap<>());
            s.uses().keySet().forEach(to -> edges.get(s.pkg()).putIfAbsent(to, s.file()));
        }
        List<String> out = new ArrayList<>();
        for (Set<String> component : stronglyConnected(edges)) {
            if (component.size() < 2) {
                continue;
            }
            List<String> described = new ArrayList<>();
            for (String from : component) {
                edges.getOrDefault(from, Map.of()).forEach((to, file) -> {
                    if (component.contains(to)) {
                        described.add(from + " -> " + to + " (" + file + ")");
                    }
                });
            }
            out.add(String.join("; ", described));
        }
        return out;
    }

    /** Tarjan's algorithm: the sets of packages that reach each other. */
    private static List<Set<String>> stronglyConnected(Map<String, Map<String, Path>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String start : edges.keySet()) {
            if (!index.containsKey(start)) {
                visit(start, edges, index, low, stack, onStack, out);
            }
        }
        return out;
    }

    private static void visit(String v, Map<String, Map<String, Path>> edges, Map<String, Integer> index,
                              Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                              List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : edges.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                visit(w, edges, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }

    private static List<Source> mainSources() {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().map(f -> {
                try {
                    return parse(MAIN.relativize(f), Files.readString(f, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Source parse(Path file, String text) {
        Matcher p = PACKAGE.matcher(text);
        String pkg = p.find() ? p.group(1) : "";
        List<String> imports = new ArrayList<>();
        Matcher i = IMPORT.matcher(text);
        while (i.find()) {
            imports.add(i.group(2));
        }
        Map<String, String> uses = new TreeMap<>();
        // Imports and names in the code alike (a string or comment naming a class counts too: better a false
        // alarm than a missed dependency).
        Matcher o = OURS.matcher(pkg.isEmpty() ? text : text.substring(p.end()));
        while (o.find()) {
            String used = ROOT + o.group(1);
            if (!used.equals(pkg)) {
                uses.putIfAbsent(used, used + "." + o.group(2));
            }
        }
        return new Source(file, pkg, imports, uses);
    }
}
