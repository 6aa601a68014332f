package org.campusedge.health.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.campusedge.api.DeviceCounters;
import org.campusedge.api.DeviceHealth;

/**
 * Writes every device's presence and message counts to a tab-separated file that is replaced
 * whole each time, so that an operator (or a test) can read it with {@code column -t} while the
 * gateway runs: device, family, presence, since, accepted, rejected, deferred, last error.
 * The console shows the same; the file is for a gateway with no console open.
 */
final class DeviceReport {

    static final String HEADER = "device\tfamily\tpresence\tsince\taccepted\trejected\tdeferred\tlast_error";

    private final Path file;

    DeviceReport(Path file) {
        this.file = file;
    }

    void write(List<DeviceHealth.State> states, List<DeviceCounters.Counts> counts) throws IOException {
        Map<String, DeviceCounters.Counts> byDevice = new HashMap<>();
        counts.forEach(c -> byDevice.put(c.deviceId(), c));
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (DeviceHealth.State s : states) {
            DeviceCounters.Counts c = byDevice.get(s.deviceId());
            out.append(s.deviceId()).append('\t').append(s.family()).append('\t').append(s.presence()).append('\t')
                    .append(s.since() == null ? "" : s.since()).append('\t')
                    .append(c == null ? 0 : c.accepted()).append('\t')
                    .append(c == null ? 0 : c.rejected()).append('\t')
                    .append(c == null ? 0 : c.deferred()).append('\t')
                    .append(c == null || c.lastError() == null ? "" : clean(c.lastError())).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, out, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
