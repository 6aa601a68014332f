package org.campusedge.city;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Reads a message body as a structured-mode CloudEvent 1.0 in JSON. */
final class CloudEventParser {

    static final String CONTENT_TYPE = "application/cloudevents+json";
    static final String SOURCE_PREFIX = "/campus-edge/";
    private static final int MAX_BYTES = 1 << 20;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CloudEventParser() {
    }

    /** True for {@code application/cloudevents+json}, with or without parameters such as a charset. */
    static boolean isCloudEvent(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String base = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return base.equals(CONTENT_TYPE);
    }

    /** The event of a body; fails with the reason when it is not one. */
    static CloudEvent parse(byte[] body) throws BadMessageException {
        if (body == null || body.length == 0) {
            throw new BadMessageException("empty body");
        }
        if (body.length > MAX_BYTES) {
            throw new BadMessageException("body larger than " + MAX_BYTES + " bytes");
        }
        String json = new String(body, StandardCharsets.UTF_8);
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BadMessageException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadMessageException("not a JSON object");
        }
        if (!"1.0".equals(text(root, "specversion"))) {
            throw new BadMessageException("specversion is not 1.0");
        }
        String id = required(root, "id");
        String type = required(root, "type");
        String school = text(root, "school");
        String source = text(root, "source");
        if (school == null && source != null && source.startsWith(SOURCE_PREFIX)) {
            school = source.substring(SOURCE_PREFIX.length());
        }
        if (school == null || school.isBlank()) {
            throw new BadMessageException("no school (extension attribute or source)");
        }
        String time = text(root, "time");
        Long timeMs = time == null ? null : instant(time, "time");
        JsonNode data = root.get("data");
        if (data == null || data.isNull()) {
            data = JsonNodeFactory.instance.objectNode();
        } else if (!data.isObject()) {
            throw new BadMessageException("data is not a JSON object");
        }
        return new CloudEvent(id, type, school, text(root, "subject"), timeMs, data, json);
    }

    /** An RFC 3339 time in epoch milliseconds. */
    static long instant(String value, String what) throws BadMessageException {
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new BadMessageException(what + " is not an RFC 3339 time: " + value);
        }
    }

    private static String required(JsonNode node, String field) throws BadMessageException {
        String v = text(node, field);
        if (v == null || v.isBlank()) {
            throw new BadMessageException("no " + field);
        }
        return v;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }
}
