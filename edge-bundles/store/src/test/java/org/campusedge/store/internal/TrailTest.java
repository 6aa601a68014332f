package org.campusedge.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventIds;
import org.campusedge.api.Severity;
import org.campusedge.api.TrailStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tamper-evident trail, attacked the way someone with the SQLite file would: an alarm's
 * acknowledgement edited to another guard, an audit record deleted, a link removed, a link's hash
 * rewritten to match an edit (found at the next link: every later one would have to be rewritten,
 * up to the head the city holds). Each is found at its link. Retention removes old segments whole and the
 * rest still checks; a restart continues the chain.
 */
class TrailTest {

    @TempDir
    Path dir;
    private SqliteEventStore store;

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    private Path file() {
        return dir.resolve("trail.db");
    }

    private SqliteEventStore open() throws Exception {
        return new SqliteEventStore(SqliteEventStoreTest.withRetention(SqliteEventStoreTest.config(file(), 1000, 100_000)));
    }

    private static CampusEvent event(String kind, long at, Map<String, String> attributes) {
        return CampusEvent.builder().id(EventIds.at(at)).schoolId("s").deviceId("cam-1").kind(kind).severity(Severity.CRITICAL)
                .occurredAt(Instant.ofEpochMilli(at)).receivedAt(Instant.ofEpochMilli(at)).attributes(attributes).build();
    }

