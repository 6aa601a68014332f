package org.campusedge.bus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventBus;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.StoreStats;
import org.junit.jupiter.api.Test;

class RxEventBusTest {

    /** A store whose commits the test controls, so "durable first" can be observed. */
    static class ManualStore implements EventStore {
        final List<CompletableFuture<Void>> pending = Collections.synchronizedList(new ArrayList<>());

        @Override
        public CompletionStage<Void> append(List<CampusEvent> events) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        void commitAll() {
            List<CompletableFuture<Void>> copy;
            synchronized (pending) {
                copy = new ArrayList<>(pending);
                pending.clear();
            }
            copy.forEach(f -> f.complete(null));
        }

        @Override public List<CampusEvent> query(EventQuery q) { return List.of(); }
        @Override public long count(EventQuery q) { return 0; }
        @Override public StoreStats stats() { return new StoreStats(0, 0, 0, 0, 0, 0, null); }
    }

    static CampusEvent event(int i) {
        return CampusEvent.builder().schoolId("s").deviceId("d" + (i % 4)).kind("lab.reading")
                .occurredAt(Instant.ofEpochMilli(i)).build();
    }

    private final List<RxEventBus> buses = new ArrayList<>();

    private RxEventBus bus(EventStore store) {
        RxEventBus bus = new RxEventBus(store);
        buses.add(bus);
        return bus;
    }

    @org.junit.jupiter.api.AfterEach
    void stopBuses() {
        buses.forEach(RxEventBus::deactivate); // frees the subscriber threads even when a test failed
    }

