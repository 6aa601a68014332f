package org.campusedge.api;

import java.time.Instant;
import java.util.List;

/**
 * What each device has sent the gateway: accepted and rejected messages and the last reason for a
 * rejection. Bad input is counted per device here and never stops a route.
 */
public interface DeviceCounters {

    /**
     * Counters of one device: messages accepted, rejected for bad input, deferred because the
     * gateway was busy (the device was told to retry), the last rejection's reason, when the device
     * last sent anything at all (a device sending garbage is broken, not silent), and when a message
     * of it was last accepted (null: never since the gateway started).
     */
    record Counts(String deviceId, long accepted, long rejected, long deferred, String lastError, Instant lastErrorAt,
                  Instant lastSeen, Instant lastAccepted, List<Unprofiled> unprofiled) {
        public Counts {
            unprofiled = unprofiled == null ? List.of() : List.copyOf(unprofiled);
        }

        public Counts(String deviceId, long accepted, long rejected, long deferred, String lastError, Instant lastErrorAt,
                      Instant lastSeen, Instant lastAccepted) {
            this(deviceId, accepted, rejected, deferred, lastError, lastErrorAt, lastSeen, lastAccepted, List.of());
        }
    }

    /**
     * A point the device sends that its profile does not list (a probe plugged in that the profile
     * lacks): its readings are kept, marked {@code quality=unprofiled}; here how many, in which unit
     * the device said.
     */
    record Unprofiled(String point, String unit, long readings) {
    }

    /** Counters of every device that has sent anything since the gateway started. */
    List<Counts> all();

    /** Counters of one device (zeros if it has sent nothing). */
    Counts of(String deviceId);
}
