package org.campusedge.city;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the dashboard's views show, read from the database as JSON: energy per school and district, safety,
 * device health, quiet schools, the school list. Days are local days of {@code zone}.
 */
final class DashboardViews {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    private final CityDatabase db;
    private final ZoneId zone;

    DashboardViews(CityDatabase db, ZoneId zone) {
        this.db = db;
        this.zone = zone;
    }

    /** Today's kWh per school and district, kWh per student, and a trend over the last 24 h ("24h") or 7 days ("7d"). */
    ObjectNode energy(String range, long now) throws SQLException {
        long today = LocalDate.ofInstant(Instant.ofEpochMilli(now), zone).atStartOfDay(zone).toInstant().toEpochMilli();
        ObjectNode out = JSON.objectNode();
        out.put("todayStartMs", today);
        ArrayNode schools = out.putArray("schools");
        Map<String, double[]> districts = new TreeMap<>();
        double[] total = new double[1];
        db.query("SELECT s.id, s.name, s.district, s.enrolment, COALESCE(SUM(e.kwh), 0), MAX(e.peak_kw) FROM schools s"
                        + " LEFT JOIN energy e ON e.school = s.id AND e.period_start >= ?"
                        + " GROUP BY s.id, s.name, s.district, s.enrolment ORDER BY COALESCE(SUM(e.kwh), 0) DESC, s.id",
                rs -> {
                    ObjectNode s = schools.addObject();
                    s.put("school", rs.getString(1));
                    s.put("name", rs.getString(2));
                    String district = rs.getString(3);
                    s.put("district", district);
                    Integer enrolment = Columns.nullableInt(rs, 4);
                    s.put("enrolment", enrolment);
                    double kwh = rs.getDouble(5);
                    s.put("todayKwh", round(kwh));
                    s.put("peakKw", Columns.nullableDouble(rs, 6));
                    if (enrolment != null && enrolment > 0) {
                        s.put("kwhPerStudent", round(kwh / enrolment));
                    } else {
                        s.putNull("kwhPerStudent");
                    }
                    double[] d = districts.computeIfAbsent(district == null ? "" : district, k -> new double[2]);
                    d[0] += kwh;
                    d[1]++;
                    total[0] += kwh;
                    return s;
                }, today);
        out.put("todayKwh", round(total[0]));
        ArrayNode ds = out.putArray("districts");
        districts.forEach((name, d) -> ds.addObject().put("district", name).put("todayKwh", round(d[0])).put("schools", (int) d[1]));
        boolean week = "7d".equals(range);
        out.put("range", week ? "7d" : "24h");
        out.set("trend", week ? dailyTrend(now) : hourlyTrend(now));
        out.set("districtTrend", districtTrend(week, now));
        return out;
    }

    /** The same trend per district: {district: [{t, kwh}]} over the same hours (24 h) or days (7 d). */
    private ObjectNode districtTrend(boolean week, long now) throws SQLException {
        long offset = week ? zone.getRules().getOffset(Instant.ofEpochMilli(now)).getTotalSeconds() * 1000L : 0;
        long step = week ? DAY : HOUR;
        long from = week ? LocalDate.ofInstant(Instant.ofEpochMilli(now), zone).minusDays(6).atStartOfDay(zone).toInstant().toEpochMilli()
                : (now / HOUR) * HOUR - 23 * HOUR;
        Map<String, Map<Long, Double>> byDistrict = new TreeMap<>();
        // every district with a school has its line, at zero where its schools sent no energy
        db.query("SELECT DISTINCT COALESCE(district, '') FROM schools",
                rs -> byDistrict.computeIfAbsent(rs.getString(1), d -> buckets(from, step, week ? 7 : 24)));
        db.query("SELECT COALESCE(s.district, ''), ((e.period_start + " + offset + ") / " + step + ") * " + step + " - " + offset
                        + ", SUM(e.kwh) FROM energy e JOIN schools s ON s.id = e.school WHERE e.period_start >= ? GROUP BY 1, 2 ORDER BY 1, 2",
                rs -> add(byDistrict.computeIfAbsent(rs.getString(1), d -> buckets(from, step, week ? 7 : 24)), rs.getLong(2), rs.getDouble(3)),
                from);
        ObjectNode out = JSON.objectNode();
        byDistrict.forEach((d, b) -> out.set(d, series(b)));
        return out;
    }

