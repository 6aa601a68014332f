package org.campusedge.health.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceHealth.Presence;
import org.campusedge.api.DeviceHealth.State;
import org.campusedge.api.Profile;
import org.campusedge.api.Severity;

/**
 * The presence state machine, without threads or clocks of its own: {@link #seen} with when a
 * device was last heard from, {@link #check} now and then. A device is ONLINE from its first message, OFFLINE
 * once it has been silent for its profile's {@code offlineAfter} (counted from the gateway's start
 * for a device never heard from), and each change of state is one event. Times come from the
 * gateway clock; a clock that jumps back only makes a silence look shorter.
 */
final class PresenceTracker {

    private static final class Entry {
        volatile Presence presence = Presence.UNKNOWN;
        volatile Instant lastSeen;
        volatile Instant since;
    }

    private final Instant startedAt;
    private final Map<String, Entry> entries = new java.util.concurrent.ConcurrentHashMap<>();

    PresenceTracker(Instant startedAt) {
        this.startedAt = startedAt;
    }

    /**
     * Notes that {@code device} was last heard from at {@code lastSeen}; returns a
     * {@code device.online} event if it was not online and this is news (later than what was known).
     */
    Optional<CampusEvent> seen(Device device, Instant lastSeen) {
        Entry e = entries.get(device.id());
        if (e != null && e.presence == Presence.ONLINE) {
            Instant last = e.lastSeen;
            if (last == null || lastSeen.isAfter(last)) {
                e.lastSeen = lastSeen;
            }
            return Optional.empty();
        }
        if (e != null && e.lastSeen != null && !lastSeen.isAfter(e.lastSeen)) {
            return Optional.empty(); // nothing new from an offline device
        }
        return becameOnline(device, lastSeen);
    }

    private synchronized Optional<CampusEvent> becameOnline(Device device, Instant now) {
        // "now" is the device's last message: the event says when it came back
        Entry e = entries.computeIfAbsent(device.id(), id -> new Entry());
        Instant before = e.lastSeen;
        e.lastSeen = e.lastSeen == null || now.isAfter(e.lastSeen) ? now : e.lastSeen;
        if (e.presence == Presence.ONLINE) {
            return Optional.empty();
        }
        e.presence = Presence.ONLINE;
        e.since = now;
        return Optional.of(CampusEvent.builder().device(device).kind("device.online").severity(Severity.INFO)
                .occurredAt(now).receivedAt(now)
                .attributes(before == null ? Map.of() : Map.of("silentSince", before.toString()))
                .build());
    }

    /**
     * Marks devices silent past their profile's {@code offlineAfter} as offline and returns one
     * {@code device.offline} event for each; forgets devices no longer in the inventory.
     */
    synchronized List<CampusEvent> check(Instant now, Iterable<Device> devices, java.util.function.Function<String, Optional<Profile>> profiles) {
        List<CampusEvent> out = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (Device d : devices) {
            present.add(d.id());
            Duration limit = profiles.apply(d.profileId()).map(Profile::offlineAfter).orElse(null);
            if (limit == null) {
                continue;
            }
            Entry e = entries.computeIfAbsent(d.id(), id -> new Entry());
            Instant heard = e.lastSeen != null ? e.lastSeen : startedAt;
            if (e.presence != Presence.OFFLINE && Duration.between(heard, now).compareTo(limit) > 0) {
                e.presence = Presence.OFFLINE;
                e.since = now;
                Map<String, String> attrs = new HashMap<>();
                attrs.put("offlineAfter", limit.toString());
                if (e.lastSeen != null) {
                    attrs.put("lastSeen", e.lastSeen.toString());
                }
                out.add(CampusEvent.builder().device(d).kind("device.offline").severity(Severity.WARNING)
                        .occurredAt(now).receivedAt(now).attributes(attrs).build());
            }
        }
        entries.keySet().retainAll(present);
        return out;
    }

    /** The state of every device the tracker knows. */
    synchronized List<State> states(Iterable<Device> devices) {
        List<State> out = new ArrayList<>();
        for (Device d : devices) {
            Entry e = entries.get(d.id());
            out.add(e == null ? new State(d.id(), d.family(), Presence.UNKNOWN, null, null)
                    : new State(d.id(), d.family(), e.presence, e.lastSeen, e.since));
        }
        return out;
    }
}
