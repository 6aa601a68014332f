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
import org.campusedge.store.internal.SqliteOutbox;
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
    static final class ScriptedCloud implements CloudSender {
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

    @Test
    void criticalFirstOrderKeptAndBackedOffWhileRefused() throws Exception {
        try (SqliteOutbox outbox = new SqliteOutbox(dir.resolve("outbox.db"), 10_000_000)) {
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
                while ((outbox.stats().critical() + outbox.stats().telemetry()) > 0 && System.nanoTime() < deadline) {
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
