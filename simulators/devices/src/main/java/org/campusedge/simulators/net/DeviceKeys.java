package org.campusedge.simulators.net;

import java.nio.file.Path;
import java.util.Map;
import org.campusedge.registry.secrets.DeviceSecretsFile;

/**
 * The secrets simulated devices are configured with: read from a gateway's secrets file
 * ({@code conf/device-secrets}), as an installer copies each device's secret into the device.
 */
public final class DeviceKeys {

    private final Map<String, String> secrets;

    private DeviceKeys(Map<String, String> secrets) {
        this.secrets = secrets;
    }

    public static DeviceKeys of(Path secretsFile) {
        return new DeviceKeys(DeviceSecretsFile.read(secretsFile));
    }

    /** Devices configured with no key (they speak plain CoAP, or are attackers). */
    public static DeviceKeys none() {
        return new DeviceKeys(Map.of());
    }

    /** The device's secret, or null when it has none (or it was revoked). */
    public String secret(String deviceId) {
        return secrets.get(deviceId);
    }

    public boolean isEmpty() {
        return secrets.isEmpty();
    }
}
