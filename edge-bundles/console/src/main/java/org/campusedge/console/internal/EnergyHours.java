package org.campusedge.console.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Families;
import org.campusedge.api.Measurement;

/**
 * A day's consumption by hour per building, from the meters' cumulative energy: for each meter and
 * hour, its first energy reading in the hour and the first of the next (the last of the hour for the
 * hour under way): short indexed queries, paged on until the energy reading is found (a meter's points
 * come as one event each, its energy less often than the others). A day before today is kept for ten minutes,
 * today for ten seconds, so that screens refreshing it do not multiply the queries.
 */
final class EnergyHours {

    /** Rows read at a time to find a meter's energy reading among its other points' (power, voltage, current, breaker). */
    static final int ROWS = 50;
    /** The most rows read for one hour's end: an hour of a meter reporting its other points every half second. */
    private static final int MAX_ROWS = 20_000;

    private record Cached(Map<String, double[]> byBuilding, long at) {
    }

    private final EventStore store;
    private final DeviceRegistry registry;
    private final Clock clock;
    private final Map<LocalDate, Cached> cache = new ConcurrentHashMap<>();

    EnergyHours(EventStore store, DeviceRegistry registry, Clock clock) {
        this.store = store;
        this.registry = registry;
        this.clock = clock;
    }

    /** kWh per hour (24 values, NaN where nothing is known yet) per building, for a day in the school's time zone. */
    Map<String, double[]> day(LocalDate date) {
        ZoneId zone = registry.timezone();
        boolean today = date.equals(LocalDate.now(clock.withZone(zone)));
        long now = clock.millis();
        Cached c = cache.get(date);
        if (c != null && now - c.at() < (today ? 10_000 : 600_000)) {
            return c.byBuilding();
        }
        Map<String, double[]> out = new TreeMap<>();
        for (Device meter : registry.devices()) {
            if (!meter.family().equals(Families.ENERGY)) {
                continue;
            }
            double[] hours = meterHours(meter.id(), date, zone);
            double[] sum = out.computeIfAbsent(meter.location().building() == null ? "-" : meter.location().building(), b -> nan());
            for (int h = 0; h < 24; h++) {
                if (!Double.isNaN(hours[h])) {
                    sum[h] = (Double.isNaN(sum[h]) ? 0 : sum[h]) + hours[h];
                }
            }
        }
        cache.keySet().removeIf(d -> d.isBefore(date.minusDays(8)) || d.isAfter(date.plusDays(8)));
        cache.put(date, new Cached(out, now));
        return out;
    }

    private double[] meterHours(String meter, LocalDate date, ZoneId zone) {
        double[] out = nan();
        Instant midnight = date.atStartOfDay(zone).toInstant();
        Double[] first = new Double[25];
        for (int h = 0; h <= 24; h++) {
            Instant from = midnight.plus(Duration.ofHours(h));
            if (from.isAfter(clock.instant())) {
                break;
            }
            first[h] = energy(new EventQuery(from, from.plus(Duration.ofHours(1)), meter, Families.ENERGY_READING, ROWS));
        }
        for (int h = 0; h < 24; h++) {
            if (first[h] == null) {
                continue;
            }
            Double end = first[h + 1];
            if (end == null) { // the hour under way, or a meter that went quiet: up to its last reading in the hour
                Instant from = midnight.plus(Duration.ofHours(h));
                end = energy(new EventQuery(from, from.plus(Duration.ofHours(1)), meter, Families.ENERGY_READING, ROWS).latestFirst());
            }
            if (end != null) {
                out[h] = Math.max(0, end - first[h]); // a meter replaced mid-day starts again from zero: not negative use
            }
        }
        return out;
    }

    /**
     * The first energy value the query finds, paging on with the store's cursor: a meter reports its
     * other points (power, voltage, current) on every change and its energy far less often, so the
     * energy reading may be many rows in. Up to {@link #MAX_ROWS} rows are read.
     */
    private Double energy(EventQuery q) {
        return firstValue(store, q, "energy");
    }

    /** The first value of a point the query finds, paging on (see {@link #energy}); null when none in {@link #MAX_ROWS} rows. */
    static Double firstValue(EventStore store, EventQuery q, String point) {
        for (int read = 0; read < MAX_ROWS; read += ROWS) {
            List<org.campusedge.api.CampusEvent> page = store.query(q);
            Double v = Measurement.firstValue(page, point);
            if (v != null || page.size() < ROWS) {
                return v;
            }
            org.campusedge.api.CampusEvent last = page.get(page.size() - 1);
            q = q.newestFirst() ? q.before(last.occurredAt(), last.id()) : q.after(last.occurredAt(), last.id());
        }
        return null;
    }

    private static double[] nan() {
        double[] a = new double[24];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    /**
     * Today, yesterday and the same weekday last week, by hour per building, and the power limits of the
     * threshold rules on the meters: {@code {dates: {today, yesterday, lastWeek}, today: {building: [24
     * kWh or null]}, yesterday: ..., lastWeek: ..., limits: [{rule, above, when}]}}.
     */
    void write(com.fasterxml.jackson.core.JsonGenerator g, List<org.campusedge.api.RuleStatus.Threshold> thresholds) throws java.io.IOException {
        LocalDate today = LocalDate.now(clock.withZone(registry.timezone()));
        Map<String, LocalDate> days = new java.util.LinkedHashMap<>();
        days.put("today", today);
        days.put("yesterday", today.minusDays(1));
        days.put("lastWeek", today.minusWeeks(1));
        g.writeStartObject();
        g.writeObjectFieldStart("dates");
        for (var d : days.entrySet()) {
            g.writeStringField(d.getKey(), d.getValue().toString());
        }
        g.writeEndObject();
        for (var d : days.entrySet()) {
            g.writeObjectFieldStart(d.getKey());
            for (var b : day(d.getValue()).entrySet()) {
                g.writeArrayFieldStart(b.getKey());
                for (double v : b.getValue()) {
                    if (Double.isNaN(v)) {
                        g.writeNull();
                    } else {
                        g.writeNumber(Math.round(v * 10) / 10.0);
                    }
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        g.writeArrayFieldStart("limits");
        for (var t : thresholds) {
            if ("power".equals(t.point()) && t.above() != null && (t.kinds().isEmpty() || t.kinds().contains(Families.ENERGY_READING))) {
                g.writeStartObject();
                g.writeStringField("rule", t.ruleId());
                g.writeNumberField("above", t.above());
                g.writeStringField("when", t.when());
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}
