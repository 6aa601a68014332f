package org.campusedge.api;

import java.time.Instant;
import java.util.List;

/**
 * What each device has sent the gateway: accepted and rejected messages and the last reason for a
 * rejection. Bad input is counted per device here and never stops a route.
 */
public interface DeviceCounters {

    /** Counters of one device. */
    record Counts(String deviceId, long accepted, long rejected, String lastError, Instant lastErrorAt) {
    }

    /** Counters of every device that has sent anything since the gateway started. */
    List<Counts> all();

    /** Counters of one device (zeros if it has sent nothing). */
    Counts of(String deviceId);
}
