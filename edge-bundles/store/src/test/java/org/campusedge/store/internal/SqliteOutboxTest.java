package org.campusedge.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.campusedge.api.Outbox;
import org.campusedge.api.Outbox.Lane;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cloud outbox: order per lane, at-least-once removal, the budget shedding telemetry only, restarts. */
class SqliteOutboxTest {

    @TempDir
    Path dir;

    private static byte[] bytes(int n) {
        return "x".repeat(n).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> ids(List<Outbox.Message> messages) {
        return messages.stream().map(Outbox.Message::eventId).toList();
    }

    @Test
    void eachLaneKeepsItsOrderAndAMessageLeavesOnlyWhenDelivered() throws Exception {
        try (SqliteOutbox box = new SqliteOutbox(dir.resolve("outbox.db"), 1 << 20)) {
            box.enqueue(Lane.TELEMETRY, "s1", "telemetry", "application/cloudevents+json", bytes(10));
            box.enqueue(Lane.CRITICAL, "a1", "event//cam-1", "application/cloudevents+json", bytes(10));
            box.enqueue(Lane.TELEMETRY, "s2", "telemetry", "application/cloudevents+json", bytes(10));
            box.enqueue(Lane.CRITICAL, "a2", "event//cam-2", "application/cloudevents+json", bytes(10));
            box.enqueue(Lane.CRITICAL, "a1", "event//cam-1", "application/cloudevents+json", bytes(10)); // again: kept once
            assertEquals(List.of("a1", "a2"), ids(box.peek(Lane.CRITICAL, 10)));
            assertEquals(List.of("s1", "s2"), ids(box.peek(Lane.TELEMETRY, 10)));
            Outbox.Message first = box.peek(Lane.CRITICAL, 1).get(0);
            box.failed(first.seq());
            box.failed(first.seq());
            assertEquals(2, box.peek(Lane.CRITICAL, 1).get(0).attempts(), "a failure removed it");
            box.delivered(first.seq());
            assertEquals(List.of("a2"), ids(box.peek(Lane.CRITICAL, 10)));
            Outbox.Stats stats = box.stats();
            assertEquals(1, stats.critical());
            assertEquals(2, stats.telemetry());
            assertEquals(30, stats.bytes());

            // refused for good: out of the lane, kept on disk with its reason, counted
            box.park(box.peek(Lane.CRITICAL, 1).get(0).seq(), "amqp:unauthorized-access");
            assertEquals(List.of(), ids(box.peek(Lane.CRITICAL, 10)));
            assertEquals(1, box.stats().parked());
            assertEquals(20, box.stats().bytes());
        }
        try (SqliteOutbox again = new SqliteOutbox(dir.resolve("outbox.db"), 1 << 20)) {
            assertEquals(1, again.stats().parked(), "parked messages are kept across restarts");
        }
    }

    @Test
    void overTheBudgetTheOldestTelemetryIsShedAndCriticalMessagesNever() throws Exception {
        try (SqliteOutbox box = new SqliteOutbox(dir.resolve("outbox.db"), 1000)) {
            for (int i = 0; i < 8; i++) {
                box.enqueue(Lane.TELEMETRY, "s" + i, "telemetry", "application/json", bytes(100));
            }
            box.enqueue(Lane.CRITICAL, "a1", "event//cam-1", "application/json", bytes(300)); // 1,100 bytes: over
            assertEquals(List.of("s1", "s2", "s3", "s4", "s5", "s6", "s7"), ids(box.peek(Lane.TELEMETRY, 10)), "s0 shed first");
            for (int i = 2; i <= 9; i++) {
                box.enqueue(Lane.CRITICAL, "a" + i, "event//cam-1", "application/json", bytes(300));
            }
            assertEquals(List.of(), ids(box.peek(Lane.TELEMETRY, 10)), "all telemetry shed to make room");
            assertEquals(9, box.peek(Lane.CRITICAL, 100).size(), "a critical message was shed");
            assertEquals(8, box.stats().shedTelemetry());
        }
    }

    @Test
    void whatWaitsSurvivesARestartWithItsCounts() throws Exception {
        Path file = dir.resolve("outbox.db");
        try (SqliteOutbox box = new SqliteOutbox(file, 250)) {
            box.enqueue(Lane.TELEMETRY, "s1", "telemetry", "application/json", bytes(100));
            box.enqueue(Lane.TELEMETRY, "s2", "telemetry", "application/json", bytes(100));
            box.enqueue(Lane.TELEMETRY, "s3", "telemetry", "application/json", bytes(100));
            box.enqueue(Lane.CRITICAL, "a1", "event//cam-1", "application/json", bytes(10));
        }
        try (SqliteOutbox box = new SqliteOutbox(file, 250)) {
            assertEquals(List.of("a1"), ids(box.peek(Lane.CRITICAL, 10)));
            assertEquals(List.of("s2", "s3"), ids(box.peek(Lane.TELEMETRY, 10)), "s3 made s1 go; a1 fitted");
            assertEquals(210, box.stats().bytes());
            assertEquals(1, box.stats().shedTelemetry());
        }
    }
}
