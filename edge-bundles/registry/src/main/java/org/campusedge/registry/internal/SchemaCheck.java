package org.campusedge.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One JSON Schema (draft 2020-12) from this bundle's resources, and the validation of a parsed
 * document against it, with each violation turned into a JSON pointer and a short reason.
 */
final class SchemaCheck {

    /** One schema violation: where (JSON pointer into the document) and why. */
    record Issue(String pointer, String reason) {
    }

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .formatAssertionsEnabled(true)
            .locale(Locale.ENGLISH)
            .build();

    private final String name;
    private final JsonSchema schema;

    private SchemaCheck(String name, JsonSchema schema) {
        this.name = name;
        this.schema = schema;
    }

    /**
     * Loads a schema through this bundle's own class loader: in OSGi neither the thread context
     * class loader nor the validator's bundle can see our resources.
     */
    static SchemaCheck fromResource(ObjectMapper json, String resource) {
        ClassLoader loader = SchemaCheck.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + resource + " is missing from the registry bundle");
            }
            JsonNode node = json.readTree(in);
            return new SchemaCheck(resource, FACTORY.getSchema(node, CONFIG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema resource " + resource, e);
        }
    }

    String name() {
        return name;
    }

    List<Issue> validate(JsonNode document) {
        Set<ValidationMessage> messages = schema.validate(document);
        List<Issue> issues = new ArrayList<>(messages.size());
        for (ValidationMessage m : messages) {
            issues.add(toIssue(m));
        }
        return issues;
    }

    private static Issue toIssue(ValidationMessage m) {
        String pointer = m.getInstanceLocation().toString();
        String type = m.getType();
        // "required" and "additionalProperties" are reported at the enclosing object; point at
        // the field itself, which is what someone fixing the file looks for.
        if (("required".equals(type) || "additionalProperties".equals(type)) && m.getProperty() != null) {
            pointer = pointer + "/" + escape(m.getProperty());
        }
        String reason = switch (type) {
            case "required" -> "required field is missing";
            case "additionalProperties" -> "unknown field (not in the schema; a typo?)";
            default -> stripLocation(m.getMessage(), m.getInstanceLocation().toString()) + found(m.getInstanceNode());
        };
        return new Issue(pointer.isEmpty() ? Problems.WHOLE_FILE : pointer, reason);
    }

    /** The validator's message starts with the instance location, which our format already carries. */
    private static String stripLocation(String message, String location) {
        String prefix = location + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    /** The offending value, when it is short enough to help: the validator's message leaves it out. */
    private static String found(JsonNode value) {
        if (value == null || value.isContainerNode() || value.isMissingNode()) {
            return "";
        }
        String text = value.isTextual() ? "'" + value.asText() + "'" : value.toString();
        return text.length() > 80 ? "" : " (found " + text + ")";
    }

    private static String escape(String property) {
        return property.replace("~", "~0").replace("/", "~1");
    }
}
