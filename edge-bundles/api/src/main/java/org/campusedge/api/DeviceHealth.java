package org.campusedge.api;

import java.time.Instant;
import java.util.List;

/**
 * Which devices of the inventory are talking to the gateway: a device that stays silent longer
 * than its profile's {@code offlineAfter} is offline (and a {@code device.offline} event says so);
 * its next message makes it online again ({@code device.online}).
 */
public interface DeviceHealth {

    /**
     * Presence of a device. UNKNOWN until it has spoken or its silence has lasted offlineAfter.
     * FAILING is online but useless: it keeps sending, and nothing it sent was accepted for as long
     * as offlineAfter (garbage, the wrong format, another device's data).
     */
    enum Presence { UNKNOWN, ONLINE, FAILING, OFFLINE }

    /**
     * @param lastSeen when the gateway last received something from it, or null
     * @param since    when it entered its present state
     */
    record State(String deviceId, String family, Presence presence, Instant lastSeen, Instant since) {
    }

    /** Every inventory device's state, by id. */
    List<State> devices();
}
