package org.campusedge.sandbox;

import java.util.Objects;

/**
 * Who is on the other end of a device-side connection: the result of the SASL PLAIN
 * {@code auth-id@tenant} login, kept in the connection's attachments.
 *
 * @param tenantId the tenant the device or gateway belongs to
 * @param deviceId the authenticated device or gateway id (the {@code auth-id})
 * @param gateway  {@code true} if the registry lists it as a gateway
 */
public record DeviceIdentity(String tenantId, String deviceId, boolean gateway) {

    /** Validates the components. */
    public DeviceIdentity {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(deviceId, "deviceId");
    }

    @Override
    public String toString() {
        return deviceId + "@" + tenantId + (gateway ? " (gateway)" : "");
    }
}
