package org.campusedge.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one event type of the gateway: every connector produces it, every consumer reads it.
 * Immutable; build one with {@link #builder()}.
 *
 * @param id           time-ordered unique id, the de-duplication key end to end ({@link EventIds})
 * @param schoolId     the school the gateway serves
 * @param deviceId     the device the event is about (the gateway's own id for gateway events)
 * @param profileId    the device profile, or null for gateway-level events
 * @param location     where the device is, from the inventory
 * @param kind         dotted, stable kind such as {@code lab.reading} or {@code camera.intrusion}
 * @param severity     how urgent it is
 * @param occurredAt   when it happened, by the device's clock
 * @param receivedAt   when the gateway received it, by the gateway's clock
 * @param measurements SenML-shaped readings, empty for events that carry none
 * @param attributes   small string map (camera channel, reader direction, snapshot URL, ...)
 */
public record CampusEvent(String id, String schoolId, String deviceId, String profileId, Location location,
                          String kind, Severity severity, Instant occurredAt, Instant receivedAt,
                          List<Measurement> measurements, Map<String, String> attributes) {

    public CampusEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(schoolId, "schoolId");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (!isValidKind(kind)) {
            throw new IllegalArgumentException("kind must be dotted lower-case words, was '" + kind + "'");
        }
        location = location == null ? Location.UNKNOWN : location;
        measurements = measurements == null ? List.of() : List.copyOf(measurements);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** A builder with a fresh id and both times set to now. */
    public static Builder builder() {
        return new Builder();
    }

    /** The first measurement, for the many events that carry exactly one. */
    public Measurement measurement() {
        return measurements.isEmpty() ? null : measurements.get(0);
    }

    /**
     * Whether the event belongs on the alarm path, which readings cannot fill: alarm transitions,
     * audit records, broadcast (PA) events, control writes, presence (device.online and .offline go
     * the same way, so one never overtakes the other) and anything of WARNING or worse (an
     * intrusion, a tamper). Readings, card swipes, motion and the like are bulk traffic.
     */
    public boolean urgent() {
        return severity.compareTo(Severity.WARNING) >= 0 || kind.startsWith("alarm.") || kind.startsWith("audit.")
                || kind.startsWith("broadcast.") || kind.startsWith("cloud.") || kind.startsWith("device.")
                || kind.endsWith(".control");
    }

    /**
     * Whether the event is a record the security office relies on: an alarm transition or an audit
     * record (who acknowledged, who changed a credential). The store keeps a lane and a reserve of
     * disk space for these that nothing else can use: a flood of intrusions fills the urgent lane,
     * readings fill the disk, and an alarm's acknowledgement still lands.
     */
    public boolean lifeSafety() {
        return kind.startsWith("alarm.") || kind.startsWith("audit.");
    }

    static boolean isValidKind(String kind) {
        if (kind.isEmpty() || kind.charAt(0) == '.' || kind.charAt(kind.length() - 1) == '.') {
            return false;
        }
        for (int i = 0; i < kind.length(); i++) {
            char c = kind.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
            if (!ok || (c == '.' && kind.charAt(i - 1) == '.')) {
                return false;
            }
        }
        return kind.indexOf('.') > 0;
    }

    /** Builds a {@link CampusEvent}; not thread-safe. */
    public static final class Builder {
        private String id;
        private String schoolId;
        private String deviceId;
        private String profileId;
        private Location location = Location.UNKNOWN;
        private String kind;
        private Severity severity = Severity.INFO;
        private Instant occurredAt;
        private Instant receivedAt;
        private List<Measurement> measurements = List.of();
        private Map<String, String> attributes = Map.of();

        private Builder() {
        }

        public Builder id(String v) { this.id = v; return this; }
        public Builder schoolId(String v) { this.schoolId = v; return this; }
        public Builder deviceId(String v) { this.deviceId = v; return this; }
        public Builder profileId(String v) { this.profileId = v; return this; }
        public Builder location(Location v) { this.location = v; return this; }
        public Builder kind(String v) { this.kind = v; return this; }
        public Builder severity(Severity v) { this.severity = v; return this; }
        public Builder occurredAt(Instant v) { this.occurredAt = v; return this; }
        public Builder receivedAt(Instant v) { this.receivedAt = v; return this; }
        public Builder measurements(List<Measurement> v) { this.measurements = v; return this; }
        public Builder attributes(Map<String, String> v) { this.attributes = v; return this; }

        /** Copies school, device, profile and location from an inventory entry. */
        public Builder device(Device d) {
            return schoolId(d.schoolId()).deviceId(d.id()).profileId(d.profileId()).location(d.location());
        }

        public CampusEvent build() {
            Instant now = Instant.now();
            return new CampusEvent(id != null ? id : EventIds.next(), schoolId, deviceId, profileId, location, kind,
                    severity, occurredAt != null ? occurredAt : now, receivedAt != null ? receivedAt : now,
                    measurements, attributes);
        }
    }
}
