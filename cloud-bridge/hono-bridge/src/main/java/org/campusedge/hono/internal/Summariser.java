package org.campusedge.hono.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.campusedge.api.Alarm;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Families;
import org.campusedge.api.Measurement;
import org.campusedge.api.SchoolInfo;

/**
 * The school's summaries for one period, read from the event store: energy per building, alarms,
 * device health, attendance at the gates (counts only) and lab activity — the data objects of
 * cloud-bridge/CLOUD-MESSAGES.md. Nothing in them names a student.
 */
final class Summariser {

    /** One summary: its type suffix ({@code energy.v1}, ...) and its data object. */
    record Summary(String type, Map<String, Object> data) {
    }

    /** Upper bound of events read for one count or one meter in one period. */
    private static final int MAX_READ = 200_000;
    private static final int MAX_OFFLINE_LISTED = 50;

    private final EventStore store;
    private final DeviceRegistry registry;
    private final Supplier<DeviceHealth> health;
    private final Supplier<List<Alarm>> activeAlarms;

    Summariser(EventStore store, DeviceRegistry registry, Supplier<DeviceHealth> health, Supplier<List<Alarm>> activeAlarms) {
        this.store = store;
        this.registry = registry;
        this.health = health;
        this.activeAlarms = activeAlarms;
    }

    /** The five summaries of [from, to). */
    List<Summary> summarise(Instant from, Instant to) {
        List<Summary> out = new ArrayList<>();
        out.add(new Summary("energy.v1", withPeriod(from, to, energy(from, to))));
        out.add(new Summary("alarms.v1", withPeriod(from, to, alarms(from, to))));
        out.add(new Summary("health.v1", withPeriod(from, to, health())));
        out.add(new Summary("attendance.v1", withPeriod(from, to, attendance(from, to))));
        out.add(new Summary("lab.v1", withPeriod(from, to, lab(from, to))));
        return out;
    }

