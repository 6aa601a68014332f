package org.campusedge.cloud.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cloud link's contract, checked: a message body is one CloudEvent whose envelope fits
 * {@code schemas/cloudevent.schema.json} and whose {@code data} fits its type's
 * {@code schemas/<type>.schema.json} (the schemas are this jar's resources; their {@code $id}s,
 * {@code https://campusedge.org/schemas/...}, are read from here, never fetched).
 */
public final class CloudMessageSchemas {

    /** Where the schemas say they live, and where they are read from instead. */
    public static final String BASE = "https://campusedge.org/schemas/";

    /** The message types of CLOUD-MESSAGES.md, each with a schema of its own. */
    public static final List<String> TYPES = List.of("org.campusedge.summary.energy.v1", "org.campusedge.summary.alarms.v1",
            "org.campusedge.summary.health.v1", "org.campusedge.summary.attendance.v1", "org.campusedge.summary.lab.v1",
            "org.campusedge.alarm.v1");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.schemaMappers(m -> m.mapPrefix(BASE, "classpath:schemas/")));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER).formatAssertionsEnabled(true).locale(Locale.ENGLISH).build();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private CloudMessageSchemas() {
    }

    /** What is wrong with a message body (empty when it fits the contract). */
    public static List<String> problems(byte[] body) {
        JsonNode event;
        try {
            event = JSON.readTree(body);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        List<String> out = new ArrayList<>(check("cloudevent", event));
        JsonNode type = event == null ? null : event.get("type");
        if (type != null && TYPES.contains(type.asText())) {
            for (String p : check(type.asText(), event.get("data"))) {
                out.add("data" + p);
            }
        }
        return out;
    }

    /** What is wrong with one document against one schema ({@code cloudevent} or a type). */
    public static List<String> check(String schema, JsonNode document) {
        JsonSchema s = SCHEMAS.computeIfAbsent(schema,
                n -> FACTORY.getSchema(SchemaLocation.of(BASE + n + ".schema.json"), CONFIG));
        List<String> out = new ArrayList<>();
        for (ValidationMessage m : s.validate(document == null ? JSON.nullNode() : document)) {
            out.add(m.getInstanceLocation() + ": " + m.getMessage());
        }
        return out;
    }
}
