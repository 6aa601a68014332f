package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;

/**
 * The admin page's view of the devices' credentials: every device of the inventory with how it
 * proves who it is (its key and since when, revoked, or unprotected: {@code security: none}), and
 * devices that have a line in the secrets file but left the inventory. Issuing a new key and revoking
 * one go through the {@link DeviceCredentials} service; a new key is shown once, in the answer.
 * Never a secret in a listing.
 */
final class CredentialsView {

    /** The families whose connectors check the key today; the meters' keys are issued ahead of OPC UA security. */
    static final java.util.Set<String> CHECKED = java.util.Set.of("lab", "camera", "broadcast", "card");

    private final DeviceCredentials credentials;
    private final DeviceRegistry registry;

    CredentialsView(DeviceCredentials credentials, DeviceRegistry registry) {
        this.credentials = credentials;
        this.registry = registry;
    }

    void write(JsonGenerator g) throws IOException {
        Map<String, DeviceCredentials.Entry> entries = new TreeMap<>();
        credentials.entries().forEach(e -> entries.put(e.deviceId(), e));
        Map<String, Device> devices = new TreeMap<>();
        registry.devices().forEach(d -> devices.put(d.id(), d));
        g.writeStartArray();
        for (Device d : devices.values()) {
            DeviceCredentials.Entry e = entries.get(d.id());
            String state = d.unprotected() ? "unprotected" : e == null ? "none" : !e.active() ? "revoked"
                    : CHECKED.contains(d.family()) ? "key" : "issued";
            row(g, d.id(), d.family(), state, e);
        }
        for (DeviceCredentials.Entry e : entries.values()) {
            if (!devices.containsKey(e.deviceId())) {
                row(g, e.deviceId(), "", e.active() ? "key, not in the inventory" : "revoked, not in the inventory", e);
            }
        }
        g.writeEndArray();
    }

    private static void row(JsonGenerator g, String device, String family, String state, DeviceCredentials.Entry e) throws IOException {
        g.writeStartObject();
        g.writeStringField("device", device);
        g.writeStringField("family", family);
        g.writeStringField("state", state);
        g.writeStringField("since", e == null || e.since() == null ? "" : e.since().toString());
        g.writeEndObject();
    }

    /** A new key for a device of the inventory that proves who it is; the secret, to be shown once. */
    String issue(String deviceId) {
        Device d = registry.device(deviceId).orElseThrow(() -> new IllegalArgumentException("no device " + deviceId + " in the inventory"));
        if (d.unprotected()) {
            throw new IllegalArgumentException(deviceId + " is marked security: none in the inventory; it cannot use a key");
        }
        return credentials.issue(deviceId);
    }

    boolean revoke(String deviceId) {
        return credentials.revoke(deviceId);
    }
}
