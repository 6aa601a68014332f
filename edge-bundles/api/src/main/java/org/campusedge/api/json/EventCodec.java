package org.campusedge.api.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Location;
import org.campusedge.api.Measurement;
import org.campusedge.api.Severity;

/**
 * JSON form of {@link CampusEvent}: a flat object whose measurements are SenML records with
 * absolute times ({@code t} in seconds since the epoch). Reading is strict: an unknown field is
 * ignored, a field of the wrong type is an {@link IllegalArgumentException} that names it.
 */
public final class EventCodec {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private EventCodec() {
    }

    /** The event as one JSON object. */
    public static String toJson(CampusEvent e) {
        return write(g -> writeEvent(g, e));
    }

    /**
     * The measurements as a SenML pack (JSON array of resolved records). Written by hand rather than
     * through a Jackson generator: the store encodes one of these per reading, 100,000 a second,
     * and the generator's set-up cost a fifth of the ingest thread. Same output as {@link #writeEvent}.
     */
    public static String measurementsToJson(List<Measurement> ms) {
        return measurementsToJson(ms, null);
    }

    /**
     * Like {@link #measurementsToJson(List)}, but a record whose time equals {@code defaultTime} is
     * written without {@code t}; {@link #measurementsFromJson(String, Instant)} puts it back. The
     * store uses this: a reading's time is nearly always its event's time, already in a column.
     */
    public static String measurementsToJson(List<Measurement> ms, Instant defaultTime) {
        StringBuilder sb = new StringBuilder(64 * ms.size());
        sb.append('[');
        for (int i = 0; i < ms.size(); i++) {
            Measurement m = ms.get(i);
            sb.append(i == 0 ? "{" : ",{");
            field(sb, "n", m.name(), false);
            field(sb, "u", m.unit(), true);
            if (m.value() != null) {
                sb.append(",\"v\":").append(m.value().doubleValue());
            }
            field(sb, "vs", m.stringValue(), true);
            if (m.booleanValue() != null) {
                sb.append(",\"vb\":").append(m.booleanValue().booleanValue());
            }
            field(sb, "vd", m.dataValue(), true);
            if (m.sum() != null) {
                sb.append(",\"s\":").append(m.sum().doubleValue());
            }
            if (!m.time().equals(defaultTime)) {
                sb.append(",\"t\":").append(toSeconds(m.time()));
            }
            sb.append('}');
        }
        return sb.append(']').toString();
    }

