package org.campusedge.hono.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.campusedge.api.Outbox;
import org.campusedge.store.files.OutboxFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain policy over a real outbox: critical lane first, queue order kept across failures, a
 * refusing cloud backed off from (not a hot loop). The cloud here is a scripted sender; the real one
 * (Hono's client against the sandbox) is driven by the launcher's cloud integration tests.
 */
class DrainerTest {

    @TempDir
    Path dir;

    /** Accepts or refuses as told, recording every attempt. */
    static class ScriptedCloud implements CloudSender {
        final List<String> attempts = new CopyOnWriteArrayList<>();
        final AtomicBoolean refuse = new AtomicBoolean();

        @Override
        public boolean connected() {
            return true;
        }

        @Override
        public CompletableFuture<Void> send(Outbox.Message m) {
            attempts.add(m.eventId());
            return refuse.get() ? CompletableFuture.failedFuture(new IllegalStateException("released")) : CompletableFuture.completedFuture(null);
        }
    }

    /** Refuses the messages it is told to refuse for good, the way Hono rejects a sender's fault; takes the rest. */
    static class PickyCloud extends ScriptedCloud {
        final java.util.Set<String> refuseForGood = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public CompletableFuture<Void> send(Outbox.Message m) {
            attempts.add(m.eventId());
            return refuseForGood.contains(m.eventId()) ? CompletableFuture.failedFuture(new IllegalStateException("unauthorized"))
                    : refuse.get() ? CompletableFuture.failedFuture(new IllegalStateException("released")) : CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean permanent(Throwable failure) {
            return "unauthorized".equals(failure.getMessage());
        }
    }

    @Test
    void aMessageRefusedForGoodIsParkedAndDoesNotBlockTheLane() throws Exception {
        try (OutboxFile outbox = OutboxFile.open(dir.resolve("outbox.db"), 10_000_000)) {
            outbox.enqueue(Outbox.Lane.CRITICAL, "bad", "event//s.unknown-device", "application/json", new byte[] {1});
            outbox.enqueue(Outbox.Lane.CRITICAL, "good", "event//s.d", "application/json", new byte[] {2});
            outbox.enqueue(Outbox.Lane.CRITICAL, "unsendable", "bogus//x", "application/json", new byte[] {3});
            PickyCloud cloud = new PickyCloud() {
                @Override
                public CompletableFuture<Void> send(Outbox.Message m) {
                    if (m.address().startsWith("bogus")) {
                        attempts.add(m.eventId());
                        throw new IllegalArgumentException("not a Hono address: " + m.address());
                    }
                    return super.send(m);
                }
            };
            cloud.refuseForGood.add("bad");
            try (Drainer drainer = new Drainer(outbox, cloud, 1000, Duration.ofMillis(20), Duration.ofMillis(40))) {
                drainer.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (outbox.stats().critical() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(0, outbox.stats().critical(), "the lane is blocked: " + cloud.attempts);
                assertEquals(2, outbox.stats().parked(), "the refused and the unsendable message are parked, not deleted");
                assertEquals(Drainer.PARK_AFTER, cloud.attempts.stream().filter("bad"::equals).count());
                assertEquals(1, cloud.attempts.stream().filter("unsendable"::equals).count());
                assertEquals(1, drainer.accepted.get());
            }
        }
    }

    @Test
    void aNewCriticalMessageCutsATelemetryBackOffShort() throws Exception {
        try (OutboxFile outbox = OutboxFile.open(dir.resolve("outbox.db"), 10_000_000)) {
            outbox.enqueue(Outbox.Lane.TELEMETRY, "t0", "telemetry", "application/json", new byte[] {1});
            PickyCloud cloud = new PickyCloud();
            cloud.refuseForGood.clear();
            try (Drainer drainer = new Drainer(outbox, cloud, 1000, Duration.ofSeconds(20), Duration.ofSeconds(20))) {
                cloud.refuse.set(true);
                drainer.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (cloud.attempts.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                cloud.refuse.set(false); // the cloud is back, but the drain is in a 20 s back-off for t0
                outbox.enqueue(Outbox.Lane.CRITICAL, "c0", "event//s.d", "application/json", new byte[] {2});
                drainer.wakeUpCritical();
                deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (outbox.stats().critical() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(0, outbox.stats().critical(), "the critical message waited out the telemetry back-off");
            }
        }
    }

    @Test
    void criticalFirstOrderKeptAndBackedOffWhileRefused() throws Exception {
        try (OutboxFile outbox = OutboxFile.open(dir.resolve("outbox.db"), 10_000_000)) {
            for (int i = 0; i < 3; i++) {
                outbox.enqueue(Outbox.Lane.TELEMETRY, "t" + i, "telemetry", "application/json", new byte[] {1});
            }
            for (int i = 0; i < 2; i++) {
                outbox.enqueue(Outbox.Lane.CRITICAL, "c" + i, "event//s.d", "application/json", new byte[] {2});
            }
            ScriptedCloud cloud = new ScriptedCloud();
            cloud.refuse.set(true);
            try (Drainer drainer = new Drainer(outbox, cloud, 1000, Duration.ofMillis(200), Duration.ofSeconds(1))) {
                drainer.start();
                Thread.sleep(1500);
                int refusedAttempts = cloud.attempts.size();
                // 200 + 400 + 800 ms (+ jitter) of back-off fit about 3-4 attempts into 1.5 s, a hot loop thousands
                assertTrue(refusedAttempts >= 2 && refusedAttempts <= 6, "attempts while refused: " + cloud.attempts);
                assertTrue(cloud.attempts.stream().allMatch("c0"::equals), "the oldest critical message is retried, nothing overtakes it");
                assertEquals(5, outbox.stats().critical() + outbox.stats().telemetry(), "nothing leaves while refused");

                cloud.refuse.set(false);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                // the drain counts a delivery just after the outbox lets go of it: wait for both
                while (((outbox.stats().critical() + outbox.stats().telemetry()) > 0 || drainer.accepted.get() < 5)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(0, outbox.stats().critical() + outbox.stats().telemetry());
                List<String> delivered = cloud.attempts.subList(refusedAttempts, cloud.attempts.size());
                assertEquals(List.of("c0", "c1", "t0", "t1", "t2"), delivered.subList(delivered.size() - 5, delivered.size()));
                assertEquals(5, drainer.accepted.get());
            }
        }
    }
}