    private ArrayNode hourlyTrend(long now) throws SQLException {
        long from = (now / HOUR) * HOUR - 23 * HOUR;
        Map<Long, Double> buckets = buckets(from, HOUR, 24);
        db.query("SELECT (period_start / " + HOUR + ") * " + HOUR + ", SUM(kwh) FROM energy WHERE period_start >= ?"
                + " GROUP BY 1 ORDER BY 1", rs -> add(buckets, rs.getLong(1), rs.getDouble(2)), from);
        return series(buckets);
    }

    private ArrayNode dailyTrend(long now) throws SQLException {
        LocalDate today = LocalDate.ofInstant(Instant.ofEpochMilli(now), zone);
        long from = today.minusDays(6).atStartOfDay(zone).toInstant().toEpochMilli();
        long offset = zone.getRules().getOffset(Instant.ofEpochMilli(now)).getTotalSeconds() * 1000L;
        Map<Long, Double> buckets = buckets(from, DAY, 7);
        db.query("SELECT ((period_start + " + offset + ") / " + DAY + ") * " + DAY + " - " + offset + ", SUM(kwh)"
                        + " FROM energy WHERE period_start >= ? GROUP BY 1 ORDER BY 1",
                rs -> add(buckets, rs.getLong(1), rs.getDouble(2)), from);
        return series(buckets);
    }

    /**
     * Open critical alarms with their age, open alarms per school, and alarms raised per hour over 24 h;
     * drills apart: a drill's open alarms are listed as {@code drills} and counted nowhere else.
     */
    ObjectNode safety(long now) throws SQLException {
        ObjectNode out = JSON.objectNode();
        ArrayNode open = out.putArray("open");
        ArrayNode drills = out.putArray("drills");
        Map<String, Integer> bySchool = new TreeMap<>();
        db.query("SELECT a.school, s.name, a.alarm_id, a.rule, a.kind, a.device, a.building, a.state, a.raised_at,"
                        + " a.updated_at, a.by_role, a.message, a.drill, a.during_drill, a.trigger_id, a.ledger"
                        + " FROM alarms a LEFT JOIN schools s ON s.id = a.school"
                        + " WHERE a.state <> 'cleared' AND a.severity = 'CRITICAL' ORDER BY a.raised_at, a.school, a.alarm_id",
                rs -> {
                    boolean drill = rs.getString(13) != null;
                    ObjectNode a = (drill ? drills : open).addObject();
                    a.put("school", rs.getString(1));
                    a.put("name", rs.getString(2));
                    a.put("alarmId", rs.getString(3));
                    a.put("rule", rs.getString(4));
                    a.put("kind", rs.getString(5));
                    a.put("device", rs.getString(6));
                    a.put("building", rs.getString(7));
                    a.put("state", rs.getString(8));
                    Long raised = Columns.nullableLong(rs, 9);
                    a.put("raisedAtMs", raised);
                    a.put("updatedAtMs", rs.getLong(10));
                    a.put("ageMs", raised == null ? null : Math.max(0, now - raised));
                    a.put("byRole", rs.getString(11));
                    a.put("message", rs.getString(12));
                    a.put("drill", rs.getString(13));
                    a.put("duringDrill", rs.getString(14));
                    a.put("trigger", rs.getString(15));
                    a.set("ledger", ledger(rs.getString(16)));
                    if (!drill) {
                        bySchool.merge(rs.getString(1), 1, Integer::sum);
                    }
                    return a;
                });
        ObjectNode counts = out.putObject("openBySchool");
        bySchool.forEach(counts::put);
        long from = (now / HOUR) * HOUR - 23 * HOUR;
        Map<Long, double[]> hours = new LinkedHashMap<>();
        for (int i = 0; i < 24; i++) {
            hours.put(from + i * HOUR, new double[2]);
        }
        db.query("SELECT (period_start / " + HOUR + ") * " + HOUR + ", SUM(raised),"
                        + " SUM(CASE WHEN severity = 'CRITICAL' THEN raised ELSE 0 END)"
                        + " FROM alarm_counts WHERE period_start >= ? GROUP BY 1 ORDER BY 1",
                rs -> {
                    long t = rs.getLong(1);
                    double[] v = {rs.getLong(2), rs.getLong(3)};
                    return hours.computeIfPresent(t, (k, old) -> v);
                }, from);
        // alarms raised per school and hour (not drills: their counts are kept apart), for the heatmap
        ArrayNode cells = out.putArray("raisedBySchoolHour");
        db.query("SELECT school, (period_start / " + HOUR + ") * " + HOUR + ", SUM(raised) FROM alarm_counts WHERE period_start >= ?"
                        + " GROUP BY 1, 2 HAVING SUM(raised) > 0 ORDER BY 1, 2",
                rs -> cells.addObject().put("school", rs.getString(1)).put("t", rs.getLong(2)).put("raised", rs.getLong(3)), from);
        ArrayNode series = out.putArray("raisedPerHour");
        hours.forEach((t, v) -> series.addObject().put("t", t).put("raised", (long) v[0]).put("critical", (long) v[1]));
        return out;
    }

