package org.campusedge.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventIds;
import org.campusedge.api.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data-protection officer's export and erasure of one card's events: by its pseudonyms, through the card index, nothing else touched. */
class CardEventsTest {

    @TempDir
    Path dir;

    private static CampusEvent card(String kind, String pseudonym, long at) {
        return CampusEvent.builder().id(EventIds.at(at)).schoolId("s").deviceId("gate-1").kind(kind).severity(Severity.INFO)
                .occurredAt(Instant.ofEpochMilli(at)).receivedAt(Instant.ofEpochMilli(at)).attributes(Map.of("card", pseudonym)).build();
    }

    @Test
    void oneCardsEventsAreFoundUnderEachPseudonymAndErasedAlone() throws Exception {
        Path f = dir.resolve("cards.db");
        SqliteEventStore store = new SqliteEventStore(SqliteEventStoreTest.config(f, 1000, 100_000));
        try {
            long t = 1_764_000_000_000L;
            List<CampusEvent> events = new ArrayList<>();
            events.add(card("card.swipe", "aaaa-last-year", t));
            events.add(card("card.swipe", "aaaa-this-year", t + 1));
            events.add(card("card.denied", "aaaa-this-year", t + 2));
            events.add(card("card.swipe", "bbbb-this-year", t + 3));
            // an alarm that happens to carry the same attribute is not a card event: never exported or erased with them
            events.add(CampusEvent.builder().id(EventIds.at(t + 4)).schoolId("s").deviceId("gate-1").kind("alarm.raised")
                    .severity(Severity.WARNING).occurredAt(Instant.ofEpochMilli(t + 4)).receivedAt(Instant.ofEpochMilli(t + 4))
                    .attributes(Map.of("card", "aaaa-this-year", "alarm", "k")).build());
            store.append(events).toCompletableFuture().get(10, TimeUnit.SECONDS);

            List<String> aaaa = List.of("aaaa-last-year", "aaaa-this-year");
            assertEquals(List.of("card.swipe", "card.swipe", "card.denied"), store.cardEvents(aaaa).stream().map(CampusEvent::kind).toList());
            assertEquals(3, store.eraseCardEvents(aaaa).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertEquals(List.of(), store.cardEvents(aaaa));
            assertEquals(1, store.cardEvents(List.of("bbbb-this-year")).size(), "another card's stays");
            assertTrue(store.verifyTrail().orElseThrow().intact(), "card events are not in the trail: erasing them breaks nothing");
        } finally {
            store.close();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN SELECT e.id FROM events e JOIN devices d ON d.ref = e.device_ref WHERE e."
                        + EventTable.CARD_KINDS + " AND json_extract(e.attributes, '$.card') IN ('x', 'y')")) {
            StringBuilder plan = new StringBuilder();
            while (rs.next()) {
                plan.append(rs.getString(4)).append("; ");
            }
            assertTrue(plan.toString().contains("events_by_card"), plan.toString());
            try (ResultSet alarm = s.executeQuery("SELECT count(*) FROM events WHERE kind = 'alarm.raised'")) {
                assertEquals(1, alarm.getInt(1));
            }
        }
    }
}
