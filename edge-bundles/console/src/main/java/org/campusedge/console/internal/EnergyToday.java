package org.campusedge.console.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Families;

/**
 * Today's energy per building for the energy page: for each meter, the cumulative energy now minus
 * the first of today (in the school's time zone), and the power it draws now; summed by building.
 * Read from the store on request (a handful of short indexed queries per meter), kept for ten
 * seconds so that several screens do not multiply them.
 */
final class EnergyToday {

    /** A meter today: kWh since midnight and the latest kW (null when unknown). */
    record Meter(String id, String building, Double kwhToday, Double kwNow, Instant lastAt) {
    }

    private static final long CACHE_MS = 10_000;

    private final EventStore store;
    private final DeviceRegistry registry;
    private volatile List<Meter> cached = List.of();
    private volatile long cachedAt;

    EnergyToday(EventStore store, DeviceRegistry registry) {
        this.store = store;
        this.registry = registry;
    }

    List<Meter> meters() {
        long now = System.currentTimeMillis();
        if (now - cachedAt < CACHE_MS) {
            return cached;
        }
        ZoneId zone = registry.timezone();
        Instant midnight = LocalDate.now(zone).atStartOfDay(zone).toInstant();
        Instant later = Instant.now().plusSeconds(60);
        List<Meter> out = registry.devices().stream().filter(d -> d.family().equals(Families.ENERGY))
                .sorted((a, b) -> a.id().compareTo(b.id()))
                .map(d -> meter(d, midnight, later)).toList();
        cached = out;
        cachedAt = now;
        return out;
    }

    private Meter meter(Device d, Instant midnight, Instant later) {
        // a meter's points come as one event each, its energy less often than the others: paged on until found
        EventQuery today = new EventQuery(midnight, later, d.id(), Families.ENERGY_READING, EnergyHours.ROWS);
        Double first = EnergyHours.firstValue(store, today, "energy");
        List<CampusEvent> latest = store.query(today.latestFirst());
        Double last = EnergyHours.firstValue(store, today.latestFirst(), "energy");
        Double kw = EnergyHours.firstValue(store, today.latestFirst(), "power");
        Instant at = latest.isEmpty() ? null : latest.get(0).occurredAt();
        return new Meter(d.id(), d.location().building(), first == null || last == null ? null : Math.max(0, last - first), kw, at);
    }


    /** kWh today and kW now by building. */
    static Map<String, double[]> byBuilding(List<Meter> meters) {
        Map<String, double[]> out = new TreeMap<>();
        for (Meter m : meters) {
            double[] v = out.computeIfAbsent(m.building() == null ? "-" : m.building(), b -> new double[2]);
            v[0] += m.kwhToday() == null ? 0 : m.kwhToday();
            v[1] += m.kwNow() == null ? 0 : m.kwNow();
        }
        return out;
    }
}
