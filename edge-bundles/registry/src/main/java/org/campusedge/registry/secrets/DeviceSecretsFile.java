package org.campusedge.registry.secrets;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.campusedge.api.DeviceCredentials.Secret;
import org.campusedge.registry.internal.SecretsFile;

/**
 * The gateway's device secrets file ({@code conf/device-secrets}) as an installer handles it: the
 * published door for the simulators, which are configured with the keys the gateway issued, as a
 * real device is by whoever installs it. The gateway's own command is {@code bin/campus-edge credentials}.
 */
public final class DeviceSecretsFile {

    private DeviceSecretsFile() {
    }

    /** Each device's live secret (revoked ones left out). */
    public static Map<String, String> read(Path file) {
        Map<String, String> out = new TreeMap<>();
        new SecretsFile(file).read().secrets().forEach((id, s) -> {
            if (!s.value().equals(SecretsFile.REVOKED)) {
                out.put(id, s.value());
            }
        });
        return out;
    }

    /** Issues a new secret to each of {@code deviceIds} that has none yet (the file stays owner-only). */
    public static void issue(Path file, Collection<String> deviceIds) {
        new SecretsFile(file).update(m -> {
            for (String id : deviceIds) {
                m.putIfAbsent(id, new Secret(SecretsFile.newSecret(), Instant.now().truncatedTo(ChronoUnit.SECONDS)));
            }
            return null;
        });
    }
}
