package org.campusedge.city;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing and storing what the schools send, in a real SQLite file. */
class IngestTest {

    @TempDir
    Path dir;
    CityDatabase db;
    Ingest ingest;
    final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    final Instant start = Instant.parse("2026-11-23T01:00:00Z");

    @BeforeEach
    void open() throws SQLException {
        db = CityDatabase.open("jdbc:sqlite:" + dir.resolve("data/city.db"));
        ingest = new Ingest(db, now::get);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Ingest.Outcome send(String device, String json) {
        return ingest.handle(device, Events.CE, Events.bytes(json), null);
    }

    @Test
    void energySummaryLandsInMessagesEnergyAndSchools() throws Exception {
        assertEquals(Ingest.Outcome.STORED, send("gw-s1", Events.energy("s1", start, 12.5, 800)));
        String id = Events.summaryId("s1", "energy", start);
        StoredMessage m = db.message(id).orElseThrow();
        assertEquals("s1", m.school());
        assertEquals(CloudEvent.ENERGY, m.type());
        assertEquals("gw-s1", m.device());
        assertEquals(start.plusSeconds(300).toEpochMilli(), m.timeMs());
        assertEquals(now.get(), m.receivedAtMs());
        assertEquals(now.get(), db.receivedAt(id).getAsLong());
        assertEquals(2, db.count("energy"));
        List<Object[]> school = db.query("SELECT name, district, enrolment, gateway, last_seen_ms FROM schools WHERE id = 's1'",
                rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getLong(5)});
        assertEquals("第s1中学", school.get(0)[0]);
        assertEquals("锦江区", school.get(0)[1]);
        assertEquals(800, school.get(0)[2]);
        assertEquals("gw-s1", school.get(0)[3]);
        assertEquals(now.get(), school.get(0)[4]);
        Double kwh = db.query("SELECT kwh FROM energy WHERE school = 's1' AND building = '科学楼 Science Building'",
                rs -> rs.getDouble(1)).get(0);
        assertEquals(12.5, kwh);
        assertNull(db.query("SELECT peak_kw FROM energy WHERE building = 'Library'", rs -> Columns.nullableDouble(rs, 1)).get(0));
    }

    @Test
    void aDuplicateIsCountedNotStoredTwice() throws Exception {
        String json = Events.energy("s1", start, 12.5, 800);
        assertEquals(Ingest.Outcome.STORED, send("gw-s1", json));
        long first = now.get();
        now.addAndGet(60_000);
        assertEquals(Ingest.Outcome.DUPLICATE, send("gw-s1", json));
        assertEquals(1, db.count("messages"));
        assertEquals(2, db.count("energy"));
        assertEquals(first, db.receivedAt(Events.summaryId("s1", "energy", start)).getAsLong());
        assertEquals(1, ingest.stats().stored());
        assertEquals(1, ingest.stats().duplicates());
        // the resend still shows the gateway is alive
        assertEquals(now.get(), db.query("SELECT last_seen_ms FROM schools", rs -> rs.getLong(1)).get(0));
    }

    @Test
    void theSameIdFromTwoSchoolsIsTwoMessages() throws Exception {
        assertEquals(Ingest.Outcome.STORED, send("s1.cam-gate-1", Events.alarm("s1", "ev-1", "al-1", "raised", start, start, null)));
        assertEquals(Ingest.Outcome.STORED, send("s2.cam-gate-1", Events.alarm("s2", "ev-1", "al-1", "raised", start, start, null)));
        // a school speaks for itself only: another school's alarm through its device, or from a bare device id, is refused
        assertEquals(Ingest.Outcome.MALFORMED, send("s2.cam-gate-1", Events.alarm("s1", "ev-9", "al-9", "raised", start, start, null)));
        assertEquals(Ingest.Outcome.MALFORMED, send("cam-gate-1", Events.alarm("s1", "ev-9", "al-9", "raised", start, start, null)));
        assertEquals(2, db.count("messages"));
        assertEquals(2, db.count("alarms"));
    }

