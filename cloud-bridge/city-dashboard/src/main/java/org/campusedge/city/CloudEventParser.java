package org.campusedge.city;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cloudevents.CloudEventData;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.util.Locale;

/** Reads a message body as a structured-mode CloudEvent 1.0 in JSON, with the CloudEvents Java SDK. */
final class CloudEventParser {

    static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE;
    /** The school, an extension attribute besides {@code source}. */
    static final String SCHOOL = "school";
    private static final JsonFormat FORMAT = new JsonFormat();
    static final String SOURCE_PREFIX = "/campus-edge/";
    private static final int MAX_BYTES = 1 << 20;

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

    /** The event of a body, read by the CloudEvents SDK; fails with the reason when it is not one. */
    static CloudEvent parse(byte[] body) throws BadMessageException {
        if (body == null || body.length == 0) {
            throw new BadMessageException("empty body");
        }
        if (body.length > MAX_BYTES) {
            throw new BadMessageException("body larger than " + MAX_BYTES + " bytes");
        }
        io.cloudevents.CloudEvent e;
        try {
            e = FORMAT.deserialize(body);
        } catch (RuntimeException bad) { // EventDeserializationException, and the SDK's checks of the attributes
            Throwable why = bad.getCause() != null && bad.getCause().getMessage() != null ? bad.getCause() : bad;
            throw new BadMessageException("not a CloudEvent: " + oneLine(why.getMessage()));
        }
        String id = nonBlank(e.getId(), "id");
        String type = nonBlank(e.getType(), "type");
        Object extension = e.getExtension(SCHOOL);
        String school = extension instanceof String s ? s : null;
        String source = e.getSource() == null ? null : e.getSource().toString();
        if (school == null && source != null && source.startsWith(SOURCE_PREFIX)) {
            school = source.substring(SOURCE_PREFIX.length());
        }
        if (school == null || school.isBlank()) {
            throw new BadMessageException("no school (extension attribute or source)");
        }
        Long timeMs;
        try {
            timeMs = e.getTime() == null ? null : e.getTime().toInstant().toEpochMilli();
        } catch (ArithmeticException farOff) { // a year the SDK takes and no millisecond count holds
            throw new BadMessageException("time is out of range: " + e.getTime());
        }
        JsonNode data = data(e.getData());
        return new CloudEvent(id, type, school, e.getSubject(), timeMs, data, new String(body, StandardCharsets.UTF_8));
    }

    /** The data as a JSON object: an empty one when there is none. */
    private static JsonNode data(CloudEventData data) throws BadMessageException {
        if (data == null) {
            return JsonNodeFactory.instance.objectNode();
        }
        // only a JSON object as JSON: data_base64 or a string holding JSON would pass by what the city scrubs (a staff login)
        if (!(data instanceof JsonCloudEventData json)) {
            throw new BadMessageException("data is not a JSON object (data_base64 or a string)");
        }
        JsonNode node = json.getNode();
        if (node == null || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new BadMessageException("data is not a JSON object");
        }
        return node;
    }

    /** An RFC 3339 time in epoch milliseconds. */
    static long instant(String value, String what) throws BadMessageException {
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeException | ArithmeticException e) { // not a time, or one too far off to count in milliseconds
            throw new BadMessageException(what + " is not an RFC 3339 time: " + oneLine(value));
        }
    }

    private static String nonBlank(String v, String field) throws BadMessageException {
        if (v == null || v.isBlank()) {
            throw new BadMessageException("no " + field);
        }
        return v;
    }

    private static String oneLine(String s) {
        String line = s == null ? "" : s.replaceAll("\\s+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
