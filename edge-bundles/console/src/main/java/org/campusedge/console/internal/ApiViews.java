package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.campusedge.api.Alarm;
import org.campusedge.api.Alarms;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Families;

/** The JSON the console's pages read: alarms, the event timeline, device health, labs, recordings. */
final class ApiViews {

    /** What the timeline offers: every kind of happening, never the readings. */
    /** What the security timeline shows (never readings, nor lab recordings: those are the labs' teachers'). */
    static final java.util.Set<String> TIMELINE_KINDS = java.util.Set.of("camera.*", "alarm.*", "card.*", "device.*",
            "broadcast.*", Families.ENERGY_CONTROL);

    private ApiViews() {
    }

    /** Whether the signed-in user sees an alarm about a device, of a severity. */
    interface Visible {
        boolean sees(String deviceId, org.campusedge.api.Severity severity);
    }

    /** The active alarms the user sees (see {@link AlarmAudience}), each with its audience and place. */
    static void alarms(JsonGenerator g, Alarms alarms, DeviceRegistry registry, Visible visible) throws IOException {
        g.writeStartArray();
        for (Alarm a : alarms.active()) {
            AlarmAudience audience = AlarmAudience.of(a.deviceId(), registry);
            if (!visible.sees(a.deviceId(), a.severity())) {
                continue;
            }
            Device d = a.deviceId() == null ? null : registry.device(a.deviceId()).orElse(null);
            g.writeStartObject();
            g.writeStringField("audience", audience.name().toLowerCase(java.util.Locale.ROOT));
            g.writeStringField("room", d == null ? null : d.location().room());
            g.writeStringField("key", a.key());
            g.writeStringField("rule", a.ruleId());
            g.writeStringField("severity", a.severity().name());
            g.writeStringField("state", a.state().name());
            g.writeStringField("device", a.deviceId());
            g.writeStringField("building", d == null ? null : d.location().building());
            g.writeStringField("zone", d == null ? null : d.location().zone());
            g.writeStringField("message", a.message());
            g.writeStringField("raisedAt", a.raisedAt().toString());
            g.writeNumberField("count", a.count());
            g.writeStringField("acknowledgedBy", a.acknowledgedBy());
            g.writeBooleanField("escalated", a.escalated());
            g.writeStringField("drill", a.drillId());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * A page of the timeline: newest first, by kind pattern (never readings), building, device and
     * hours back, {@code limit} events (50 by default) before the cursor ({@code before}, {@code
     * beforeId}) when there is one; {@code next} is the cursor of the page after, null at the end. Alarm
     * events the role does not see (see {@link AlarmAudience}) are left out.
     */
    static void events(JsonGenerator g, Map<String, String> q, EventStore store, Visible visible) throws IOException {
        String kind = q.getOrDefault("kind", "camera.*");
        if (!TIMELINE_KINDS.contains(kind)) {
            kind = "camera.*"; // readings are the lab page's and the energy page's; the timeline is for what happens
        }
        int hours = parse(q.get("hours"), 24, 1, 24 * 31);
        int limit = parse(q.get("limit"), 50, 10, 500);
        Instant now = Instant.now();
        EventQuery query = new EventQuery(now.minusSeconds(hours * 3600L), now.plusSeconds(3600), blank(q.get("device")), kind,
                limit, blank(q.get("building")), true);
        Instant before = instant(q.get("before"));
        if (before != null && blank(q.get("beforeId")) != null) {
            query = query.before(before, q.get("beforeId"));
        }
        // alarm events the user does not see are skipped, and the cursor given back is the last event shown: the next page
        // does not begin at (and so tell the time of) a hidden one. Up to 20 pages are looked through for one to show.
        List<CampusEvent> shown = new ArrayList<>();
        CampusEvent lastScanned = null;
        boolean more = false;
        for (int scans = 0; scans < 20 && shown.size() < limit; scans++) {
            List<CampusEvent> page = store.query(query);
            for (CampusEvent e : page) {
                if (shown.size() < limit && (!e.kind().startsWith("alarm.") || visible.sees(e.deviceId(), severityOf(e)))) {
                    shown.add(e);
                }
            }
            more = page.size() == limit;
            if (!more) {
                break;
            }
            lastScanned = page.get(page.size() - 1);
            query = query.before(lastScanned.occurredAt(), lastScanned.id());
        }
        g.writeStartObject();
        g.writeArrayFieldStart("events");
        for (CampusEvent e : shown) {
            g.writeRawValue(LiveFeed.json(e));
        }
        g.writeEndArray();
        CampusEvent cursor = shown.size() == limit ? shown.get(shown.size() - 1) : more ? lastScanned : null;
        if (cursor != null) {
            g.writeObjectFieldStart("next");
            g.writeStringField("before", cursor.occurredAt().toString());
            g.writeStringField("beforeId", cursor.id());
            g.writeEndObject();
        } else {
            g.writeNullField("next");
        }
        g.writeEndObject();
    }

    private static Instant instant(String s) {
        try {
            return s == null || s.isBlank() ? null : Instant.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    static org.campusedge.api.Severity severityOf(CampusEvent alarmEvent) {
        try {
            return org.campusedge.api.Severity.valueOf(alarmEvent.attributes().getOrDefault("alarmSeverity", "INFO"));
        } catch (IllegalArgumentException bad) {
            return org.campusedge.api.Severity.INFO;
        }
    }

    static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static int parse(String s, int dflt, int min, int max) {
        try {
            return s == null ? dflt : Math.max(min, Math.min(max, Integer.parseInt(s)));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    static void devices(JsonGenerator g, DeviceHealth health, DeviceRegistry registry) throws IOException {
        g.writeStartArray();
        for (DeviceHealth.State st : health.devices()) {
            Device d = registry.device(st.deviceId()).orElse(null);
            g.writeStartObject();
            g.writeStringField("device", st.deviceId());
            g.writeStringField("family", st.family());
            g.writeStringField("presence", st.presence().name());
            g.writeStringField("since", st.since() == null ? null : st.since().toString());
            g.writeStringField("building", d == null ? null : d.location().building());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void recordings(JsonGenerator g, List<LabRecordings.Recording> list) throws IOException {
        g.writeStartArray();
        for (LabRecordings.Recording r : list) {
            g.writeStartObject();
            g.writeStringField("id", r.id());
            g.writeStringField("title", r.title());
            g.writeStringField("by", r.by());
            g.writeStringField("start", r.start().toString());
            g.writeStringField("stop", r.stop() == null ? null : r.stop().toString());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void energy(JsonGenerator g, List<EnergyToday.Meter> meters) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("buildings");
        for (var b : EnergyToday.byBuilding(meters).entrySet()) {
            g.writeObjectFieldStart(b.getKey());
            g.writeNumberField("kwhToday", Math.round(b.getValue()[0] * 10) / 10.0);
            g.writeNumberField("kwNow", Math.round(b.getValue()[1] * 10) / 10.0);
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeArrayFieldStart("meters");
        for (EnergyToday.Meter m : meters) {
            g.writeStartObject();
            g.writeStringField("meter", m.id());
            g.writeStringField("building", m.building());
            if (m.kwhToday() != null) {
                g.writeNumberField("kwhToday", Math.round(m.kwhToday() * 100) / 100.0);
            }
            if (m.kwNow() != null) {
                g.writeNumberField("kwNow", m.kwNow());
            }
            g.writeStringField("lastAt", m.lastAt() == null ? null : m.lastAt().toString());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}
