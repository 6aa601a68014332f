package org.campusedge.health.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.campusedge.api.CampusHome;
import org.campusedge.api.Watchdog;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's watchdog: checks every watched part once a second and stops the process (exit
 * status 70) when one died or stalled, so that systemd starts it again instead of leaving a
 * gateway that answers nothing. While every part is well it touches {@code run/gateway.alive}, which
 * the unit's external check reads: a frozen JVM, whose own watchdog cannot run, is caught there.
 *
 * <p>Stopping is {@link System#exit} first, so the framework stops and the store commits what is
 * queued; if that has not finished within {@code haltAfterSeconds} (a writer stuck on a dead disk),
 * the JVM is halted. Acknowledgements follow commits, so neither way loses an acknowledged event.
 */
// its configuration is required, like every gateway component's: activated once, with the launcher's settings, instead of
// once with defaults and again (restarting everything that depends on it) when ConfigAdmin delivers them
@Component(service = Watchdog.class, immediate = true, configurationPid = GatewayWatchdog.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = GatewayWatchdog.Config.class)
public final class GatewayWatchdog implements Watchdog {

    public static final String PID = "org.campusedge.watchdog";

    private static final Logger LOG = LoggerFactory.getLogger(GatewayWatchdog.class);

    /** How the watchdog checks and how it stops the gateway. */
    @ObjectClassDefinition(name = "Campus Edge watchdog", description = "Stops a gateway whose vital parts died or stalled")
    public @interface Config {
        @AttributeDefinition(description = "File touched every few seconds while every watched part is well (empty: none)")
        String aliveFile() default "run/gateway.alive";

        @AttributeDefinition(description = "Seconds an orderly stop may take before the JVM is halted")
        int haltAfterSeconds() default 10;
    }

    private final class Watched implements Heartbeat {
        final String part;
        final long maxSilenceNanos;
        final BooleanSupplier busy;
        volatile long lastBeat = System.nanoTime();
        volatile long busySince; // nanos at which the checks first saw work waiting since the last idle moment; 0 = idle (checker thread only)

        Watched(String part, Duration maxSilence, BooleanSupplier busy) {
            this.part = part;
            this.maxSilenceNanos = maxSilence.toNanos();
            this.busy = busy;
        }

        @Override
        public void beat() {
            lastBeat = System.nanoTime();
        }

        @Override
        public void close() {
            parts.remove(part, this);
        }
    }

    private final Map<String, Watched> parts = new ConcurrentHashMap<>();
    private final Path aliveFile;
    private final IntConsumer exit;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "watchdog");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean stopping = new AtomicBoolean();
    private long checks;

    @Activate
    public GatewayWatchdog(Config config) {
        this(config.aliveFile().isBlank() ? null : CampusHome.resolve(config.aliveFile()), exitJvm(config.haltAfterSeconds()));
    }

    /** For tests: {@code exit} receives the exit status instead of the JVM stopping. */
    GatewayWatchdog(Path aliveFile, IntConsumer exit) {
        this.aliveFile = aliveFile;
        this.exit = exit;
        checker.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public Heartbeat watch(String part, Duration maxSilence, BooleanSupplier busy) {
        Watched w = new Watched(part, maxSilence, busy);
        if (parts.putIfAbsent(part, w) != null) {
            throw new IllegalStateException("the watchdog already watches a part named " + part);
        }
        LOG.debug("Watching {} (stalled after {} s with work waiting)", part, maxSilence.toSeconds());
        return w;
    }

    @Override
    public void fatal(String part, Throwable cause) {
        stop(part + " died: " + cause, cause);
    }

    @Override
    public java.util.List<Part> parts() {
        long now = System.nanoTime();
        return parts.values().stream().sorted(java.util.Comparator.comparing(w -> w.part)).map(w -> {
            long since = w.busySince; // written by the checker thread; a second's staleness does not matter here
            boolean busy = since != 0;
            return new Part(w.part, busy, busy ? Duration.ofNanos(Math.max(0, now - Math.max(w.lastBeat, since))) : Duration.ZERO,
                    Duration.ofNanos(w.maxSilenceNanos));
        }).toList();
    }

    /** The parts watched now, for the status report. */
    Map<String, Duration> watched() {
        Map<String, Duration> out = new java.util.TreeMap<>();
        long now = System.nanoTime();
        parts.forEach((k, w) -> out.put(k, Duration.ofNanos(now - w.lastBeat)));
        return out;
    }

    void check() {
        try {
            long now = System.nanoTime();
            for (Watched w : parts.values()) {
                if (!w.busy.getAsBoolean()) {
                    w.busySince = 0;
                    continue;
                }
                if (w.busySince == 0) {
                    w.busySince = now; // work just came in after a quiet spell: its silence counts from now
                }
                long silent = now - Math.max(w.lastBeat, w.busySince);
                if (silent > w.maxSilenceNanos) {
                    stop(w.part + " stalled: work is waiting and it has made no progress for "
                            + TimeUnit.NANOSECONDS.toSeconds(silent) + " s", null);
                    return;
                }
            }
            if (aliveFile != null && checks++ % 5 == 0) {
                touchAlive();
            }
        } catch (RuntimeException e) {
            LOG.warn("Watchdog check failed: {}", e.toString());
        }
    }

    private void touchAlive() {
        try {
            Files.createDirectories(aliveFile.getParent());
            Path tmp = aliveFile.resolveSibling(aliveFile.getFileName() + ".tmp");
            Files.writeString(tmp, Instant.now() + " pid " + ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, aliveFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.debug("alive file not written: {}", e.toString());
        }
    }

    private void stop(String reason, Throwable cause) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        LOG.error("Stopping the gateway so that its supervisor restarts it: {}", reason, cause);
        if (aliveFile != null) {
            try {
                Files.deleteIfExists(aliveFile);
            } catch (IOException e) {
                // the external check will find it stale instead
            }
        }
        // exit from a thread of its own: the caller may be a thread the orderly stop waits for
        Thread t = new Thread(() -> exit.accept(EXIT_STATUS), "watchdog-exit");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Stops the JVM: a daemon thread halts it after {@code haltAfterSeconds} in case the orderly
     * stop (shutdown hooks, the framework's stop) hangs, then {@link System#exit} starts that stop.
     */
    private static IntConsumer exitJvm(int haltAfterSeconds) {
        return status -> {
            Thread halt = new Thread(() -> {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(haltAfterSeconds));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                LOG.error("The orderly stop did not finish within {} s; halting", haltAfterSeconds);
                Runtime.getRuntime().halt(status);
            }, "watchdog-halt");
            halt.setDaemon(true);
            halt.start();
            System.exit(status);
        };
    }

    @Deactivate
    void deactivate() {
        // run/gateway.alive stays until the launcher has closed everything (its shutdown hook removes it)
        checker.shutdownNow();
    }
}
