package org.campusedge.store.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.campusedge.api.EventStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own backups: every {@code store.backupHours} it takes what {@code bin/campus-edge
 * backup} takes (the event store, the outbox and the notification queue, each copied consistently
 * while the gateway runs) into {@code backups/scheduled-TIME} of its home, and keeps the newest
 * {@code store.backupKeep}. The next one is due that many hours after the newest already there, so a
 * gateway restarted often neither skips backups nor takes one at every start. Copying the folder off
 * the box is the school's (the operations guide says how).
 */
@Component(configurationPid = SqliteEventStore.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class ScheduledBackups {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledBackups.class);
    static final String PREFIX = "scheduled-";
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    /** After a start with no backup yet: long enough for the gateway to settle, short enough to have one the first day. */
    static final Duration FIRST_AFTER = Duration.ofMinutes(10);

    private final ScheduledExecutorService timer;
    private final Path home;
    private final Path folder;
    private final int keep;

    /** @param store the event store: backups start once it is open (its file made and migrated) */
    @Activate
    public ScheduledBackups(SqliteEventStore.Config config, @Reference(name = "store") EventStore store) {
        this(Path.of(System.getProperty("campus.home", ".")).toAbsolutePath().normalize(), config.backupHours(), config.backupKeep());
    }

    ScheduledBackups(Path home, int hours, int keep) {
        this.home = home;
        this.folder = home.resolve("backups");
        this.keep = Math.max(1, keep);
        if (hours <= 0) {
            this.timer = null;
            LOG.info("Scheduled backups are off (store.backupHours = 0)");
            return;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "store-backup");
            t.setDaemon(true);
            return t;
        });
        Duration every = Duration.ofHours(hours);
        Instant newest = newest();
        Duration first = newest == null ? FIRST_AFTER : Duration.between(Instant.now(), newest.plus(every));
        // never later than one period: a newest backup "from the future" (the clock was set back) must not postpone them all
        long firstSeconds = Math.min(every.toSeconds(), Math.max(FIRST_AFTER.toSeconds(), first.toSeconds()));
        timer.scheduleAtFixedRate(this::takeOne, firstSeconds, every.toSeconds(), TimeUnit.SECONDS);
        LOG.info("Scheduled backups every {} h into {} (the newest {} kept); the next in {} min", hours, folder, this.keep,
                firstSeconds / 60);
    }

    /** Takes one backup now and removes the oldest beyond {@code keep}; the new folder, or null when it failed. */
    Path takeOne() {
        Path into = folder.resolve(PREFIX + NAME.format(Instant.now()));
        try {
            long need = StoreCommand.databaseBytes(home);
            Files.createDirectories(folder);
            long free = Files.getFileStore(folder).getUsableSpace();
            if (free < need + need / 2) { // the copies, and room for the store to grow meanwhile
                LOG.error("Scheduled backup skipped: {} MB free in {}, the databases are {} MB; remove old backups or give them"
                        + " another disk", free >> 20, folder, need >> 20);
                return null;
            }
            long t0 = System.nanoTime();
            int status = StoreCommand.backup(home, into);
            if (status != 0) {
                LOG.error("Scheduled backup into {} failed (status {}); the next is tried at its time", into, status);
                BackupArchive.delete(into); // no half backup left to fill the disk
                return null;
            }
            LOG.info("Scheduled backup into {} in {} ms", into, (System.nanoTime() - t0) / 1_000_000);
            prune();
            return into;
        } catch (IOException | RuntimeException e) {
            LOG.error("Scheduled backup into {} failed: {}", into, e.toString());
            return null;
        }
    }

    /** The scheduled backups there are, oldest first (their names sort by time). */
    List<Path> scheduled() {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.exists(p.resolve("backup.properties")))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private Instant newest() {
        List<Path> all = scheduled();
        if (all.isEmpty()) {
            return null;
        }
        try {
            return Files.getLastModifiedTime(all.get(all.size() - 1).resolve("backup.properties")).toInstant();
        } catch (IOException e) {
            return null;
        }
    }

    private void prune() throws IOException {
        List<Path> all = new ArrayList<>(scheduled());
        while (all.size() > keep) {
            Path old = all.remove(0);
            BackupArchive.delete(old);
            LOG.info("Removed the oldest scheduled backup {}", old);
        }
        // what a backup killed halfway (a power cut) left: a scheduled folder without its manifest, older than the newest whole one
        String newest = all.isEmpty() ? "" : all.get(all.size() - 1).getFileName().toString();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && !Files.exists(p.resolve("backup.properties"))
                    && p.getFileName().toString().compareTo(newest) < 0).toList()) {
                BackupArchive.delete(p);
                LOG.info("Removed an unfinished scheduled backup {}", p);
            }
        }
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