    @Test
    void eachSummaryTypeLandsInItsTable() throws Exception {
        send("gw-s1", Events.alarms("s1", start));
        send("gw-s1", Events.health("s1", start, 58, 2));
        send("gw-s1", Events.attendance("s1", start));
        send("gw-s1", Events.lab("s1", start));
        assertEquals(2, db.count("alarm_counts"));
        List<int[]> intrusion = db.query("SELECT raised, cleared, open FROM alarm_counts WHERE rule = 'camera.intrusion'",
                rs -> new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)});
        assertEquals(List.of(2, 1, 1), List.of(intrusion.get(0)[0], intrusion.get(0)[1], intrusion.get(0)[2]));
        assertEquals(3, db.query("SELECT open FROM alarm_counts WHERE rule = 'meter.offline'", rs -> rs.getInt(1)).get(0));
        assertEquals(2, db.count("health"));
        assertEquals(2, db.query("SELECT offline FROM health WHERE family = 'camera'", rs -> rs.getInt(1)).get(0));
        assertEquals(2, db.count("attendance"));
        assertEquals(412, db.query("SELECT in_count FROM attendance WHERE gate = 'card-gate-east'", rs -> rs.getInt(1)).get(0));
        assertEquals(1, db.count("lab"));
        assertEquals(5230L, db.query("SELECT readings FROM lab", rs -> rs.getLong(1)).get(0));
        assertEquals(4, db.countsByType().size());
        assertEquals(1L, db.countsByType().get(CloudEvent.LAB));
    }

    @Test
    void alarmEventsKeepTheNewestStateOfEachAlarm() throws Exception {
        Instant raised = start;
        send("s1.cam-gate-1", Events.alarm("s1", "ev-1", "al-7", "raised", raised, raised, null));
        send("s1.cam-gate-1", Events.alarm("s1", "ev-3", "al-7", "cleared", raised, raised.plusSeconds(600), null));
        // an older transition arriving late does not bring the alarm back
        send("s1.cam-gate-1", Events.alarm("s1", "ev-2", "al-7", "acknowledged", raised, raised.plusSeconds(60), "wang.li"));
        assertEquals(3, db.count("messages"));
        List<String[]> row = db.query("SELECT state, device, building, raised_at, updated_at FROM alarms WHERE alarm_id = 'al-7'",
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
        assertEquals("cleared", row.get(0)[0]);
        assertEquals("cam-gate-1", row.get(0)[1]);
        assertEquals("校门 Main Gate", row.get(0)[2]);
        assertEquals(Long.toString(raised.toEpochMilli()), row.get(0)[3]);
        assertEquals(Long.toString(raised.plusSeconds(600).toEpochMilli()), row.get(0)[4]);
        assertEquals("s1.cam-gate-1", db.message("ev-1").orElseThrow().device(), "the Hono device: <school>.<device>");
    }

    @Test
    void aRaiseKeepsItsTriggerAndLedgerAndABadHopNeverCostsTheAlarm() throws Exception {
        Instant raised = start;
        String withHops = Events.alarm("s1", "ev-1", "al-7", "raised", raised, raised, null).replaceFirst(
                ",\"trigger\":\"ev-al-7\",\"hops\":\\{[^}]*\\}",
                ",\"trigger\":\"EV-CAM-1\",\"hops\":{\"occurred\":\"" + raised.minusMillis(300)
                        + "\",\"received\":\"" + raised.minusMillis(200) + "\",\"stored\":\"yesterday\",\"raised\":\"" + raised + "\"}");
        assertEquals(Ingest.Outcome.STORED, send("s1.cam-gate-1", withHops));
        List<String[]> row = db.query("SELECT trigger_id, ledger FROM alarms WHERE alarm_id = 'al-7'",
                rs -> new String[] {rs.getString(1), rs.getString(2)});
        assertEquals("EV-CAM-1", row.get(0)[0]);
        String ledger = row.get(0)[1];
        assertTrue(ledger.contains("\"occurred\":\"" + raised.minusMillis(300) + "\"") && ledger.contains("\"city\":"), ledger);
        assertTrue(!ledger.contains("stored"), "a hop that is not a time was kept: " + ledger);
    }

    @Test
    void badMessagesAreCountedNotFatal() throws Exception {
        assertEquals(Ingest.Outcome.MALFORMED, send("gw-s1", "{not json"));
        assertEquals(Ingest.Outcome.MALFORMED, send("gw-s1", "[1,2]"));
        assertEquals(Ingest.Outcome.MALFORMED, send("gw-s1", "{\"specversion\":\"1.0\",\"type\":\"x\",\"school\":\"s1\"}"));
        assertEquals(Ingest.Outcome.MALFORMED, ingest.handle("gw-s1", Events.CE, null, null));
        // a summary without its period: nothing of it is stored, not even the message
        String noPeriod = Events.energy("s1", start, 1, 800).replace("\"periodStart\"", "\"periodBegin\"");
        assertEquals(Ingest.Outcome.MALFORMED, send("gw-s1", noPeriod));
        // a gateway speaking for another school
        assertEquals(Ingest.Outcome.MALFORMED, send("gw-s2", Events.energy("s1", start, 1, 800)));
        assertEquals(Ingest.Outcome.UNSUPPORTED, ingest.handle("gw-s1", "application/json", Events.bytes("{}"), null));
        assertEquals(Ingest.Outcome.UNSUPPORTED, ingest.handle("gw-s1", null, Events.bytes("{}"), null));
        assertEquals(0, db.count("messages"));
        assertEquals(0, db.count("energy"));
        // and the next good one is stored
        assertEquals(Ingest.Outcome.STORED, ingest.handle("gw-s1", "application/cloudevents+json; charset=utf-8",
                Events.bytes(Events.lab("s1", start)), null));
        IngestStats s = ingest.stats();
        assertEquals(6, s.malformed());
        assertEquals(2, s.unsupported());
        assertEquals(1, s.stored());
        assertEquals(9, s.received());
        assertEquals(0, s.failures());
    }

    @Test
    void emptyNotificationsMarkGatewaysConnectedOrDisconnected() throws Exception {
        assertEquals(Ingest.Outcome.NOTIFICATION, ingest.handle("gw-s3", Ingest.EMPTY_NOTIFICATION, null, -1));
        assertEquals(1, db.query("SELECT connected FROM schools WHERE id = 's3'", rs -> rs.getInt(1)).get(0));
        assertEquals(Ingest.Outcome.NOTIFICATION, ingest.handle("gw-s3", Ingest.EMPTY_NOTIFICATION, null, 0));
        assertEquals(0, db.query("SELECT connected FROM schools WHERE id = 's3'", rs -> rs.getInt(1)).get(0));
        // a device that is not a gateway: counted, no school
        ingest.handle("cam-1", Ingest.EMPTY_NOTIFICATION, null, -1);
        assertEquals(1, db.count("schools"));
        // a message keeps the flag as it is
        send("gw-s3", Events.lab("s3", start));
        assertEquals(0, db.query("SELECT connected FROM schools WHERE id = 's3'", rs -> rs.getInt(1)).get(0));
        assertEquals(2, ingest.stats().connects());
        assertEquals(1, ingest.stats().disconnects());
        assertEquals(0, ingest.stats().malformed());
    }

    @Test
    void aBadMessageInAGroupCommitIsUndoneAloneAndTheOthersAreCommitted() throws Exception {
        // the consumers' group commit: one transaction, a savepoint per message; a summary whose data do not fit
        // fails after its messages row was written, and only that message is undone
        String noPeriod = Events.energy("s1", start.plusSeconds(300), 1, 800).replace("\"periodStart\"", "\"periodBegin\"");
        List<Ingest.Outcome> outcomes = new java.util.ArrayList<>();
        send("gw-s1", Events.lab("s1", start.minusSeconds(600))); // s1 has a row: the batch marks it seen first
        IngestStats before = ingest.stats();
        int[] attempts = {0};
        // as the consumers run it: the writes may run twice (first without savepoints), the last run tells
        db.batch(java.util.Set.of("s1"), start.toEpochMilli(), () -> {
            attempts[0]++;
            ingest.mark();
            outcomes.clear();
            for (String m : List.of(Events.lab("s1", start), noPeriod, Events.energy("s1", start, 2.5, 800))) {
                try {
                    outcomes.add(send("gw-s1", m));
                } catch (RuntimeException e) {
                    outcomes.add(null); // the consumers' catch: this attempt is rolled back and run again
                }
            }
        }, ingest::backToMark);
        assertEquals(2, attempts[0], "the bad message poisoned the attempt without savepoints; the second had them");
        assertEquals(List.of(Ingest.Outcome.STORED, Ingest.Outcome.MALFORMED, Ingest.Outcome.STORED), outcomes);
        IngestStats after = ingest.stats();
        assertEquals(3, after.received() - before.received(), "counted once, though run twice");
        assertEquals(2, after.stored() - before.stored());
        assertEquals(1, after.malformed() - before.malformed());
        assertEquals(3, db.count("messages"));
        assertEquals(List.of(Events.summaryId("s1", "energy", start)), db.query("SELECT id FROM messages WHERE type = ?",
                rs -> rs.getString(1), CloudEvent.ENERGY));
        assertEquals(2, db.count("lab"));
        // and a write after the batch is its own transaction again
        assertEquals(Ingest.Outcome.STORED, send("gw-s1", Events.health("s1", start, 3, 1)));
        assertEquals(4, db.count("messages"));
        // a batch without a bad message runs once
        attempts[0] = 0;
        db.batch(java.util.Set.of("s1"), start.toEpochMilli(), () -> {
            attempts[0]++;
            send("gw-s1", Events.health("s1", start.plusSeconds(900), 3, 1));
        }, () -> { });
        assertEquals(1, attempts[0]);
        assertEquals(5, db.count("messages"));
    }

    @Test
    void aTimeTooFarOffOrDataInAnotherFormIsABadMessageAndTheNextIsStored() throws Exception {
        // a year the SDK takes but no millisecond count holds: the old parsers threw ArithmeticException, which the
        // consumer took for a database failure and released to Hono for ever
        String far = Events.lab("s1", start).replaceFirst("\"time\":\"[^\"]*\"", "\"time\":\"+300000000-01-01T00:00:00Z\"");
        assertEquals(Ingest.Outcome.MALFORMED, send("gw-s1", far));
        String farRaise = Events.alarm("s1", "ev-far", "al-far", "raised", start, start, null)
                .replace("\"raisedAt\":\"" + start + "\"", "\"raisedAt\":\"+300000000-01-01T00:00:00Z\"");
        assertEquals(Ingest.Outcome.MALFORMED, send("s1.cam-gate-1", farRaise));
        // an alarm whose data come base64-encoded (or as a string): past the scrub of people's names, so refused
        String alarm = Events.olderAlarm("s1", "ev-b64", "al-b64", "acknowledged", start, start.plusSeconds(5), "guard-wang", "went");
        int d = alarm.indexOf("\"data\":");
        String data = alarm.substring(d + 7, alarm.length() - 1);
        String b64 = alarm.substring(0, d) + "\"data_base64\":\"" + java.util.Base64.getEncoder().encodeToString(Events.bytes(data)) + "\"}";
        assertEquals(Ingest.Outcome.MALFORMED, send("s1.cam-gate-1", b64));
        String asString = alarm.substring(0, d) + "\"data\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(data) + "}";
        assertEquals(Ingest.Outcome.MALFORMED, send("s1.cam-gate-1", asString));
        assertEquals(0, db.count("messages"));
        assertEquals(Ingest.Outcome.STORED, send("gw-s1", Events.lab("s1", start)));
        assertEquals(0, ingest.stats().failures());
    }

    @Test
    void aDatabaseFailureThrowsSoTheMessageIsReleased() {
        db.close();
        assertThrows(IllegalStateException.class, () -> send("gw-s1", Events.lab("s1", start)));
        assertEquals(1, ingest.stats().failures());
    }

    @Test
    void theTablesSurviveAReopen() throws Exception {
        send("gw-s1", Events.lab("s1", start));
        db.close();
        db = CityDatabase.open("jdbc:sqlite:" + dir.resolve("data/city.db"));
        assertTrue(db.message(Events.summaryId("s1", "lab", start)).isPresent());
        assertFalse(db.message("nope").isPresent());
        assertEquals("wal", db.query("PRAGMA journal_mode", rs -> rs.getString(1)).get(0));
    }
}
