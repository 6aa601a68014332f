package org.campusedge.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.campusedge.api.BackpressureException;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventIds;
import org.campusedge.api.EventQuery;
import org.campusedge.api.Location;
import org.campusedge.api.Measurement;
import org.campusedge.api.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteEventStoreTest {

    @TempDir
    Path dir;

    private SqliteEventStore store;

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    static SqliteEventStore.Config config(Path file, int maxBatch, int maxQueued) {
        return SqliteEventStore.config(file, "FULL", maxBatch, maxQueued);
    }

    static CampusEvent reading(String device, double value, Instant t) {
        return CampusEvent.builder().schoolId("sch-1").deviceId(device).profileId("lab-sensor-kit")
                .location(new Location("Science", "2", "Chem 1", null)).kind("lab.reading")
                .occurredAt(t).receivedAt(t)
                .measurements(List.of(Measurement.numeric("temperature", "Cel", value, t))).build();
    }

    private static long countInFreshConnection(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void concurrentAppendsShareCommitsAndAreDurableWhenAcknowledged() throws Exception {
        Path file = dir.resolve("events.db");
        store = new SqliteEventStore(config(file, 20_000, 1_000_000));
        int producers = 8;
        int appendsEach = 500;
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<List<CompletableFuture<Void>>>> submitted = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            submitted.add(CompletableFuture.supplyAsync(() -> {
                List<CompletableFuture<Void>> mine = new ArrayList<>();
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < appendsEach; i++) {
                    Instant t = Instant.ofEpochMilli(1_763_800_000_000L + i);
                    List<CampusEvent> pack = new ArrayList<>();
                    for (int r = 0; r < 10; r++) {
                        pack.add(reading("dev-" + producer, r, t));
                    }
                    mine.add(store.append(pack).toCompletableFuture());
                }
                return mine;
            }, pool));
        }
        start.countDown();
        for (CompletableFuture<List<CompletableFuture<Void>>> s : submitted) {
            acks.addAll(s.get(60, TimeUnit.SECONDS));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        pool.shutdown();

        long expected = (long) producers * appendsEach * 10;
        // every acknowledged event is visible to a connection that did not write it
        assertEquals(expected, countInFreshConnection(file));
        assertEquals(expected, store.stats().eventsWritten());
        assertTrue(store.stats().commits() < (long) producers * appendsEach,
                "appends should share commits, but " + store.stats().commits() + " commits for "
                        + producers * appendsEach + " appends");
        assertEquals(0, store.stats().queued());
    }

    @Test
    void anAcknowledgementComesOnlyAfterTheCommit() throws Exception {
        Path file = dir.resolve("events.db");
        store = new SqliteEventStore(config(file, 20_000, 1_000_000));
        AtomicInteger seenAtAck = new AtomicInteger(-1);
        CampusEvent e = reading("d1", 21.5, Instant.parse("2026-11-22T08:00:00Z"));
        store.append(List.of(e)).thenRun(() -> {
            try {
                seenAtAck.set((int) countInFreshConnection(file));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, seenAtAck.get());
    }

    @Test
    void queriesFilterByDeviceKindAndTimeAndRoundTripTheEvent() throws Exception {
        store = new SqliteEventStore(config(dir.resolve("q.db"), 1000, 10_000));
        Instant t0 = Instant.parse("2026-11-22T08:00:00Z");
        CampusEvent alarm = CampusEvent.builder().schoolId("sch-1").deviceId("cam-1").kind("camera.intrusion")
                .severity(Severity.CRITICAL).occurredAt(t0.plusSeconds(5)).receivedAt(t0.plusSeconds(5))
                .attributes(Map.of("channel", "1")).build();
        store.append(List.of(reading("d1", 20, t0), reading("d2", 21, t0.plusSeconds(1)),
                reading("d1", 22, t0.plusSeconds(2)), alarm)).toCompletableFuture().get(10, TimeUnit.SECONDS);

        List<CampusEvent> d1 = store.query(EventQuery.all(100).withDevice("d1"));
        assertEquals(2, d1.size());
        assertEquals(22.0, d1.get(1).measurement().value());
        assertEquals("Cel", d1.get(1).measurement().unit());
        assertEquals(new Location("Science", "2", "Chem 1", null), d1.get(0).location());
        assertEquals(List.of(alarm), store.query(EventQuery.all(10).withKind("camera.intrusion")));
        assertEquals(2, store.count(EventQuery.all(0).between(t0.plusSeconds(1), t0.plusSeconds(10)).withKind("lab.reading")));
        assertEquals(4, store.count(EventQuery.all(0)));
    }

    @Test
    void aTimelinePagesBackwardsThroughEventsOfOneMillisecondWithoutLosingOrRepeatingAny() throws Exception {
        store = new SqliteEventStore(config(dir.resolve("pages.db"), 1000, 10_000));
        Instant t0 = Instant.parse("2026-11-22T08:00:00Z");
        List<CampusEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < 23; i++) { // 23 motions, 10 of them in one millisecond, 5 alarms between them
            events.add(CampusEvent.builder().schoolId("sch-1").deviceId("cam-" + (i % 3)).kind("camera.motion")
                    .occurredAt(i < 10 ? t0 : t0.plusMillis(i)).receivedAt(t0).build());
            if (i % 5 == 0) {
                events.add(CampusEvent.builder().schoolId("sch-1").deviceId("cam-9").kind("camera.intrusion")
                        .occurredAt(t0.plusMillis(i)).receivedAt(t0).build());
            }
        }
        store.append(events).toCompletableFuture().get(10, TimeUnit.SECONDS);
        EventQuery first = new EventQuery(t0.minusSeconds(60), t0.plusSeconds(60), null, "camera.motion", 4, null, true);
        List<String> seen = new java.util.ArrayList<>();
        List<CampusEvent> page = store.query(first);
        int pages = 0;
        while (!page.isEmpty()) {
            pages++;
            assertTrue(page.size() <= 4);
            page.forEach(e -> seen.add(e.id()));
            CampusEvent last = page.get(page.size() - 1);
            page = store.query(first.before(last.occurredAt(), last.id()));
        }
        List<String> expected = store.query(new EventQuery(t0.minusSeconds(60), t0.plusSeconds(60), null, "camera.motion", 100, null, true))
                .stream().map(CampusEvent::id).toList();
        assertEquals(23, expected.size());
        assertEquals(expected, seen, "pages of 4, newest first, joined: every motion once, in the timeline's order");
        assertEquals(6, pages);
    }

    @Test
    void readingsThatFillTheQueueCannotKeepAnIntrusionOut() throws Exception {
        store = new SqliteEventStore(SqliteEventStore.config(dir.resolve("lanes.db"), "NORMAL", 1000, 100, 5, 0, 0));
        java.util.concurrent.CountDownLatch disk = new java.util.concurrent.CountDownLatch(1);
        store.onWriter(c -> { // a disk that hangs for a while: the writer waits here, everything queues
            try {
                return disk.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        List<CompletableFuture<Void>> readings = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            readings.add(store.append(List.of(reading("d" + (i % 3), i, Instant.now()))).toCompletableFuture());
        }
        CompletableFuture<Void> oneTooMany = store.append(List.of(reading("d", 1, Instant.now()))).toCompletableFuture();
        assertInstanceOf(BackpressureException.class, assertThrows(CompletionException.class, oneTooMany::join).getCause());
        CampusEvent intrusion = CampusEvent.builder().schoolId("sch-1").deviceId("cam-fence-1").kind("camera.intrusion")
                .severity(Severity.WARNING).build();
        CompletableFuture<Void> alarm = store.append(List.of(intrusion)).toCompletableFuture();
        assertFalse(alarm.isDone(), "the intrusion was refused or failed while readings filled the queue");
        // the urgent lane is bounded too: a flood of intrusions fills it
        List<CompletableFuture<Void>> urgent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            urgent.add(store.append(List.of(CampusEvent.builder().schoolId("sch-1").deviceId("cam-" + i).kind("camera.intrusion")
                    .severity(Severity.WARNING).build())).toCompletableFuture());
        }
        CompletableFuture<Void> sixth = store.append(List.of(CampusEvent.builder().schoolId("sch-1").deviceId("cam-9")
                .kind("camera.intrusion").severity(Severity.WARNING).build())).toCompletableFuture();
        assertInstanceOf(BackpressureException.class, assertThrows(CompletionException.class, sixth::join).getCause());
        // and cannot keep out the alarm it raised, or its acknowledgement: they have a lane of their own
        CompletableFuture<Void> raised = store.append(List.of(CampusEvent.builder().schoolId("sch-1").deviceId("cam-9")
                .kind("alarm.raised").severity(Severity.CRITICAL).build())).toCompletableFuture();
        CompletableFuture<Void> acked = store.append(List.of(CampusEvent.builder().schoolId("sch-1").deviceId("cam-9")
                .kind("alarm.acknowledged").severity(Severity.INFO).build())).toCompletableFuture();
        assertFalse(raised.isDone() || acked.isDone(), "an alarm transition was refused while intrusions filled their lane");
        disk.countDown();
        alarm.get(10, TimeUnit.SECONDS);
        raised.get(10, TimeUnit.SECONDS);
        acked.get(10, TimeUnit.SECONDS);
        assertEquals(2, store.count(EventQuery.all(0).withKind("alarm.*")));
        for (CompletableFuture<Void> r : readings) {
            r.get(10, TimeUnit.SECONDS);
        }
        assertEquals(5, store.count(EventQuery.all(0).withKind("camera.intrusion")));
        assertEquals(100, store.count(EventQuery.all(0).withKind("lab.reading")));
    }

    @Test
    void readingsThatFillTheDiskLeaveRoomForAlarms() throws Exception {
        Path file = dir.resolve("cap.db");
        // a 4 MiB "disk" of which 2 MiB are kept for the alarm path
        store = new SqliteEventStore(SqliteEventStore.config(file, "NORMAL", 1000, 100_000, 10_000, 4, 2));
        Instant t = Instant.parse("2026-12-02T08:00:00Z");
        int stored = 0;
        BackpressureException refusal = null;
        for (int round = 0; round < 1_000 && refusal == null; round++) {
            List<CampusEvent> batch = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                batch.add(reading("kit-" + (i % 40), i, t.plusMillis(round * 500L + i)));
            }
            try {
                store.append(batch).toCompletableFuture().get(10, TimeUnit.SECONDS);
                stored += batch.size();
            } catch (java.util.concurrent.ExecutionException e) {
                refusal = assertInstanceOf(BackpressureException.class, e.getCause());
            }
        }
        assertTrue(refusal != null && refusal.getMessage().contains("nearly full"), "readings were never refused: " + stored);
        assertTrue(stored > 5_000, "readings were refused too early: " + stored);
        // the kept space: an intrusion still lands, then every transition of its alarm, and the audit record
        CampusEvent intrusion = CampusEvent.builder().schoolId("sch-1").deviceId("cam-fence-1").kind("camera.intrusion")
                .severity(Severity.WARNING).build();
        store.append(List.of(intrusion)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 300; i++) {
            String kind = List.of("alarm.raised", "alarm.escalated", "alarm.acknowledged", "audit.alarm-acknowledged").get(i % 4);
            store.append(List.of(CampusEvent.builder().schoolId("sch-1").deviceId("cam-fence-1").kind(kind)
                    .severity(Severity.CRITICAL).attributes(java.util.Map.of("alarm", "night:cam-fence-1:" + i)).build()))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertEquals(300, store.count(EventQuery.all(0).withKind("alarm.*")) + store.count(EventQuery.all(0).withKind("audit.*")));
        CompletableFuture<Void> more = store.append(List.of(reading("kit-1", 1, t.plusSeconds(3600)))).toCompletableFuture();
        assertInstanceOf(BackpressureException.class, assertThrows(CompletionException.class, more::join).getCause());
        assertTrue(store.stats().lastFailure() == null, "a commit failed: " + store.stats().lastFailure());
        store.close();
        store = null;
        assertTrue(java.nio.file.Files.size(file) <= 4L << 20, "the file outgrew its cap: " + java.nio.file.Files.size(file));
    }

    @Test
    void aFullQueueRefusesAppendsInsteadOfGrowing() throws Exception {
        store = new SqliteEventStore(config(dir.resolve("o.db"), 10, 25));
        List<CampusEvent> thirty = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            thirty.add(reading("d", i, Instant.now()));
        }
        CompletableFuture<Void> refused = store.append(thirty).toCompletableFuture();
        CompletionException ex = assertThrows(CompletionException.class, refused::join);
        assertInstanceOf(BackpressureException.class, ex.getCause());
        assertEquals(30, store.stats().failedAppends());
        store.append(thirty.subList(0, 20)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(20, store.count(EventQuery.all(0)));
    }

    @Test
    void retentionDeletesOldReadingsButKeepsOtherEvents() throws Exception {
        store = new SqliteEventStore(config(dir.resolve("r.db"), 1000, 100_000));
        long now = System.currentTimeMillis();
        long old = now - Duration.ofDays(40).toMillis();
        List<CampusEvent> events = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) { // more than one retention chunk
            events.add(withId(reading("d1", i, Instant.ofEpochMilli(old)), old + i / 100));
        }
        CampusEvent oldAlarm = CampusEvent.builder().id(EventIds.at(old)).schoolId("s").deviceId("cam")
                .kind("alarm.raised").severity(Severity.CRITICAL).build();
        events.add(oldAlarm);
        events.add(reading("d1", 99, Instant.ofEpochMilli(now)));
        store.append(events).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertEquals(12_000, store.deleteReadingsOlderThan(Duration.ofDays(30)));
        assertEquals(1, store.count(EventQuery.all(0).withKind("lab.reading")));
        assertEquals(1, store.count(EventQuery.all(0).withKind("alarm.raised")));
        assertEquals(12_000, store.stats().retentionDeleted());
    }

    /** A store's configuration with the gateway's retention periods (30, 7, 90, 400, 180 days), run by the test, not a timer. */
    static SqliteEventStore.Config withRetention(SqliteEventStore.Config base) {
        return new SqliteEventStore.Config() {
            @Override public Class<? extends java.lang.annotation.Annotation> annotationType() { return SqliteEventStore.Config.class; }
            @Override public String path() { return base.path(); }
            @Override public int retentionDays() { return 30; }
            @Override public int cardRetentionDays() { return 7; }
            @Override public int cameraRetentionDays() { return 90; }
            @Override public int alarmRetentionDays() { return 400; }
            @Override public int otherRetentionDays() { return 180; }
            @Override public int retentionIntervalMinutes() { return 100_000; }
            @Override public int backupHours() { return 0; }
            @Override public int backupKeep() { return 7; }
            @Override public String synchronous() { return base.synchronous(); }
            @Override public int maxBatchEvents() { return base.maxBatchEvents(); }
            @Override public int maxQueuedEvents() { return base.maxQueuedEvents(); }
            @Override public int maxQueuedUrgentEvents() { return base.maxQueuedUrgentEvents(); }
            @Override public int maxDatabaseMegabytes() { return 0; }
            @Override public int reservedMegabytes() { return 0; }
        };
    }

    @Test
    void eachClassOfEventIsKeptForItsOwnPeriod() throws Exception {
        SqliteEventStore.Config c = withRetention(config(dir.resolve("classes.db"), 1000, 100_000));
        store = new SqliteEventStore(c);
        long now = System.currentTimeMillis();
        List<CampusEvent> events = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger seq = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.BiConsumer<String, Integer> at = (kind, daysAgo) -> {
            long t = now - Duration.ofDays(daysAgo).toMillis() + seq.incrementAndGet();
            events.add(CampusEvent.builder().id(EventIds.at(t)).schoolId("s").deviceId("d").kind(kind).severity(Severity.INFO)
                    .occurredAt(Instant.ofEpochMilli(t)).build());
        };
        for (String kind : List.of("lab.reading", "energy.reading", "card.swipe", "card.denied", "camera.intrusion", "alarm.raised",
                "audit.login-failed", "device.offline", "broadcast.played")) {
            for (int days : List.of(1, 8, 31, 91, 181, 401)) {
                at.accept(kind, days);
            }
        }
        events.sort(java.util.Comparator.comparing(CampusEvent::id)); // stored as they happened, oldest first, as a gateway stores them
        store.append(events).toCompletableFuture().get(30, TimeUnit.SECONDS);
        store.applyRetention();
        java.util.Map<String, Long> left = new java.util.TreeMap<>();
        for (CampusEvent e : store.query(EventQuery.all(1000))) {
            left.merge(e.kind(), 1L, Long::sum);
        }
        // kept: readings 1 and 8 days old; cards 1; cameras 1, 8, 31; alarms and audit all but the 401-day one; others up to 91
        assertEquals(java.util.Map.of("lab.reading", 2L, "energy.reading", 2L, "card.swipe", 1L, "card.denied", 1L,
                "camera.intrusion", 3L, "alarm.raised", 5L, "audit.login-failed", 5L, "device.offline", 4L, "broadcast.played", 4L), left);
        assertEquals(5, store.retention().size());
        assertTrue(store.retention().get(1).startsWith("cards (card.*): 7 days"), store.retention().get(1));
        // the swipes went; their counts stayed, per reader, hour, kind and direction: 5 of each kind, none of their cards
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("classes.db")); Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT kind, sum(n), count(*) FROM card_counts_log WHERE device_id = 'd' GROUP BY kind ORDER BY kind")) {
            List<String> counts = new ArrayList<>();
            while (rs.next()) {
                counts.add(rs.getString(1) + " " + rs.getLong(2) + " in " + rs.getLong(3) + " hours");
            }
            assertEquals(List.of("card.denied 5 in 5 hours", "card.swipe 5 in 5 hours"), counts);
        }
        store.applyRetention(); // again: nothing counted twice
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("classes.db")); Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT sum(n) FROM card_counts")) {
            assertEquals(10, rs.getLong(1));
        }
    }

    private static CampusEvent withId(CampusEvent e, long millis) {
        return new CampusEvent(EventIds.at(millis), e.schoolId(),
                e.deviceId(), e.profileId(), e.location(), e.kind(), e.severity(), e.occurredAt(), e.receivedAt(),
                e.measurements(), e.attributes());
    }

    @Test
    void aDeviceThatMovesKeepsItsOldLocationOnItsOldEvents() throws Exception {
        Path file = dir.resolve("moves.db");
        store = new SqliteEventStore(config(file, 1000, 10_000));
        Instant t = Instant.parse("2026-11-22T08:00:00Z");
        CampusEvent before = reading("d1", 1, t);
        CampusEvent after = CampusEvent.builder().schoolId("sch-1").deviceId("d1").profileId("lab-sensor-kit")
                .location(new Location("Science", "3", "Bio 2", "bench-4")).kind("lab.reading").occurredAt(t.plusSeconds(1))
                .receivedAt(t.plusSeconds(1)).measurements(List.of(Measurement.numeric("temperature", "Cel", 2, t.plusSeconds(1))))
                .build();
        store.append(List.of(before, reading("d2", 5, t))).toCompletableFuture().get(10, TimeUnit.SECONDS);
        store.append(List.of(after, reading("d1", 3, t.plusSeconds(2)))).toCompletableFuture().get(10, TimeUnit.SECONDS);

        List<CampusEvent> d1 = store.query(EventQuery.all(10).withDevice("d1"));
        assertEquals(List.of("Chem 1", "Bio 2", "Chem 1"), d1.stream().map(e -> e.location().room()).toList());
        assertEquals(before, d1.get(0));
        assertEquals(after, d1.get(1));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM devices")) {
            rs.next();
            assertEquals(3, rs.getInt(1), "d1 in Chem 1, d1 in Bio 2, d2: one devices row each");
        }
        store.close();
        store = new SqliteEventStore(config(file, 1000, 10_000)); // the refs are read back, not duplicated
        store.append(List.of(reading("d1", 4, t.plusSeconds(3)))).toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), (SELECT count(*) FROM event_log) FROM devices")) {
            rs.next();
            assertEquals(3, rs.getInt(1));
            assertEquals(5, rs.getInt(2));
        }
    }

    @Test
    void aFullDiskFailsTheCommitWithoutAnAcknowledgementAndTheNextCommitsWork() throws Exception {
        Path file = dir.resolve("full.db");
        store = new SqliteEventStore(config(file, 20_000, 1_000_000));
        Instant t = Instant.parse("2026-11-22T08:00:00Z");
        store.append(List.of(reading("d1", 1, t))).toCompletableFuture().get(10, TimeUnit.SECONDS);
        long pages = (Long) store.onWriter(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA page_count")) {
                rs.next();
                return rs.getLong(1);
            }
        }).get(10, TimeUnit.SECONDS);
        // the disk is "full" at the current size: SQLite fails the commit with SQLITE_FULL
        store.onWriter(c -> c.createStatement().executeQuery("PRAGMA max_page_count = " + pages)).get(10, TimeUnit.SECONDS);
        List<CampusEvent> big = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            big.add(reading("new-device-" + (i % 7), i, t.plusMillis(i)));
        }
        CompletionException full = assertThrows(CompletionException.class, () -> store.append(big).toCompletableFuture().join());
        assertTrue(full.getCause().getMessage().toLowerCase().contains("full"), full.getCause().getMessage());
        assertEquals(1, store.count(EventQuery.all(0)));
        assertTrue(store.stats().lastFailure().toLowerCase().contains("full"));
        assertTrue(store.stats().failing(), "the newest commit failed: a health check must say so");

        // space again: the writer is in a proper transaction, the new devices are written once
        store.onWriter(c -> c.createStatement().executeQuery("PRAGMA max_page_count = 1073741823")).get(10, TimeUnit.SECONDS);
        store.append(big).toCompletableFuture().get(30, TimeUnit.SECONDS);
        store.append(List.of(reading("d1", 2, t.plusSeconds(9)))).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(5_002, countInFreshConnection(file));
        assertTrue(!store.stats().failing() && store.stats().commitNanos() > 0, "stored again: " + store.stats());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT device_id) FROM devices")) {
            rs.next();
            assertEquals(8, rs.getInt(1), "a device row per device, none duplicated by the failed commit");
            assertEquals(8, rs.getInt(2));
        }
    }

    @Test
    void closingCommitsWhatIsQueuedAndRefusesWhatComesAfter() throws Exception {
        Path file = dir.resolve("close.db");
        store = new SqliteEventStore(config(file, 100, 1_000_000));
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            acks.add(store.append(List.of(reading("d" + (i % 3), i, Instant.now()))).toCompletableFuture());
        }
        store.close();
        for (CompletableFuture<Void> a : acks) {
            assertTrue(a.isDone() && !a.isCompletedExceptionally(), "a queued append was dropped at close");
        }
        assertEquals(200, countInFreshConnection(file));
        CompletionException after = assertThrows(CompletionException.class,
                () -> store.append(List.of(reading("d", 1, Instant.now()))).toCompletableFuture().join());
        assertTrue(after.getCause().getMessage().contains("closed"));
        store = null;
    }

    @Test
    void theWriteAheadLogIsTruncatedWhenItGrowsPastItsLimit() throws Exception {
        store = new SqliteEventStore(config(dir.resolve("wal.db"), 20_000, 1_000_000));
        Instant t = Instant.now();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        // about 100 MB of pages under a continuous stream of commits, as at full load
        for (int round = 0; round < 60; round++) {
            List<CampusEvent> pack = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                pack.add(reading("d" + (i % 50), i, t.plusMillis(round * 5_000L + i)));
            }
            acks.add(store.append(pack).toCompletableFuture());
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (store.walBytes() > SqliteEventStore.WAL_LIMIT_BYTES && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(store.walBytes() <= SqliteEventStore.WAL_LIMIT_BYTES, "WAL still " + store.walBytes() + " bytes");
        assertEquals(300_000, store.count(EventQuery.all(0)));
    }

    @Test
    void aFileOfAnotherLayoutIsRefusedAtActivationWithTheReason() throws Exception {
        Path file = dir.resolve("old.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE events(id TEXT PRIMARY KEY, device_id TEXT)");
            s.execute("PRAGMA user_version = 1");
        }
        java.sql.SQLException e = assertThrows(java.sql.SQLException.class, () -> new SqliteEventStore(config(file, 10, 10)));
        assertTrue(e.getMessage().contains("pre-release"), e.getMessage());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 7");
        }
        e = assertThrows(java.sql.SQLException.class, () -> new SqliteEventStore(config(file, 10, 10)));
        assertTrue(e.getMessage().contains("written by a newer release (schema 7; this release knows up to 5)"), e.getMessage());
    }

    @Test
    void reopeningAFileKeepsItsEvents() throws Exception {
        Path file = dir.resolve("reopen.db");
        store = new SqliteEventStore(config(file, 1000, 10_000));
        store.append(List.of(reading("d1", 1, Instant.now()))).toCompletableFuture().get(10, TimeUnit.SECONDS);
        store.close();
        store = new SqliteEventStore(config(file, 1000, 10_000));
        assertEquals(1, store.count(EventQuery.all(0)));
    }

    @Test
    void aTimelineIsNewestFirstAndFiltersByKindPatternAndBuilding() throws Exception {
        store = new SqliteEventStore(config(dir.resolve("events.db"), 100, 10_000));
        Instant t = Instant.parse("2026-11-24T14:00:00Z");
        List<CampusEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String kind = i % 2 == 0 ? "camera.intrusion" : "camera.motion";
            String building = i < 3 ? "Fence" : "Teaching";
            events.add(CampusEvent.builder().schoolId("sch-1").deviceId("cam-" + i).profileId("camera-isapi")
                    .location(new Location(building, null, null, null)).kind(kind).occurredAt(t.plusSeconds(i))
                    .receivedAt(t.plusSeconds(i)).build());
        }
        events.add(reading("lab-1", 20, t.plusSeconds(10)));
        store.append(events).toCompletableFuture().get();
        List<CampusEvent> cameras = store.query(EventQuery.all(3).withKind("camera.*").latestFirst());
        assertEquals(List.of("cam-5", "cam-4", "cam-3"), cameras.stream().map(CampusEvent::deviceId).toList());
        List<CampusEvent> fenceIntrusions = store.query(EventQuery.all(10).withKind("camera.intrusion").withBuilding("Fence"));
        assertEquals(List.of("cam-0", "cam-2"), fenceIntrusions.stream().map(CampusEvent::deviceId).toList());
        assertEquals(6, store.count(EventQuery.all(0).withKind("camera.*")));
    }
}
