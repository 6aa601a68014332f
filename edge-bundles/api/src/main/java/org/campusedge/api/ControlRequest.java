package org.campusedge.api;

import java.util.Objects;

/**
 * A write to a device's control point (a circuit breaker or relay of an energy meter), as a rule,
 * the console or the city asks for it.
 *
 * @param point       the profile's point name, which must be {@code writable}
 * @param value       Boolean, Number or String, as the point's type says
 * @param requestedBy who asked, for the audit trail ("rule:night-energy", "user:li")
 */
public record ControlRequest(String deviceId, String point, Object value, String requestedBy) {

    public ControlRequest {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(value, "value");
    }
}