    private Map<String, Object> withPeriod(Instant from, Instant to, Map<String, Object> body) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("periodStart", Json.time(from));
        d.put("periodEnd", Json.time(to));
        SchoolInfo s = registry.school();
        Map<String, Object> school = new LinkedHashMap<>();
        school.put("id", s.id());
        school.put("name", s.name());
        school.put("nameEn", s.nameEn());
        school.put("district", s.district());
        school.put("enrolment", s.enrolment() > 0 ? s.enrolment() : null);
        d.put("school", school);
        d.putAll(body);
        return d;
    }

    /**
     * kWh per building: each meter's cumulative counter at the end of the period minus its last value
     * before the period (or its first in the period); peak kW: the highest sum of the meters' latest
     * power readings as they came in.
     */
    Map<String, Object> energy(Instant from, Instant to) {
        Map<String, double[]> byBuilding = new TreeMap<>(); // kWh, peak kW, meters
        record Sample(Instant at, String meter, String building, double kw) {
        }
        List<Sample> power = new ArrayList<>();
        for (Device d : registry.devices()) {
            if (!d.family().equals(Families.ENERGY)) {
                continue;
            }
            String building = d.location().building() == null ? "-" : d.location().building();
            double[] b = byBuilding.computeIfAbsent(building, k -> new double[3]);
            b[2]++;
            List<CampusEvent> readings = store.query(new EventQuery(from, to, d.id(), Families.ENERGY_READING, MAX_READ));
            Double before = Measurement.firstValue(store.query(new EventQuery(null, from, d.id(), Families.ENERGY_READING, 5).latestFirst()), "energy");
            Double first = null;
            Double last = null;
            for (CampusEvent e : readings) {
                for (Measurement m : e.measurements()) {
                    if (m.value() == null) {
                        continue;
                    }
                    if ("energy".equals(m.name())) {
                        first = first == null ? m.value() : first;
                        last = m.value();
                    } else if ("power".equals(m.name())) {
                        power.add(new Sample(e.occurredAt(), d.id(), building, m.value()));
                    }
                }
            }
            Double start = before != null ? before : first;
            if (start != null && last != null && last >= start) {
                b[0] += last - start; // a counter that went back (meter replaced) adds nothing
            }
        }
        power.sort(Comparator.comparing(Sample::at));
        Map<String, Map<String, Double>> current = new HashMap<>();
        Map<String, Double> peak = new HashMap<>();
        for (Sample s : power) {
            Map<String, Double> meters = current.computeIfAbsent(s.building(), k -> new HashMap<>());
            meters.put(s.meter(), s.kw());
            double sum = meters.values().stream().mapToDouble(Double::doubleValue).sum();
            peak.merge(s.building(), sum, Math::max);
        }
        List<Object> buildings = new ArrayList<>();
        double total = 0;
        for (Map.Entry<String, double[]> e : byBuilding.entrySet()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("building", e.getKey());
            b.put("kwh", e.getValue()[0]);
            b.put("peakKw", peak.get(e.getKey()));
            b.put("meters", (long) e.getValue()[2]);
            buildings.add(b);
            total += e.getValue()[0];
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("buildings", buildings);
        out.put("totalKwh", total);
        return out;
    }

    Map<String, Object> alarms(Instant from, Instant to) {
        Map<String, long[]> raised = new TreeMap<>();
        Map<String, long[]> cleared = new TreeMap<>();
        long drillAlarms = 0;
        for (CampusEvent e : store.query(new EventQuery(from, to, null, "alarm.*", MAX_READ))) {
            if (org.campusedge.api.Drill.of(e) != null) {
                // a drill's alarms are not the school's alarms: counted apart, so no statistic mistakes them for real
                drillAlarms += e.kind().equals("alarm.raised") ? 1 : 0;
                continue;
            }
            String key = e.attributes().getOrDefault("rule", "-") + "\u0000"
                    + e.attributes().getOrDefault("alarmSeverity", e.severity().name());
            if (e.kind().equals("alarm.raised")) {
                raised.computeIfAbsent(key, k -> new long[1])[0]++;
            } else if (e.kind().equals("alarm.cleared")) {
                cleared.computeIfAbsent(key, k -> new long[1])[0]++;
            }
        }
        Map<String, Object[]> open = new TreeMap<>(); // count, oldest
        for (Alarm a : activeAlarms.get()) {
            if (a.drill()) {
                continue;
            }
            Object[] o = open.computeIfAbsent(a.ruleId() + "\u0000" + a.severity().name(), k -> new Object[] {0L, a.raisedAt()});
            o[0] = (Long) o[0] + 1;
            if (a.raisedAt().isBefore((Instant) o[1])) {
                o[1] = a.raisedAt();
            }
        }
        List<Object> openList = new ArrayList<>();
        for (Map.Entry<String, Object[]> e : open.entrySet()) {
            Map<String, Object> m = ruleSeverity(e.getKey());
            m.put("count", e.getValue()[0]);
            m.put("oldestSince", Json.time((Instant) e.getValue()[1]));
            openList.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("raised", counts(raised));
        out.put("cleared", counts(cleared));
        out.put("open", openList);
        out.put("drillAlarmsRaised", drillAlarms);
        // the tamper-evident trail's head: the city keeps it as a witness the school cannot rewrite afterwards
        store.trailHead().ifPresent(h -> {
            Map<String, Object> trail = new LinkedHashMap<>();
            trail.put("seq", h.headSeq());
            trail.put("hash", h.headHash());
            out.put("trail", trail);
        });
        return out;
    }

    private static List<Object> counts(Map<String, long[]> byKey) {
        List<Object> l = new ArrayList<>();
        for (Map.Entry<String, long[]> e : byKey.entrySet()) {
            Map<String, Object> m = ruleSeverity(e.getKey());
            m.put("count", e.getValue()[0]);
            l.add(m);
        }
        return l;
    }

    private static Map<String, Object> ruleSeverity(String key) {
        int sep = key.indexOf('\u0000');
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", key.substring(0, sep));
        m.put("severity", key.substring(sep + 1));
        return m;
    }

    /** Online/offline per family as the gateway sees it now (unknown devices count as offline). */
    Map<String, Object> health() {
        Map<String, long[]> byFamily = new TreeMap<>();
        List<Object> offline = new ArrayList<>();
        DeviceHealth h = health.get();
        if (h != null) {
            List<DeviceHealth.State> states = new ArrayList<>(h.devices());
            states.sort(Comparator.comparing(DeviceHealth.State::deviceId));
            for (DeviceHealth.State s : states) {
                long[] c = byFamily.computeIfAbsent(s.family(), k -> new long[2]);
                if (s.presence() == DeviceHealth.Presence.ONLINE) {
                    c[0]++;
                } else {
                    c[1]++;
                    if (offline.size() < MAX_OFFLINE_LISTED) {
                        offline.add(s.deviceId());
                    }
                }
            }
        }
        List<Object> families = new ArrayList<>();
        for (Map.Entry<String, long[]> e : byFamily.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("family", e.getKey());
            m.put("online", e.getValue()[0]);
            m.put("offline", e.getValue()[1]);
            families.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("families", families);
        out.put("offline", offline);
        return out;
    }

    /** Swipes per reader, in and out; denied swipes counted. Never a card. */
    Map<String, Object> attendance(Instant from, Instant to) {
        Map<String, long[]> byGate = new TreeMap<>();
        long in = 0;
        long out = 0;
        for (Device d : registry.devices()) {
            if (!d.family().equals(Families.CARD)) {
                continue;
            }
            long[] c = byGate.computeIfAbsent(d.id(), k -> new long[2]);
            for (CampusEvent e : store.query(new EventQuery(from, to, d.id(), Families.CARD_SWIPE, MAX_READ))) {
                String dir = e.attributes().getOrDefault("direction", "");
                if (dir.equals("in")) {
                    c[0]++;
                } else if (dir.equals("out")) {
                    c[1]++;
                }
            }
            in += c[0];
            out += c[1];
        }
        List<Object> gates = new ArrayList<>();
        for (Map.Entry<String, long[]> e : byGate.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gate", e.getKey());
            m.put("in", e.getValue()[0]);
            m.put("out", e.getValue()[1]);
            gates.add(m);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("gates", gates);
        o.put("in", in);
        o.put("out", out);
        o.put("denied", store.count(new EventQuery(from, to, null, Families.CARD_DENIED, Integer.MAX_VALUE)));
        return o;
    }

    Map<String, Object> lab(Instant from, Instant to) {
        long readings = 0;
        long active = 0;
        for (Device d : registry.devices()) {
            if (!d.family().equals(Families.LAB)) {
                continue;
            }
            long n = store.count(new EventQuery(from, to, d.id(), Families.LAB_READING, Integer.MAX_VALUE));
            readings += n;
            active += n > 0 ? 1 : 0;
        }
        long recordings = store.query(new EventQuery(from, to, null, Families.LAB_RECORDING, MAX_READ)).stream()
                .filter(e -> "start".equals(e.attributes().get("action"))).count();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("readings", readings);
        o.put("activeKits", active);
        o.put("recordings", recordings);
        return o;
    }

}
