package org.campusedge.city;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Writes the rows a summary or alarm event contributes (energy, alarm_counts, health, attendance, lab, alarms,
 * and the school's name, district and enrolment), inside the caller's transaction. Data that do not fit the
 * type's schema in CLOUD-MESSAGES.md fail with a {@link BadMessageException}; unknown types add nothing.
 */
final class SummaryWriter {

    private final Handle c;
    private final CloudEvent e;
    private final JsonNode data;
    private final long receivedAtMs;

    SummaryWriter(Handle c, CloudEvent e, long receivedAtMs) {
        this.c = c;
        this.e = e;
        this.data = e.data();
        this.receivedAtMs = receivedAtMs;
    }

    void write() throws BadMessageException, SQLException {
        switch (e.type()) {
            case CloudEvent.ENERGY -> energy();
            case CloudEvent.ALARMS -> alarmCounts();
            case CloudEvent.HEALTH -> health();
            case CloudEvent.ATTENDANCE -> attendance();
            case CloudEvent.LAB -> lab();
            case CloudEvent.ALARM -> alarm();
            default -> {
                // a type this dashboard does not know: kept in messages only
            }
        }
    }

    private void energy() throws BadMessageException, SQLException {
        long start = periodStart();
        long end = periodEnd();
        school();
        for (JsonNode b : array(data, "buildings")) {
            String building = requiredText(b, "building");
            double kwh = requiredNumber(b, "kwh");
            JsonNode peak = b.get("peakKw");
            Double peakKw = peak != null && peak.isNumber() ? peak.asDouble() : null;
            c.execute("INSERT INTO energy (school, building, period_start, period_end, kwh, peak_kw)"
                            + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (school, building, period_start)"
                            + " DO UPDATE SET period_end = excluded.period_end, kwh = excluded.kwh, peak_kw = excluded.peak_kw",
                    e.school(), building, start, end, kwh, peakKw);
        }
    }

    private void alarmCounts() throws BadMessageException, SQLException {
        long start = periodStart();
        periodEnd();
        school();
        Map<String, int[]> counts = new LinkedHashMap<>();
        String[] lists = {"raised", "cleared", "open"};
        for (int i = 0; i < lists.length; i++) {
            for (JsonNode n : array(data, lists[i])) {
                String key = requiredText(n, "rule") + "\u0000" + requiredText(n, "severity");
                counts.computeIfAbsent(key, k -> new int[3])[i] += (int) requiredNumber(n, "count");
            }
        }
        for (Map.Entry<String, int[]> en : counts.entrySet()) {
            String[] ks = en.getKey().split("\u0000", 2);
            int[] v = en.getValue();
            c.execute("INSERT INTO alarm_counts (school, period_start, rule, severity, raised, cleared, open)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (school, period_start, rule, severity)"
                            + " DO UPDATE SET raised = excluded.raised, cleared = excluded.cleared, open = excluded.open",
                    e.school(), start, ks[0], ks[1], v[0], v[1], v[2]);
        }
    }

    private void health() throws BadMessageException, SQLException {
        periodStart();
        long at = periodEnd();
        school();
        for (JsonNode f : array(data, "families")) {
            c.execute("INSERT INTO health (school, family, online, offline, at) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT (school, family, at) DO UPDATE SET online = excluded.online, offline = excluded.offline",
                    e.school(), requiredText(f, "family"), (int) requiredNumber(f, "online"),
                    (int) requiredNumber(f, "offline"), at);
        }
    }

    private void attendance() throws BadMessageException, SQLException {
        long start = periodStart();
        periodEnd();
        school();
        for (JsonNode g : array(data, "gates")) {
            c.execute("INSERT INTO attendance (school, period_start, gate, in_count, out_count) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT (school, period_start, gate) DO UPDATE SET in_count = excluded.in_count,"
                            + " out_count = excluded.out_count",
                    e.school(), start, requiredText(g, "gate"), (int) requiredNumber(g, "in"), (int) requiredNumber(g, "out"));
        }
    }

    private void lab() throws BadMessageException, SQLException {
        long start = periodStart();
        periodEnd();
        school();
        c.execute("INSERT INTO lab (school, period_start, readings, active_kits, recordings) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (school, period_start) DO UPDATE SET readings = excluded.readings,"
                        + " active_kits = excluded.active_kits, recordings = excluded.recordings",
                e.school(), start, (long) requiredNumber(data, "readings"), (int) requiredNumber(data, "activeKits"),
                (int) requiredNumber(data, "recordings"));
    }

    private void alarm() throws BadMessageException, SQLException {
        String alarmId = requiredText(data, "alarmId");
        String state = requiredText(data, "state");
        String raisedAt = optionalText(data, "raisedAt");
        Long raised = raisedAt == null ? null : CloudEventParser.instant(raisedAt, "raisedAt");
        long updated = e.timeMs() != null ? e.timeMs() : receivedAtMs;
        String device = optionalText(data, "deviceId");
        // a drill's alarm (drill: the drill's id) is shown as a drill and kept out of every alarm figure
        c.execute("INSERT INTO alarms (school, alarm_id, rule, severity, kind, device, building, state, message,"
                        + " raised_at, updated_at, by_role, drill, during_drill, trigger_id, ledger)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (school, alarm_id) DO UPDATE SET state = excluded.state,"
                        + " rule = COALESCE(excluded.rule, alarms.rule), severity = COALESCE(excluded.severity, alarms.severity),"
                        + " kind = COALESCE(excluded.kind, alarms.kind), device = COALESCE(excluded.device, alarms.device),"
                        + " building = COALESCE(excluded.building, alarms.building),"
                        + " message = COALESCE(excluded.message, alarms.message),"
                        + " raised_at = COALESCE(alarms.raised_at, excluded.raised_at), updated_at = excluded.updated_at,"
                        + " by_role = COALESCE(excluded.by_role, alarms.by_role),"
                        // a key raised again is a new alarm: what the earlier one was (during a drill) does not carry over
                        + " drill = excluded.drill, during_drill = CASE WHEN excluded.state = 'raised' THEN excluded.during_drill"
                        + " ELSE COALESCE(excluded.during_drill, alarms.during_drill) END,"
                        + " trigger_id = COALESCE(excluded.trigger_id, alarms.trigger_id), ledger = COALESCE(excluded.ledger, alarms.ledger)"
                        + " WHERE alarms.updated_at <= excluded.updated_at",
                e.school(), alarmId, optionalText(data, "rule"), optionalText(data, "severity"), optionalText(data, "kind"),
                device != null ? device : e.subject(), optionalText(data, "building"), state, optionalText(data, "message"),
                raised, updated, optionalText(data, "byRole"), optionalText(data, "drill"),
                optionalText(data, "duringDrill"), optionalText(data, "trigger"), ledger());
    }

    /**
     * The raise's ledger: the hops the school sent (occurred, received, stored, raised, queued), each
     * checked to be a time (one that is not is left out), and when the city stored it. Null for the
     * other transitions.
     */
    private String ledger() {
        JsonNode hops = data.get("hops");
        if (hops == null || !hops.isObject()) {
            return null;
        }
        com.fasterxml.jackson.databind.node.ObjectNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (String hop : java.util.List.of("occurred", "received", "stored", "raised", "queued")) {
            String t = optionalText(hops, hop);
            try {
                if (t != null) {
                    out.put(hop, java.time.Instant.ofEpochMilli(CloudEventParser.instant(t, "hops." + hop)).toString());
                }
            } catch (BadMessageException e) {
                // a hop that is not a time is left out: the alarm itself is never refused for its ledger
            }
        }
        out.put("city", java.time.Instant.ofEpochMilli(receivedAtMs).toString());
        return out.toString();
    }

    /** The school's name, district and enrolment, as every summary carries them. */
    private void school() throws SQLException {
        JsonNode s = data.get("school");
        if (s == null || !s.isObject()) {
            return;
        }
        JsonNode enrolment = s.get("enrolment");
        c.execute("UPDATE schools SET name = COALESCE(?, name), district = COALESCE(?, district),"
                        + " enrolment = ? WHERE id = ?",
                optionalText(s, "name"), optionalText(s, "district"),
                enrolment != null && enrolment.isNumber() ? enrolment.asInt() : null, e.school());
    }

    private long periodStart() throws BadMessageException {
        return CloudEventParser.instant(requiredText(data, "periodStart"), "periodStart");
    }

    private long periodEnd() throws BadMessageException {
        return CloudEventParser.instant(requiredText(data, "periodEnd"), "periodEnd");
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) throws BadMessageException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return java.util.List.of();
        }
        if (!v.isArray()) {
            throw new BadMessageException(field + " is not an array");
        }
        for (JsonNode item : v) {
            if (!item.isObject()) {
                throw new BadMessageException(field + " holds a non-object");
            }
        }
        return v;
    }

    private static String requiredText(JsonNode node, String field) throws BadMessageException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new BadMessageException("no " + field);
        }
        return v.asText();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }

    private static double requiredNumber(JsonNode node, String field) throws BadMessageException {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) {
            throw new BadMessageException(field + " is not a number");
        }
        return v.asDouble();
    }
}
