package org.campusedge.city;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The same SQL on PostgreSQL: a throw-away server (Debian's postgresql, started by the test), or the
 * scratch database {@code -Dcity.test.postgres=jdbc:postgresql://host:port/db?user=...} names (its
 * tables are dropped first).
 */
class PostgresTest {

    @Test
    void storesAndShowsOnPostgres() throws Exception {
        String given = System.getProperty("city.test.postgres", "");
        try (LocalPostgres pg = given.isEmpty() ? LocalPostgres.temporary() : null) {
            onPostgres(given.isEmpty() ? pg.jdbcUrl() : given);
        }
    }

    /**
     * Dashboard instances started together on a fresh database (a bureau's deployment, the quick start with
     * --kafka) each migrate it: one at a time, so none fails on a table another is creating.
     */
    @Test
    void instancesStartingTogetherOnAFreshDatabaseAllStart() throws Exception {
        try (LocalPostgres pg = LocalPostgres.temporary()) {
            int n = 4;
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(n);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
            try {
                List<java.util.concurrent.Future<Integer>> opened = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    opened.add(pool.submit(() -> {
                        together.await();
                        try (CityDatabase db = CityDatabase.open(pg.jdbcUrl())) {
                            return db.query("SELECT MAX(version) FROM schema_version", rs -> rs.getInt(1)).get(0);
                        }
                    }));
                }
                for (var f : opened) {
                    assertEquals(3, f.get(60, java.util.concurrent.TimeUnit.SECONDS), "every instance opened the migrated database");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * A message the database refuses for good (here an id too long for PostgreSQL's index, SQLSTATE 54000) is
     * skipped and counted, alone or in a group commit, and the messages after it are stored: retried for ever, it
     * would hold back every message behind it on its Kafka partition.
     */
    @Test
    void aMessageTheDatabaseRefusesForGoodIsSkippedAndTheNextStored() throws Exception {
        try (LocalPostgres pg = LocalPostgres.temporary(); CityDatabase db = CityDatabase.open(pg.jdbcUrl())) {
            Ingest ingest = new Ingest(db, System::currentTimeMillis);
            Instant start = Instant.parse("2026-11-23T01:00:00Z");
            byte[] noise = new byte[7000];
            new java.util.Random(16).nextBytes(noise);
            // random, so PostgreSQL's compression cannot bring it under an index row's 2,704 bytes
            String hugeId = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(noise);
            String poison = Events.event(hugeId, CloudEvent.LAB, "s1", null, start.plusSeconds(300),
                    "{\"periodStart\":\"" + start + "\",\"periodEnd\":\"" + start.plusSeconds(300) + "\",\"readings\":1}");
            byte[] body = poison.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(Ingest.Outcome.MALFORMED, ingest.handle("gw-s1", Events.CE, body, null), "alone");
            List<Ingest.Outcome> outcomes = new java.util.ArrayList<>();
            db.batch(java.util.Set.of("s1"), start.toEpochMilli(), () -> {
                ingest.mark();
                outcomes.clear();
                for (byte[] m : List.of(Events.bytes(Events.lab("s1", start)), body, Events.bytes(Events.energy("s1", start, 2, 800)))) {
                    try {
                        outcomes.add(ingest.handle("gw-s1", Events.CE, m, null));
                    } catch (RuntimeException e) {
                        outcomes.add(null);
                    }
                }
            }, ingest::backToMark);
            assertEquals(List.of(Ingest.Outcome.STORED, Ingest.Outcome.MALFORMED, Ingest.Outcome.STORED), outcomes, "in a group commit");
            assertEquals(2, db.count("messages"));
            assertEquals(2, ingest.stats().malformed());
            assertEquals(0, ingest.stats().failures(), "not a database failure: nothing to retry");
        }
    }

    private void onPostgres(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String t : new String[] {"messages", "schools", "energy", "alarm_counts", "alarms", "health", "attendance", "lab", "commands"}) {
                st.execute("DROP TABLE IF EXISTS " + t);
            }
        }
        Instant now = Instant.parse("2026-11-23T02:30:00Z");
        AtomicLong clock = new AtomicLong(now.toEpochMilli());
        try (CityDatabase db = CityDatabase.open(url)) {
            Ingest ingest = new Ingest(db, clock::get);
            Instant start = Instant.parse("2026-11-23T01:00:00Z");
            for (String json : new String[] {Events.energy("s1", start, 10, 500), Events.alarms("s1", start),
                                             Events.health("s1", start, 58, 2), Events.attendance("s1", start), Events.lab("s1", start)}) {
                assertEquals(Ingest.Outcome.STORED, ingest.handle("gw-s1", Events.CE, Events.bytes(json), null));
            }
            assertEquals(Ingest.Outcome.DUPLICATE, ingest.handle("gw-s1", Events.CE, Events.bytes(Events.lab("s1", start)), null));
            ingest.handle("s1.cam-1", Events.CE, Events.bytes(Events.alarm("s1", "ev-1", "al-1", "raised", start, start, null)), null);
            ingest.handle("s1.cam-1", Events.CE, Events.bytes(Events.alarm("s1", "ev-3", "al-1", "acknowledged", start,
                    start.plusSeconds(60), "security")), null);
            ingest.handle("s1.cam-1", Events.CE, Events.bytes(Events.alarm("s1", "ev-2", "al-1", "raised", start, start, null)), null);
            ingest.handle("gw-s2", Ingest.EMPTY_NOTIFICATION, null, 0);
            assertEquals(Ingest.Outcome.MALFORMED, ingest.handle("gw-s1", Events.CE, Events.bytes(
                    Events.energy("s1", start.plusSeconds(300), 1, 500).replace("\"kwh\":1.0", "\"kwh\":\"x\"")), null));
            assertEquals(8, db.count("messages"));
            assertEquals(now.toEpochMilli(), db.receivedAt("ev-1").getAsLong());
            assertEquals("acknowledged", db.query("SELECT state FROM alarms", rs -> rs.getString(1)).get(0));
            assertEquals("security", db.query("SELECT by_role FROM alarms", rs -> rs.getString(1)).get(0));
            assertEquals(List.of(3), db.query("SELECT MAX(version) FROM schema_version", rs -> rs.getInt(1)), "migrated on PostgreSQL too");
            // a due broadcast try is claimed once: two dashboard instances reading it as due never both send it
            db.commands().issued("b-1", "broadcast", "{}", null, 1_000L, 60_000L, 5_000L, List.of("s1"));
            assertEquals(1, db.commands().due(5_000L, 10).size());
            assertTrue(db.commands().claim("b-1", "s1", 5_000L, 20_000L), "the first instance claims it");
            assertFalse(db.commands().claim("b-1", "s1", 5_000L, 20_000L), "the second, with the same reading, does not");
            assertEquals(2, db.commands().targets("b-1").get(0).attempts());
            db.commands().answered("b-1", "s1", "confirmed", 200, "{}", 6_000L);
            assertEquals("confirmed", db.commands().targets("b-1").get(0).shown(70_000L), "confirmed stays confirmed after the expiry");
            assertEquals(0, db.commands().due(30_000L, 10).size());

            DashboardViews views = new DashboardViews(db, ZoneId.of("Asia/Shanghai"));
            JsonNode energy = Json.MAPPER.valueToTree(views.energy("24h", now.toEpochMilli()));
            assertEquals(11.5, energy.get("todayKwh").asDouble(), 1e-9);
            assertEquals(11.5, Json.MAPPER.valueToTree(views.energy("7d", now.toEpochMilli())).get("trend").get(6).get("kwh").asDouble(), 1e-9);
            assertEquals(1, views.safety(now.toEpochMilli()).get("open").size());
            assertEquals(2, views.health().get("schools").get(0).get("families").size());
            assertEquals(1, views.quiet(now.toEpochMilli(), 15).size());

            db.commands().sent("c-1", "b-1", "s1", "broadcast", "{}", 1L, "wang.jun");
            db.commands().done("c-1", "answered", 200, "{\"outcome\":\"accepted\"}", 2L);
            assertEquals(200, db.commands().ofBatch("b-1").get(0).code());
            assertEquals("wang.jun", db.commands().ofBatch("b-1").get(0).issuedBy());
        }
    }
}