    /** Ten alarm and audit events among readings, stored in three commits; returns their ids in order. */
    private List<String> storeSome(long start) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int batch = 0; batch < 3; batch++) {
            List<CampusEvent> events = new ArrayList<>();
            for (int i = 0; i < 4 && ids.size() < 10; i++) {
                long t = start + batch * 100 + i;
                CampusEvent e = event(i % 2 == 0 ? "alarm.acknowledged" : "audit.login-failed", t,
                        Map.of("alarm", "night:cam-1", "by", "guard-wang", "n", Integer.toString(ids.size())));
                events.add(e);
                events.add(SqliteEventStoreTest.reading("lab-1", i, Instant.ofEpochMilli(t)));
                ids.add(e.id());
            }
            store.append(events).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        return ids;
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.executeUpdate(statement);
        }
    }

    @Test
    void anIntactTrailChecksAndEveryKindOfTamperingIsFoundAtItsLink() throws Exception {
        store = open();
        List<String> ids = storeSome(System.currentTimeMillis() - 60_000);
        TrailStatus ok = store.verifyTrail().orElseThrow();
        assertTrue(ok.intact(), ok.toString());
        assertEquals(10, ok.links(), "readings are not in the trail, alarms and audit records are");
        assertEquals(ok.headHash(), store.trailHead().orElseThrow().headHash());
        assertEquals(10, store.trailHead().orElseThrow().headSeq());

        // who acknowledged the fourth, edited afterwards
        sql("UPDATE events SET attributes = replace(attributes, 'guard-wang', 'guard-li') WHERE id = '" + ids.get(4) + "'");
        TrailStatus edited = store.verifyTrail().orElseThrow();
        assertEquals(5, edited.brokenAt(), edited.toString());
        assertEquals(ids.get(4), edited.eventId());
        assertTrue(edited.problem().contains("changed"), edited.problem());
        sql("UPDATE events SET attributes = replace(attributes, 'guard-li', 'guard-wang') WHERE id = '" + ids.get(4) + "'");
        assertTrue(store.verifyTrail().orElseThrow().intact(), "undone, yet still broken");

        // the edit and the link's hash rewritten to match: the next link no longer follows
        String attrs;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
             var rs = c.createStatement().executeQuery("SELECT e.occurred_at, e.received_at, e.kind, e.severity, e.attributes,"
                     + " (SELECT hash FROM trail WHERE seq = 6), d.device_id, d.school_id, d.profile_id, d.building, d.floor, d.room, d.zone"
                     + " FROM events e JOIN devices d ON d.ref = e.device_ref WHERE e.id = '" + ids.get(6) + "'")) {
            rs.next();
            attrs = rs.getString(5).replace("guard-wang", "guard-li");
            Trail.Place place = new Trail.Place(rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                    rs.getString(12), rs.getString(13));
            String forged = Trail.hash(rs.getString(6), ids.get(6), rs.getLong(1), rs.getLong(2), place, rs.getString(3), rs.getInt(4), null,
                    attrs);
            sql("UPDATE events SET attributes = '" + attrs + "' WHERE id = '" + ids.get(6) + "'");
            sql("UPDATE trail SET hash = '" + forged + "' WHERE seq = 7");
        }
        TrailStatus rehashed = store.verifyTrail().orElseThrow();
        // link 7 now checks, but link 8 was made from link 7's old hash: a forger must rewrite every link up to the head,
        // and the head the city holds as a witness then no longer matches
        assertEquals(8, rehashed.brokenAt(), rehashed.toString());

        // an audit record deleted, and a link removed
        sql("DELETE FROM events WHERE id = '" + ids.get(1) + "'");
        TrailStatus deleted = store.verifyTrail().orElseThrow();
        assertEquals(2, deleted.brokenAt());
        assertTrue(deleted.problem().contains("not in the store"), deleted.problem());
        sql("DELETE FROM trail WHERE seq = 2");
        TrailStatus unlinked = store.verifyTrail().orElseThrow();
        assertEquals(2, unlinked.brokenAt());
        assertTrue(unlinked.problem().contains("missing"), unlinked.problem());
    }

    @Test
    void whereAnAlarmHappenedIsPartOfItsLinkAndAStrayRowInTheTrailStopsNoCommit() throws Exception {
        store = open();
        List<String> ids = storeSome(System.currentTimeMillis() - 60_000);
        sql("UPDATE devices SET building = 'Gym' WHERE device_id = 'cam-1'");
        TrailStatus moved = store.verifyTrail().orElseThrow();
        assertEquals(1, moved.brokenAt(), "the alarms' place was changed, yet the trail checks: " + moved);
        sql("UPDATE devices SET building = NULL WHERE device_id = 'cam-1'");
        assertTrue(store.verifyTrail().orElseThrow().intact());
        // a row planted at the next number: the next alarm is still stored, and linked over it
        sql("INSERT INTO trail (seq, event_id, hash) VALUES (11, 'planted', '" + "0".repeat(64) + "')");
        long t = System.currentTimeMillis() - 1000;
        store.append(List.of(event("alarm.raised", t, Map.of("alarm", "night:cam-1")))).toCompletableFuture().get(10, TimeUnit.SECONDS);
        TrailStatus after = store.verifyTrail().orElseThrow();
        assertTrue(after.intact(), after.toString());
        assertEquals(11, after.headSeq());
        assertEquals(ids.size() + 1, after.links());
    }

    @Test
    void theNewestLinksCutOffAreFoundByTheGatewayThatWroteThem() throws Exception {
        store = open();
        List<String> ids = storeSome(System.currentTimeMillis() - 60_000);
        // the last two alarm and audit records and their links, gone: what is left is a consistent chain
        sql("DELETE FROM events WHERE id IN ('" + ids.get(8) + "', '" + ids.get(9) + "')");
        sql("DELETE FROM trail WHERE seq > 8");
        TrailStatus cut = store.verifyTrail().orElseThrow();
        assertEquals(9, cut.brokenAt(), cut.toString());
        assertTrue(cut.problem().contains("cut short"), cut.problem());
    }

    @Test
    void retentionRemovesOldSegmentsWholeAndARestartContinuesTheChain() throws Exception {
        store = open();
        long old = System.currentTimeMillis() - Duration.ofDays(401).toMillis();
        storeSome(old);
        List<String> recent = storeSome(System.currentTimeMillis() - 60_000);
        TrailStatus before = store.verifyTrail().orElseThrow();
        assertEquals(20, before.links());
        store.applyRetention();
        TrailStatus after = store.verifyTrail().orElseThrow();
        assertTrue(after.intact(), "the trail after retention: " + after);
        assertEquals(10, after.links(), "the 401-day-old segment went, whole");
        assertEquals(before.headHash(), after.headHash(), "the head is the same");
        store.close();
        store = open();
        assertEquals(before.headHash(), store.trailHead().orElseThrow().headHash(), "the head after a restart");
        storeSome(System.currentTimeMillis() - 30_000);
        TrailStatus continued = store.verifyTrail().orElseThrow();
        assertTrue(continued.intact(), continued.toString());
        assertEquals(30, continued.headSeq());
        assertNotEquals(before.headHash(), continued.headHash());
        assertEquals(recent.size() + 10, continued.links());
    }
}
