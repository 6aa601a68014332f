package org.campusedge.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceHealth.Presence;
import org.campusedge.api.Location;
import org.campusedge.api.Profile;
import org.campusedge.api.Severity;
import org.junit.jupiter.api.Test;

class PresenceTrackerTest {

    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");
    private static final Profile LAB = new Profile("lab-sensor-kit", "lab", "coap-senml", null, List.of(), List.of(),
            Duration.ofMinutes(2));
    private static final Function<String, Optional<Profile>> PROFILES = id -> Optional.of(LAB);
    private static final Device S1 = new Device("s1", "sch", "lab-sensor-kit", "lab", new Location("Sci", "2", "201", null), null, null);
    private static final Device S2 = new Device("s2", "sch", "lab-sensor-kit", "lab", Location.UNKNOWN, null, null);

    @Test
    void aDeviceIsOnlineFromItsFirstMessageAndOfflineOnceAfterItsSilence() {
        PresenceTracker t = new PresenceTracker(T0);
        CampusEvent online = t.seen(S1, T0.plusSeconds(10)).orElseThrow();
        assertEquals("device.online", online.kind());
        assertEquals("201", online.location().room());
        assertTrue(t.seen(S1, T0.plusSeconds(11)).isEmpty(), "already online");

        assertEquals(List.of(), t.check(T0.plusSeconds(11 + 120), List.of(S1), PROFILES), "exactly offlineAfter is not yet past it");
        List<CampusEvent> off = t.check(T0.plusSeconds(11 + 121), List.of(S1), PROFILES);
        assertEquals(1, off.size());
        assertEquals("device.offline", off.get(0).kind());
        assertEquals(Severity.WARNING, off.get(0).severity());
        assertEquals(Map.of("offlineAfter", "PT2M", "lastSeen", T0.plusSeconds(11).toString()), off.get(0).attributes());
        assertEquals(List.of(), t.check(T0.plusSeconds(500), List.of(S1), PROFILES), "offline is said once");

        CampusEvent back = t.seen(S1, T0.plusSeconds(600)).orElseThrow();
        assertEquals("device.online", back.kind());
        assertEquals(T0.plusSeconds(11).toString(), back.attributes().get("silentSince"));
    }

    @Test
    void aDeviceNeverHeardFromGoesOfflineAfterItsSilenceSinceTheGatewayStarted() {
        PresenceTracker t = new PresenceTracker(T0);
        assertEquals(List.of(), t.check(T0.plusSeconds(60), List.of(S1, S2), PROFILES));
        t.seen(S1, T0.plusSeconds(100));
        List<CampusEvent> off = t.check(T0.plusSeconds(121), List.of(S1, S2), PROFILES);
        assertEquals(List.of("s2"), off.stream().map(CampusEvent::deviceId).toList());
        assertEquals(Presence.OFFLINE, t.states(List.of(S2)).get(0).presence());
        assertEquals(Presence.ONLINE, t.states(List.of(S1)).get(0).presence());
    }

    @Test
    void anOfflineDeviceWithNothingNewStaysOffline() {
        PresenceTracker t = new PresenceTracker(T0);
        t.seen(S1, T0.plusSeconds(1));
        t.check(T0.plusSeconds(200), List.of(S1), PROFILES);
        assertTrue(t.seen(S1, T0.plusSeconds(1)).isEmpty(), "the same last message again is not news");
        assertEquals(Presence.OFFLINE, t.states(List.of(S1)).get(0).presence());
        assertEquals("device.online", t.seen(S1, T0.plusSeconds(201)).orElseThrow().kind());
    }

    @Test
    void aClockThatJumpsBackDoesNotMakeADeviceOffline() {
        PresenceTracker t = new PresenceTracker(T0);
        t.seen(S1, T0.plusSeconds(300));
        t.seen(S1, T0.plusSeconds(100)); // the clock went back 200 s
        assertEquals(List.of(), t.check(T0.plusSeconds(350), List.of(S1), PROFILES));
        assertEquals(T0.plusSeconds(300), t.states(List.of(S1)).get(0).lastSeen());
    }

    @Test
    void aDeviceRemovedFromTheInventoryIsForgotten() {
        PresenceTracker t = new PresenceTracker(T0);
        t.seen(S1, T0.plusSeconds(1));
        t.check(T0.plusSeconds(2), List.of(S2), PROFILES);
        // back in the inventory, it starts over as unknown rather than as the online it was
        assertEquals(Presence.UNKNOWN, t.states(List.of(S1)).get(0).presence());
        assertEquals("device.online", t.seen(S1, T0.plusSeconds(3)).orElseThrow().kind());
    }
}
