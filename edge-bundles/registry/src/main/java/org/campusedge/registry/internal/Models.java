package org.campusedge.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.campusedge.api.Device;
import org.campusedge.api.Location;
import org.campusedge.api.Point;
import org.campusedge.api.Profile;

/**
 * Turns schema-valid YAML trees into the API model. Callers have validated the tree first, so
 * this only reads; it does no checking of its own.
 */
final class Models {

    private Models() {
    }

    static Profile profile(JsonNode n) {
        List<Point> points = new ArrayList<>();
        for (JsonNode p : n.path("points")) {
            points.add(point(p));
        }
        List<String> events = new ArrayList<>();
        for (JsonNode e : n.path("events")) {
            events.add(e.asText());
        }
        String offline = text(n, "offlineAfter");
        return new Profile(n.get("id").asText(), n.get("family").asText(), n.get("protocol").asText(),
                text(n, "description"), points, events, offline == null ? null : Duration.parse(offline));
    }

    static Point point(JsonNode n) {
        return new Point(n.get("name").asText(), text(n, "unit"),
                Point.Type.valueOf(n.get("type").asText().toUpperCase(Locale.ROOT)),
                number(n, "min"), number(n, "max"), text(n, "description"), text(n, "node"),
                n.hasNonNull("samplingMs") ? n.get("samplingMs").asInt() : null, n.path("writable").asBoolean(false));
    }

    static School school(JsonNode n, ZoneId timezone) {
        return new School(n.get("id").asText(), text(n, "name"), text(n, "nameEn"), text(n, "district"),
                n.path("enrolment").asInt(), timezone);
    }

    static Device device(JsonNode n, String schoolId, String family) {
        JsonNode loc = n.path("location");
        Location location = new Location(text(loc, "building"), text(loc, "floor"), text(loc, "room"),
                text(loc, "zone"));
        Map<String, String> properties = new LinkedHashMap<>();
        n.path("properties").fields().forEachRemaining(e -> properties.put(e.getKey(), e.getValue().asText()));
        return new Device(n.get("id").asText(), schoolId, n.get("profile").asText(), family, location,
                text(n, "address"), properties, "none".equals(text(n, "security")));
    }

    /** The field as text (numbers as written, e.g. floor 3 becomes "3"), or null when absent. */
    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    static Double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isNumber() ? v.doubleValue() : null;
    }
}
