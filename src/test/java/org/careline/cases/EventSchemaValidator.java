package org.careline.cases;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Checks a back-office request body against the schema its type and version name (test helper). */
public final class EventSchemaValidator {

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    /** The problems found in one envelope; empty when it is valid. */
    public List<String> problems(String body) {
        JsonObject envelope = new JsonObject(body);
        String type = envelope.getString("type");
        Integer version = envelope.getInteger("schemaVersion");
        if (type == null || version == null) {
            return List.of("no type or schemaVersion in " + body);
        }
        Schema schema = schemas.computeIfAbsent(EventSchemas.resource(type, version), this::load);
        List<Error> errors = schema.validate(body, InputFormat.JSON);
        return errors.stream().map(e -> type + " v" + version + ": " + e.getInstanceLocation() + " " + e.getMessage())
                .toList();
    }

    private Schema load(String resource) {
        try (InputStream in = EventSchemaValidator.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no schema " + resource);
            }
            return registry.getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