    /** The alarm's ledger as stored (hop -> time), or null when there is none or it cannot be read. */
    private static JsonNode ledger(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The latest online/offline counts per device family of every school, and their totals. */
    ObjectNode health() throws SQLException {
        ObjectNode out = JSON.objectNode();
        Map<String, ObjectNode> bySchool = new LinkedHashMap<>();
        Map<String, long[]> totals = new TreeMap<>();
        db.query("SELECT h.school, s.name, h.family, h.online, h.offline, h.at FROM health h"
                        + " JOIN (SELECT school, MAX(at) AS at FROM health GROUP BY school) m ON m.school = h.school AND m.at = h.at"
                        + " LEFT JOIN schools s ON s.id = h.school ORDER BY h.school, h.family",
                rs -> {
                    ObjectNode s = bySchool.computeIfAbsent(rs.getString(1), k -> {
                        ObjectNode n = JSON.objectNode();
                        n.put("school", k);
                        n.putObject("families");
                        return n;
                    });
                    s.put("name", rs.getString(2));
                    s.put("atMs", rs.getLong(6));
                    ((ObjectNode) s.get("families")).putObject(rs.getString(3))
                            .put("online", rs.getInt(4)).put("offline", rs.getInt(5));
                    long[] t = totals.computeIfAbsent(rs.getString(3), k -> new long[2]);
                    t[0] += rs.getInt(4);
                    t[1] += rs.getInt(5);
                    return s;
                });
        ArrayNode schools = out.putArray("schools");
        bySchool.values().forEach(schools::add);
        ObjectNode families = out.putObject("totals");
        totals.forEach((f, t) -> families.putObject(f).put("online", t[0]).put("offline", t[1]));
        return out;
    }

    /** Schools whose gateway sent nothing for more than {@code quietMinutes}, or is disconnected. */
    ArrayNode quiet(long now, int quietMinutes) throws SQLException {
        ArrayNode out = JSON.arrayNode();
        long limit = now - quietMinutes * 60_000L;
        db.query("SELECT id, name, district, gateway, last_seen_ms, connected FROM schools"
                        + " WHERE last_seen_ms IS NULL OR last_seen_ms < ? OR connected = 0 ORDER BY last_seen_ms, id",
                rs -> {
                    ObjectNode s = out.addObject();
                    s.put("school", rs.getString(1));
                    s.put("name", rs.getString(2));
                    s.put("district", rs.getString(3));
                    s.put("gateway", rs.getString(4));
                    Long seen = Columns.nullableLong(rs, 5);
                    s.put("lastSeenMs", seen);
                    s.put("silentMs", seen == null ? null : now - seen);
                    Integer connected = Columns.nullableInt(rs, 6);
                    s.put("connected", connected == null ? null : connected == 1);
                    s.put("reason", connected != null && connected == 0 ? "disconnected" : "quiet");
                    return s;
                }, limit);
        return out;
    }

    /** Every school the dashboard has heard from. */
    ArrayNode schools() throws SQLException {
        ArrayNode out = JSON.arrayNode();
        db.query("SELECT id, name, district, enrolment, gateway, last_seen_ms, connected FROM schools ORDER BY district, id",
                rs -> {
                    ObjectNode s = out.addObject();
                    s.put("school", rs.getString(1));
                    s.put("name", rs.getString(2));
                    s.put("district", rs.getString(3));
                    s.put("enrolment", Columns.nullableInt(rs, 4));
                    s.put("gateway", rs.getString(5));
                    s.put("lastSeenMs", Columns.nullableLong(rs, 6));
                    Integer c = Columns.nullableInt(rs, 7);
                    s.put("connected", c == null ? null : c == 1);
                    return s;
                });
        return out;
    }

    private static Map<Long, Double> buckets(long from, long step, int n) {
        Map<Long, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(from + i * step, 0.0);
        }
        return m;
    }

    private static Double add(Map<Long, Double> buckets, long t, double kwh) {
        return buckets.computeIfPresent(t, (k, v) -> v + safe(kwh));
    }

    private static ArrayNode series(Map<Long, Double> buckets) {
        ArrayNode a = JSON.arrayNode();
        buckets.forEach((t, v) -> a.addObject().put("t", t).put("kwh", round(v)));
        return a;
    }

    private static double safe(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
