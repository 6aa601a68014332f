package org.campusedge.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.campusedge.api.Watchdog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watchdog stops the gateway for a dead or stalled part, and only then. */
class GatewayWatchdogTest {

    @TempDir
    Path dir;

    @Test
    void aPartWithWorkWaitingAndNoProgressStopsTheGateway() throws Exception {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        GatewayWatchdog w = new GatewayWatchdog(dir.resolve("alive"), exit::complete);
        try {
            AtomicBoolean busy = new AtomicBoolean();
            Watchdog.Heartbeat h = w.watch("store writer", Duration.ofSeconds(2), busy::get);
            // idle and silent: fine for as long as it likes
            Thread.sleep(3_500);
            assertFalse(exit.isDone(), "an idle part was taken for a stalled one");
            assertTrue(Files.exists(dir.resolve("alive")), "the alive file is written while all is well");
            // busy and beating: fine
            busy.set(true);
            for (int i = 0; i < 6; i++) {
                h.beat();
                Thread.sleep(500);
            }
            assertFalse(exit.isDone(), "a busy part that makes progress was taken for a stalled one");
            // busy and silent: stalled
            assertEquals(Watchdog.EXIT_STATUS, exit.get(10, TimeUnit.SECONDS));
            assertFalse(Files.exists(dir.resolve("alive")), "a stopping gateway still says it is alive");
        } finally {
            w.deactivate();
        }
    }

    @Test
    void workArrivingAfterAQuietSpellIsGivenItsFullTime() throws Exception {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        GatewayWatchdog w = new GatewayWatchdog(null, exit::complete);
        try {
            AtomicBoolean busy = new AtomicBoolean();
            Watchdog.Heartbeat h = w.watch("bus subscriber rules", Duration.ofSeconds(3), busy::get);
            Thread.sleep(4_500); // quiet, no beats: longer than the limit
            busy.set(true); // an event arrives; the part will take a second for it
            Thread.sleep(1_500);
            h.beat();
            busy.set(false);
            Thread.sleep(1_500);
            assertFalse(exit.isDone(), "work that came after a quiet spell was taken for a stall");
        } finally {
            w.deactivate();
        }
    }

    @Test
    void aPartThatDiesStopsTheGatewayOnce() throws Exception {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        int[] calls = {0};
        GatewayWatchdog w = new GatewayWatchdog(null, status -> {
            calls[0]++;
            exit.complete(status);
        });
        try {
            w.fatal("the event store writer", new ThreadDeath());
            w.fatal("the card reader server's acceptor", new IllegalStateException("again"));
            assertEquals(Watchdog.EXIT_STATUS, exit.get(5, TimeUnit.SECONDS));
            Thread.sleep(200);
            assertEquals(1, calls[0], "stopped twice");
        } finally {
            w.deactivate();
        }
    }

    @Test
    void aClosedWatchIsForgotten() throws Exception {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        GatewayWatchdog w = new GatewayWatchdog(null, exit::complete);
        try {
            Watchdog.Heartbeat h = w.watch("bus subscriber console", Duration.ofMillis(500), () -> true);
            h.close(); // the subscription ended normally
            Thread.sleep(2_500);
            assertFalse(exit.isDone());
            w.watch("bus subscriber console", Duration.ofSeconds(60), () -> false); // the name is free again
        } finally {
            w.deactivate();
        }
    }
}
