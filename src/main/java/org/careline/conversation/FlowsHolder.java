package org.careline.conversation;

import io.vertx.core.Vertx;
import org.careline.flow.FlowEngine;
import org.careline.flow.FlowValidationException;
import org.careline.flow.Flows;
import org.careline.flowfiles.FlowLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The flows in force. Bureau staff edit {@code conversation-flows/} while the service runs: a valid edit
 * is picked up within seconds, an invalid one is logged with its errors and the previous flows stay.
 */
public final class FlowsHolder implements Supplier<FlowEngine> {

    private static final Logger log = LoggerFactory.getLogger(FlowsHolder.class);

    private final Path dir;
    private final Path regions;
    private final AtomicReference<FlowEngine> engine = new AtomicReference<>();
    private volatile Flows flows;
    private volatile long stamp;

    public FlowsHolder(Flows initial, Path dir, Path regions) {
        this.dir = dir;
        this.regions = regions;
        this.flows = initial;
        this.engine.set(new FlowEngine(initial));
        // No file reads here (this runs on an event loop): the first check on a worker takes the stamp,
        // reloading once at most, which keeps the same version and changes nothing.
        this.stamp = Long.MIN_VALUE;
    }

    @Override
    public FlowEngine get() {
        return engine.get();
    }

    public Flows flows() {
        return flows;
    }

    /** Checks the files every {@code periodMs} on a worker thread (file reads block). */
    public long watch(Vertx vertx, long periodMs) {
        return vertx.setPeriodic(periodMs, id -> vertx.executeBlocking(() -> {
            reloadIfChanged();
            return null;
        }, false));
    }

    /** Reloads when a file changed; returns true when new flows are now in force. */
    public synchronized boolean reloadIfChanged() {
        long now = stamp();
        if (now == stamp) {
            return false;
        }
        stamp = now;
        // The first check after start-up (and a file saved unchanged) finds the same content: reading it is
        // milliseconds, a full load seconds of parsing and training that would compete with the start.
        if (flows.version().equals(FlowLoader.version(dir, regions))) {
            return false;
        }
        try {
            Flows next = FlowLoader.load(dir, regions);
            if (next.version().equals(flows.version())) {
                return false;
            }
            flows = next;
            engine.set(new FlowEngine(next));
            log.info("conversation flows reloaded: {} flows, version {}", next.size(), next.version());
            return true;
        } catch (FlowValidationException e) {
            log.error("conversation flows changed but are invalid; keeping version {}:\n{}", flows.version(),
                    String.join("\n", e.errors()));
            return false;
        } catch (RuntimeException e) {
            log.error("conversation flows could not be reloaded; keeping version {}: {}", flows.version(), e.toString());
            return false;
        }
    }

    /** A cheap fingerprint of the files: names, sizes and modification times. */
    private long stamp() {
        long h = 17;
        for (Path p : new Path[] {dir, regions}) {
            // The whole tree: intent examples live in a sub-folder (examples/), and editing one in place
            // changes only that file's size and time, not its folder's.
            try (Stream<Path> files = Files.isDirectory(p) ? Files.walk(p) : Stream.of(p)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                    h = h * 31 + f.toString().hashCode();
                    h = h * 31 + Files.size(f);
                    h = h * 31 + Files.getLastModifiedTime(f).toMillis();
                }
            } catch (IOException e) {
                h = h * 31 + 1;
            }
        }
        return h;
    }
}
