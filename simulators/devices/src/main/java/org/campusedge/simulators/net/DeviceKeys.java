package org.campusedge.simulators.net;

import java.nio.file.Path;
import java.util.Map;
import org.campusedge.api.DeviceCredentials.Secret;
import org.campusedge.registry.internal.SecretsFile;

/**
 * The secrets simulated devices are configured with: read from a gateway's secrets file
 * ({@code conf/device-secrets}), as an installer copies each device's secret into the device.
 */
public final class DeviceKeys {

    private final Map<String, Secret> secrets;

    private DeviceKeys(Map<String, Secret> secrets) {
        this.secrets = secrets;
    }

    public static DeviceKeys of(Path secretsFile) {
        return new DeviceKeys(new SecretsFile(secretsFile).read().secrets());
    }

    /** Devices configured with no key (they speak plain CoAP, or are attackers). */
    public static DeviceKeys none() {
        return new DeviceKeys(Map.of());
    }

    /** The device's secret, or null when it has none (or it was revoked). */
    public String secret(String deviceId) {
        Secret s = secrets.get(deviceId);
        return s == null || s.value().equals(SecretsFile.REVOKED) ? null : s.value();
    }

    public boolean isEmpty() {
        return secrets.isEmpty();
    }
}