    /** The attributes as a JSON object of strings. */
    public static String attributesToJson(Map<String, String> attrs) {
        StringBuilder sb = new StringBuilder(32 * attrs.size() + 2);
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, String> a : attrs.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(sb, a.getKey());
            sb.append(':');
            quote(sb, a.getValue());
        }
        return sb.append('}').toString();
    }

    private static void field(StringBuilder sb, String name, String value, boolean comma) {
        if (value != null) {
            sb.append(comma ? ",\"" : "\"").append(name).append("\":");
            quote(sb, value);
        }
    }

    /** A JSON string literal (RFC 8259 escaping; non-ASCII characters are written as they are). */
    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Parses what {@link #toJson} wrote. */
    public static CampusEvent fromJson(String json) {
        return read(json, p -> {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, "event");
            return readEvent(p);
        });
    }

    /** Parses what {@link #measurementsToJson(List)} wrote. */
    public static List<Measurement> measurementsFromJson(String json) {
        return measurementsFromJson(json, null);
    }

    /** Parses what {@link #measurementsToJson(List, Instant)} wrote; records without a time get {@code defaultTime}. */
    public static List<Measurement> measurementsFromJson(String json, Instant defaultTime) {
        return read(json, p -> {
            p.nextToken();
            return readMeasurements(p, defaultTime);
        });
    }

    /** Parses what {@link #attributesToJson} wrote. */
    public static Map<String, String> attributesFromJson(String json) {
        return read(json, p -> {
            p.nextToken();
            return readAttributes(p);
        });
    }

    // ---- writing

    /** Writes the event as one object into a generator the caller owns (used for streaming many). */
    public static void writeEvent(JsonGenerator g, CampusEvent e) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", e.id());
        g.writeStringField("schoolId", e.schoolId());
        g.writeStringField("deviceId", e.deviceId());
        if (e.profileId() != null) {
            g.writeStringField("profileId", e.profileId());
        }
        Location l = e.location();
        if (!Location.UNKNOWN.equals(l)) {
            g.writeObjectFieldStart("location");
            writeOptional(g, "building", l.building());
            writeOptional(g, "floor", l.floor());
            writeOptional(g, "room", l.room());
            writeOptional(g, "zone", l.zone());
            g.writeEndObject();
        }
        g.writeStringField("kind", e.kind());
        g.writeStringField("severity", e.severity().name());
        g.writeStringField("occurredAt", e.occurredAt().toString());
        g.writeStringField("receivedAt", e.receivedAt().toString());
        if (!e.measurements().isEmpty()) {
            g.writeFieldName("measurements");
            writeMeasurements(g, e.measurements());
        }
        if (!e.attributes().isEmpty()) {
            g.writeFieldName("attributes");
            writeAttributes(g, e.attributes());
        }
        g.writeEndObject();
    }

    private static void writeMeasurements(JsonGenerator g, List<Measurement> ms) throws IOException {
        g.writeStartArray();
        for (Measurement m : ms) {
            g.writeStartObject();
            g.writeStringField("n", m.name());
            writeOptional(g, "u", m.unit());
            if (m.value() != null) {
                g.writeNumberField("v", m.value());
            }
            writeOptional(g, "vs", m.stringValue());
            if (m.booleanValue() != null) {
                g.writeBooleanField("vb", m.booleanValue());
            }
            writeOptional(g, "vd", m.dataValue());
            if (m.sum() != null) {
                g.writeNumberField("s", m.sum());
            }
            g.writeNumberField("t", toSeconds(m.time()));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeAttributes(JsonGenerator g, Map<String, String> attrs) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, String> a : attrs.entrySet()) {
            g.writeStringField(a.getKey(), a.getValue());
        }
        g.writeEndObject();
    }

    private static void writeOptional(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    /** Seconds since the epoch with millisecond (or finer) fraction, as SenML writes time. */
    public static double toSeconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    /** The instant for SenML seconds, rounded to the microsecond to undo binary fractions. */
    public static Instant fromSeconds(double seconds) {
        long micros = Math.round(seconds * 1_000_000d);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    // ---- reading

    private static CampusEvent readEvent(JsonParser p) throws IOException {
        CampusEvent.Builder b = CampusEvent.builder();
        String id = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> id = text(p, t, field);
                case "schoolId" -> b.schoolId(text(p, t, field));
                case "deviceId" -> b.deviceId(text(p, t, field));
                case "profileId" -> b.profileId(text(p, t, field));
                case "location" -> b.location(readLocation(p, t));
                case "kind" -> b.kind(text(p, t, field));
                case "severity" -> b.severity(Severity.parse(text(p, t, field)));
                case "occurredAt" -> b.occurredAt(instant(p, t, field));
                case "receivedAt" -> b.receivedAt(instant(p, t, field));
                case "measurements" -> b.measurements(readMeasurements(p, null));
                case "attributes" -> b.attributes(readAttributes(p));
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw new IllegalArgumentException("event: missing field 'id'");
        }
        try {
            return b.id(id).build();
        } catch (NullPointerException e) {
            throw new IllegalArgumentException("event " + id + ": missing field '" + e.getMessage() + "'");
        }
    }

    private static Location readLocation(JsonParser p, JsonToken t) throws IOException {
        expect(p, t, JsonToken.START_OBJECT, "location");
        String building = null, floor = null, room = null, zone = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "building" -> building = text(p, v, "location.building");
                case "floor" -> floor = text(p, v, "location.floor");
                case "room" -> room = text(p, v, "location.room");
                case "zone" -> zone = text(p, v, "location.zone");
                default -> p.skipChildren();
            }
        }
        return new Location(building, floor, room, zone);
    }

    private static List<Measurement> readMeasurements(JsonParser p, Instant defaultTime) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, "measurements");
        List<Measurement> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String n = null, u = null, vs = null, vd = null;
            Double v = null, s = null;
            Boolean vb = null;
            Instant time = defaultTime;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "n" -> n = text(p, t, "measurements.n");
                    case "u" -> u = text(p, t, "measurements.u");
                    case "v" -> v = number(p, t, "measurements.v");
                    case "vs" -> vs = text(p, t, "measurements.vs");
                    case "vb" -> vb = bool(p, t, "measurements.vb");
                    case "vd" -> vd = text(p, t, "measurements.vd");
                    case "s" -> s = number(p, t, "measurements.s");
                    case "t" -> time = fromSeconds(number(p, t, "measurements.t"));
                    default -> p.skipChildren();
                }
            }
            if (n == null || time == null) {
                throw new IllegalArgumentException("measurements: a record lacks 'n' or 't'");
            }
            out.add(new Measurement(n, u, v, vs, vb, vd, s, time));
        }
        return out;
    }

    private static Map<String, String> readAttributes(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, "attributes");
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            out.put(key, text(p, p.nextToken(), "attributes." + key));
        }
        return out;
    }

    private static String text(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, t, JsonToken.VALUE_STRING, field);
        return p.getText();
    }

    private static Double number(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new IllegalArgumentException(field + ": expected a number, found " + t);
        }
        return p.getDoubleValue();
    }

    private static Boolean bool(JsonParser p, JsonToken t, String field) {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw new IllegalArgumentException(field + ": expected true or false, found " + t);
        }
        return t == JsonToken.VALUE_TRUE;
    }

    private static Instant instant(JsonParser p, JsonToken t, String field) throws IOException {
        String s = text(p, t, field);
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(field + ": not an ISO-8601 instant: " + s);
        }
    }

    private static void expect(JsonParser p, JsonToken actual, JsonToken expected, String field) {
        if (actual != expected) {
            throw new IllegalArgumentException(field + ": expected " + expected + ", found " + actual);
        }
    }

    // ---- plumbing

    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private interface Reader<T> {
        T read(JsonParser p) throws IOException;
    }

    private static String write(Writer w) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            w.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static <T> T read(String json, Reader<T> r) {
        try (JsonParser p = FACTORY.createParser(json)) {
            return r.read(p);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
