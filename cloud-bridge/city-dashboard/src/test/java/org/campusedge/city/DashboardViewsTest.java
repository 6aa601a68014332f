package org.campusedge.city;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The views' figures from stored summaries. */
class DashboardViewsTest {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    @TempDir
    Path dir;
    CityDatabase db;
    Ingest ingest;
    DashboardViews views;
    // 2026-11-23 10:30 in Chengdu (UTC+8)
    final Instant now = Instant.parse("2026-11-23T02:30:00Z");
    final AtomicLong clock = new AtomicLong(now.toEpochMilli());

    @BeforeEach
    void open() throws Exception {
        db = CityDatabase.open("jdbc:sqlite:" + dir.resolve("city.db"));
        ingest = new Ingest(db, clock::get);
        views = new DashboardViews(db, SHANGHAI);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void send(String device, String json) {
        ingest.handle(device, Events.CE, Events.bytes(json), null);
    }

    @Test
    void energyPerSchoolDistrictStudentAndTrend() throws Exception {
        // today (local) two periods for s1, one for s2; yesterday one for s1
        send("gw-s1", Events.energy("s1", Instant.parse("2026-11-23T01:00:00Z"), 10, 500));
        send("gw-s1", Events.energy("s1", Instant.parse("2026-11-23T02:00:00Z"), 20, 500));
        send("gw-s2", Events.energy("s2", Instant.parse("2026-11-23T02:05:00Z"), 100, null));
        send("gw-s1", Events.energy("s1", Instant.parse("2026-11-22T10:00:00Z"), 7, 500));
        JsonNode e = Json.MAPPER.valueToTree(views.energy("24h", now.toEpochMilli()));
        // each energy summary adds 1.5 kWh of the library
        assertEquals(2, e.get("schools").size());
        JsonNode top = e.get("schools").get(0);
        assertEquals("s2", top.get("school").asText());
        assertEquals(101.5, top.get("todayKwh").asDouble(), 1e-9);
        assertTrue(top.get("kwhPerStudent").isNull());
        JsonNode s1 = e.get("schools").get(1);
        assertEquals(33.0, s1.get("todayKwh").asDouble(), 1e-9);
        assertEquals(33.0 / 500, s1.get("kwhPerStudent").asDouble(), 1e-3);
        assertEquals(134.5, e.get("todayKwh").asDouble(), 1e-9);
        assertEquals("锦江区", e.get("districts").get(0).get("district").asText());
        assertEquals(24, e.get("trend").size());
        double trendSum = 0;
        for (JsonNode p : e.get("trend")) {
            trendSum += p.get("kwh").asDouble();
        }
        assertEquals(134.5 + 8.5, trendSum, 1e-9);
        JsonNode week = Json.MAPPER.valueToTree(views.energy("7d", now.toEpochMilli()));
        assertEquals(7, week.get("trend").size());
        assertEquals(134.5, week.get("trend").get(6).get("kwh").asDouble(), 1e-9);
        assertEquals(8.5, week.get("trend").get(5).get("kwh").asDouble(), 1e-9);
    }

    @Test
    void openCriticalAlarmsWithTheirAgeAndCounts() throws Exception {
        Instant raised = now.minusSeconds(1800);
        send("s1.cam-gate-1", Events.alarm("s1", "ev-1", "al-1", "raised", raised, raised, null));
        send("s1.cam-gate-1", Events.alarm("s1", "ev-2", "al-2", "raised", raised, raised, null));
        send("s1.cam-gate-1", Events.alarm("s1", "ev-3", "al-2", "cleared", raised, raised.plusSeconds(10), null));
        send("gw-s1", Events.alarms("s1", Instant.parse("2026-11-23T01:00:00Z")));
        JsonNode s = Json.MAPPER.valueToTree(views.safety(now.toEpochMilli()));
        assertEquals(1, s.get("open").size());
        assertEquals("al-1", s.get("open").get(0).get("alarmId").asText());
        assertEquals(1_800_000, s.get("open").get(0).get("ageMs").asLong());
        assertEquals(1, s.get("openBySchool").get("s1").asInt());
        long raisedInSeries = 0;
        for (JsonNode p : s.get("raisedPerHour")) {
            raisedInSeries += p.get("raised").asLong();
        }
        assertEquals(2, raisedInSeries);
    }

    @Test
    void aDrillsAlarmIsListedApartAndCountedNowhereElse() throws Exception {
        Instant raised = now.minusSeconds(60);
        send("s1.cam-gate-1", Events.alarm("s1", "ev-1", "al-1", "raised", raised, raised, null));
        send("s1.cam-gate-1", Events.alarm("s1", "ev-2", "night:cam-gate-1@drill", "raised", raised, raised, null)
                .replace("\"byRole\":null", "\"byRole\":null,\"drill\":\"D1\""));
        send("s1.cam-gate-1", Events.alarm("s1", "ev-3", "al-3", "raised", raised, raised, null)
                .replace("\"byRole\":null", "\"byRole\":null,\"duringDrill\":\"D1\""));
        JsonNode s = Json.MAPPER.valueToTree(views.safety(now.toEpochMilli()));
        assertEquals(2, s.get("open").size(), s.toString());
        assertEquals(2, s.get("openBySchool").get("s1").asInt());
        assertEquals("D1", s.get("open").get(1).get("duringDrill").asText(), s.toString());
        assertEquals(1, s.get("drills").size());
        assertEquals("night:cam-gate-1@drill", s.get("drills").get(0).get("alarmId").asText());
        assertEquals("D1", s.get("drills").get(0).get("drill").asText());
    }

    @Test
    void healthShowsTheLatestSummaryOfEachSchool() throws Exception {
        send("gw-s1", Events.health("s1", Instant.parse("2026-11-23T01:00:00Z"), 50, 10));
        send("gw-s1", Events.health("s1", Instant.parse("2026-11-23T01:05:00Z"), 58, 2));
        send("gw-s2", Events.health("s2", Instant.parse("2026-11-23T01:05:00Z"), 10, 0));
        JsonNode h = Json.MAPPER.valueToTree(views.health());
        assertEquals(2, h.get("schools").size());
        assertEquals(2, h.get("schools").get(0).get("families").get("camera").get("offline").asInt());
        assertEquals(68, h.get("totals").get("camera").get("online").asLong());
    }

    @Test
    void quietSchoolsAreSilentOrDisconnected() throws Exception {
        clock.set(now.toEpochMilli() - 20 * 60_000L);
        send("gw-old", Events.lab("old", Instant.parse("2026-11-23T01:00:00Z")));
        clock.set(now.toEpochMilli() - 60_000L);
        send("gw-fresh", Events.lab("fresh", Instant.parse("2026-11-23T01:00:00Z")));
        send("gw-gone", Events.lab("gone", Instant.parse("2026-11-23T01:00:00Z")));
        ingest.handle("gw-gone", Ingest.EMPTY_NOTIFICATION, null, 0);
        JsonNode q = Json.MAPPER.valueToTree(views.quiet(now.toEpochMilli(), 15));
        assertEquals(2, q.size());
        assertEquals("old", q.get(0).get("school").asText());
        assertEquals("quiet", q.get(0).get("reason").asText());
        assertEquals(20 * 60_000L, q.get(0).get("silentMs").asLong());
        assertEquals("gone", q.get(1).get("school").asText());
        assertEquals("disconnected", q.get(1).get("reason").asText());
        assertEquals(3, views.schools().size());
    }
}
