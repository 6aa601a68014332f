package org.campusedge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Location;
import org.campusedge.api.Measurement;
import org.campusedge.store.files.EventStoreFile;

/**
 * The event store alone: producer threads append packs of ten lab readings as fast as the group
 * commit takes them, for a few rounds; prints rows made durable per second (median of the rounds)
 * and commits per second. The ceiling the whole gateway works under.
 */
public final class StoreBenchmark {

    private StoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String sync = args.length > 0 ? args[0] : "FULL";
        int producers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int rounds = 5;
        Path dir = Files.createTempDirectory("store-bench");
        EventStoreFile store = EventStoreFile.open(dir.resolve("events.db"), sync, 20_000, 200_000);
        System.out.printf(Locale.ROOT, "Store benchmark: synchronous=%s, %d producers, packs of 10, %d rounds of %d s%n",
                sync, producers, rounds, seconds);
        List<Double> rates = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) { // round 0 warms up
            long rowsBefore = store.stats().eventsWritten();
            long commitsBefore = store.stats().commits();
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            AtomicLong seq = new AtomicLong();
            for (int p = 0; p < producers; p++) {
                Thread t = new Thread(() -> produce(store, end, seq));
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double rows = (store.stats().eventsWritten() - rowsBefore) / elapsed;
            double commits = (store.stats().commits() - commitsBefore) / elapsed;
            if (round > 0) {
                rates.add(rows);
                System.out.printf(Locale.ROOT, "round %d: %.0f rows/s durable, %.0f commits/s%n", round, rows, commits);
            }
        }
        rates.sort(null);
        System.out.printf(Locale.ROOT, "median %.0f rows/s durable%n", rates.get(rates.size() / 2));
        store.close();
    }

    private static void produce(EventStoreFile store, long end, AtomicLong seq) {
        Semaphore inFlight = new Semaphore(64); // like connectors: bounded appends waiting for their commit
        Location loc = new Location("Science", "3F", "301", "bench-1");
        while (System.nanoTime() < end) {
            inFlight.acquireUninterruptibly();
            Instant now = Instant.now();
            List<CampusEvent> pack = new ArrayList<>(10);
            for (int i = 0; i < 10; i++) {
                pack.add(CampusEvent.builder().schoolId("sch-bench").deviceId("lab-bench-" + (seq.get() % 200))
                        .profileId("lab-sensor-kit").location(loc).kind("lab.reading").occurredAt(now).receivedAt(now)
                        .measurements(List.of(Measurement.numeric("temperature", "Cel", 21.5 + i * 0.1, now))).build());
            }
            seq.incrementAndGet();
            CompletableFuture<Void> f = store.append(pack).toCompletableFuture();
            f.whenComplete((v, e) -> inFlight.release());
        }
        inFlight.acquireUninterruptibly(64);
    }
}