    /** Waits (Awaitility, polling every 5 ms on this thread) until the condition holds or the time is up. */
    static boolean eventually(java.util.function.BooleanSupplier condition, long seconds) throws InterruptedException {
        if (seconds <= 0) {
            return condition.getAsBoolean(); // no time to wait: one look
        }
        try {
            org.awaitility.Awaitility.await().pollInSameThread().pollDelay(java.time.Duration.ZERO)
                    .pollInterval(java.time.Duration.ofMillis(5)).atMost(java.time.Duration.ofSeconds(seconds))
                    .until(condition::getAsBoolean);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    @Test
    void subscribersSeeEventsOnlyAfterTheStoreCommittedThem() throws Exception {
        ManualStore store = new ManualStore();
        RxEventBus bus = bus(store);
        List<CampusEvent> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch got = new CountDownLatch(3);
        bus.subscribe("console", 100, e -> { seen.add(e); got.countDown(); });
        List<CampusEvent> events = List.of(event(1), event(2), event(3));
        CompletableFuture<Void> ack = bus.publish(events).toCompletableFuture();

        assertFalse(ack.isDone());
        assertFalse(got.await(200, TimeUnit.MILLISECONDS), "delivered before durable");
        store.commitAll();
        ack.get(5, TimeUnit.SECONDS);
        assertTrue(got.await(5, TimeUnit.SECONDS));
        assertEquals(events, seen);
    }

    @Test
    void aSlowSubscriberShedsCountedAndNeitherSlowsPublishingNorTheFastOne() throws Exception {
        ManualStore store = new ManualStore();
        RxEventBus bus = bus(store);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger fast = new AtomicInteger();
        AtomicInteger slow = new AtomicInteger();
        int n = 50_000;
        CountDownLatch fastDone = new CountDownLatch(n);
        bus.subscribe("fast", 2 * n, e -> { fast.incrementAndGet(); fastDone.countDown(); });
        bus.subscribe("stuck", 1_000, e -> {
            try {
                release.await(); // blocked like a browser on a dead socket
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            slow.incrementAndGet();
        });
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            acks.add(bus.publish(List.of(event(i))).toCompletableFuture());
        }
        store.commitAll(); // the committing thread runs every fan-out; it must not block on "stuck"
        for (CompletableFuture<Void> a : acks) {
            assertTrue(a.isDone(), "an acknowledgement waited for a subscriber");
        }
        assertTrue(fastDone.await(20, TimeUnit.SECONDS), "fast subscriber starved: " + fast.get());

        EventBus.SubscriberStats stuck = bus.subscribers().stream().filter(s -> s.name().equals("stuck")).findFirst().orElseThrow();
        // it holds its capacity and the one event in its hands; the rest is shed
        assertTrue(stuck.shed() >= n - 1_000 - 1, "shed only " + stuck.shed());
        release.countDown();
        // what was not shed is delivered: delivered + shed accounts for every event
        java.util.function.Supplier<EventBus.SubscriberStats> stuckStats =
                () -> bus.subscribers().stream().filter(x -> x.name().equals("stuck")).findFirst().orElseThrow();
        eventually(() -> stuckStats.get().delivered() + stuckStats.get().shed() >= n, 10);
        assertEquals(n, stuckStats.get().delivered() + stuckStats.get().shed());
        EventBus.SubscriberStats f = bus.subscribers().stream().filter(x -> x.name().equals("fast")).findFirst().orElseThrow();
        assertEquals(0, f.shed());
        assertEquals(n, f.delivered());
    }

    @Test
    void anIntrusionReachesAStuckSubscriberThroughAFloodOfReadings() throws Exception {
        ManualStore store = new ManualStore();
        RxEventBus bus = bus(store);
        CountDownLatch release = new CountDownLatch(1);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        bus.subscribe("rules", 1_000, e -> {
            try {
                release.await(); // the rules busy with something slow while readings pour in
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            seen.add(e.kind());
        });
        int n = 50_000;
        for (int i = 0; i < n / 2; i++) {
            bus.publish(List.of(event(i)));
        }
        CampusEvent intrusion = CampusEvent.builder().schoolId("s").deviceId("cam-fence-1").kind("camera.intrusion")
                .severity(org.campusedge.api.Severity.WARNING).build();
        bus.publish(List.of(intrusion));
        for (int i = n / 2; i < n; i++) {
            bus.publish(List.of(event(i)));
        }
        store.commitAll();
        release.countDown();
        eventually(() -> bus.subscribers().get(0).delivered() + bus.subscribers().get(0).shed() >= n + 1, 20);
        // the readings overflowed the subscriber's buffer and were shed, the intrusion was not
        assertTrue(bus.subscribers().get(0).shed() > n - 2_000, "shed " + bus.subscribers().get(0).shed());
        assertTrue(seen.contains("camera.intrusion"), "the intrusion was shed with the readings");
        // and it did not wait behind the readings still buffered: next after the one the subscriber was busy with
        assertEquals(1, seen.indexOf("camera.intrusion"), "the intrusion waited behind readings");
    }

    @Test
    void aPublishBiggerThanASubscribersBufferShedsItsOldestReadingsCountedAndKeepsItsIntrusion() throws Exception {
        // one publish is queued as one batch: the shedding and the urgent lane must hold inside a batch too
        ManualStore store = new ManualStore();
        RxEventBus bus = bus(store);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        List<CampusEvent> seen = Collections.synchronizedList(new ArrayList<>());
        bus.subscribe("rules", 100, e -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            seen.add(e);
        });
        bus.publish(List.of(event(-1)));
        store.commitAll();
        assertTrue(busy.await(5, TimeUnit.SECONDS), "the subscriber never took the first event");
        List<CampusEvent> batch = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            batch.add(event(i));
        }
        CampusEvent intrusion = CampusEvent.builder().schoolId("s").deviceId("cam-fence-1").kind("camera.intrusion")
                .severity(org.campusedge.api.Severity.WARNING).build();
        batch.add(500, intrusion);
        bus.publish(batch);
        store.commitAll();
        release.countDown();
        java.util.function.Supplier<EventBus.SubscriberStats> stats = () -> bus.subscribers().get(0);
        assertTrue(eventually(() -> stats.get().delivered() + stats.get().shed() == 1_002, 10),
                "delivered " + stats.get().delivered() + ", shed " + stats.get().shed());
        assertEquals(900, stats.get().shed(), "the 1,000 readings of one publish in a buffer of 100");
        assertEquals(102, seen.size());
        assertEquals(intrusion, seen.get(1), "the intrusion waited behind the batch's readings");
        // the newest 100 readings stay, in order
        for (int i = 0; i < 100; i++) {
            assertEquals(Instant.ofEpochMilli(900 + i), seen.get(2 + i).occurredAt());
        }
    }

    @Test
    void aProducerReusingItsListAfterPublishingChangesNothingTheSubscribersGet() throws Exception {
        ManualStore store = new ManualStore();
        RxEventBus bus = bus(store);
        List<CampusEvent> seen = Collections.synchronizedList(new ArrayList<>());
        bus.subscribe("console", 100, seen::add);
        List<CampusEvent> buffer = new ArrayList<>(List.of(event(1), event(2), event(3)));
        List<CampusEvent> published = List.copyOf(buffer);
        bus.publish(buffer);
        buffer.clear(); // the producer's next pack goes into the same list before the commit
        buffer.add(event(4));
        store.commitAll();
        assertTrue(eventually(() -> seen.size() >= 3, 5), "delivered " + seen);
        assertEquals(published, seen);
        bus.publish(List.of(event(5)));
        store.commitAll();
        assertTrue(eventually(() -> seen.size() == 4, 5), "the subscriber stopped receiving: " + seen);
    }

    @Test
    void aThrowingSubscriberIsCountedAndKeepsReceiving() throws Exception {
        ManualStore store = new ManualStore();
        RxEventBus bus = bus(store);
        CountDownLatch all = new CountDownLatch(10);
        bus.subscribe("buggy", 100, e -> {
            all.countDown();
            throw new IllegalStateException("boom");
        });
        for (int i = 0; i < 10; i++) {
            bus.publish(List.of(event(i)));
        }
        store.commitAll();
        assertTrue(all.await(5, TimeUnit.SECONDS));
        eventually(() -> bus.subscribers().get(0).failed() >= 10, 5);
        assertEquals(10, bus.subscribers().get(0).failed());
    }

    @Test
    void aFailedCommitFailsThePublishAndDeliversNothing() throws Exception {
        EventStore failing = new ManualStore() {
            @Override
            public CompletionStage<Void> append(List<CampusEvent> events) {
                return CompletableFuture.failedFuture(new IllegalStateException("disk full"));
            }
        };
        RxEventBus bus = bus(failing);
        AtomicInteger seen = new AtomicInteger();
        bus.subscribe("x", 10, e -> seen.incrementAndGet());
        CompletableFuture<Void> ack = bus.publish(List.of(event(1))).toCompletableFuture();
        assertTrue(ack.isCompletedExceptionally());
        Thread.sleep(100); // nothing may arrive; there is no condition to wait for
        assertEquals(0, seen.get());
    }
}
