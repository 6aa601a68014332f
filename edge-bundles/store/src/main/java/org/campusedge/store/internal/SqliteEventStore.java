package org.campusedge.store.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.CampusHome;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.StoreStats;
import org.campusedge.api.Watchdog;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The event store on one SQLite file in WAL mode: appends go through the {@link GroupCommitWriter},
 * queries use a second connection (WAL lets readers run beside the writer), and a background job
 * deletes readings older than the retention period.
 */
@Component(service = EventStore.class, configurationPid = SqliteEventStore.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SqliteEventStore.Config.class)
public final class SqliteEventStore implements org.campusedge.store.files.EventStoreFile {

    public static final String PID = "org.campusedge.store";

    private static final Logger LOG = LoggerFactory.getLogger(SqliteEventStore.class);

    /** Configuration of the event store. */
    @ObjectClassDefinition(name = "Campus Edge event store", description = "The SQLite file holding every event")
    public @interface Config {
        @AttributeDefinition(description = "Path of the SQLite file; its folder is created if missing")
        String path() default "data/campus-edge.db";

        @AttributeDefinition(description = "Readings (*.reading) older than this many days are deleted; 0 keeps them for ever")
        int retentionDays() default 30;

        @AttributeDefinition(description = "Card events (card.*: swipes, denials) older than this many days are deleted;"
                + " each is a child's whereabouts; 0 keeps them for ever")
        int cardRetentionDays() default 7;

        @AttributeDefinition(description = "Camera events (camera.*) older than this many days are deleted; 0: for ever")
        int cameraRetentionDays() default 90;

        @AttributeDefinition(description = "Alarm transitions and audit records (alarm.*, audit.*) older than this many days"
                + " are deleted; 0: for ever")
        int alarmRetentionDays() default 400;

        @AttributeDefinition(description = "Every other event older than this many days is deleted; 0: for ever")
        int otherRetentionDays() default 180;

        @AttributeDefinition(description = "How often the retention job runs, in minutes")
        int retentionIntervalMinutes() default 60;

        @AttributeDefinition(description = "Hours between the gateway's own backups of its databases (into backups/scheduled-TIME,"
                + " taken while it runs, as bin/campus-edge backup does); 0: none")
        int backupHours() default 24;

        @AttributeDefinition(description = "How many of the scheduled backups are kept (the oldest go)")
        int backupKeep() default 7;

        @AttributeDefinition(description = "SQLite synchronous mode: FULL survives power loss,"
                + " NORMAL survives a killed process only", options = {
                    @org.osgi.service.metatype.annotations.Option(value = "FULL"),
                    @org.osgi.service.metatype.annotations.Option(value = "NORMAL")})
        String synchronous() default "FULL";

        @AttributeDefinition(description = "Most events written in one transaction")
        int maxBatchEvents() default 20_000;

        @AttributeDefinition(description = "Most readings and other bulk events waiting for the writer before appends are refused")
        int maxQueuedEvents() default 50_000;

        @AttributeDefinition(description = "Most urgent events (alarms, intrusions, PA records) waiting for the writer;"
                + " a lane of its own that readings cannot fill")
        int maxQueuedUrgentEvents() default 10_000;

        @AttributeDefinition(description = "Largest size of the database file in MiB; 0 leaves it to the disk")
        int maxDatabaseMegabytes() default 0;

        @AttributeDefinition(description = "MiB kept for alarm transitions and audit records: with less than this left"
                + " (of the cap above, or of the disk) readings are refused, with less than half of it intrusions too")
        int reservedMegabytes() default 64;
    }

    /** Most alarm transitions and audit records waiting for the writer (they are few; the bound is for memory). */
    static final int SAFETY_LANE_EVENTS = 10_000;

    /**
     * A configuration made in code, for running the store outside OSGi (tests, benchmarks): no
     * retention, the given durability and limits.
     */
    public static Config config(Path file, String synchronous, int maxBatchEvents, int maxQueuedEvents) {
        return config(file, synchronous, maxBatchEvents, maxQueuedEvents, maxQueuedEvents, 0, 64);
    }

    /** The same, with the urgent lane's capacity, a cap on the file's size and the space kept for alarms. */
    public static Config config(Path file, String synchronous, int maxBatchEvents, int maxQueuedEvents, int maxQueuedUrgentEvents,
                                int maxDatabaseMegabytes, int reservedMegabytes) {
        return new Config() {
            @Override public Class<? extends java.lang.annotation.Annotation> annotationType() { return Config.class; }
            @Override public String path() { return file.toString(); }
            @Override public int retentionDays() { return 0; }
            @Override public int cardRetentionDays() { return 0; }
            @Override public int cameraRetentionDays() { return 0; }
            @Override public int alarmRetentionDays() { return 0; }
            @Override public int otherRetentionDays() { return 0; }
            @Override public int retentionIntervalMinutes() { return 60; }
            @Override public int backupHours() { return 0; }
            @Override public int backupKeep() { return 7; }
            @Override public String synchronous() { return synchronous; }
            @Override public int maxBatchEvents() { return maxBatchEvents; }
            @Override public int maxQueuedEvents() { return maxQueuedEvents; }
            @Override public int maxQueuedUrgentEvents() { return maxQueuedUrgentEvents; }
            @Override public int maxDatabaseMegabytes() { return maxDatabaseMegabytes; }
            @Override public int reservedMegabytes() { return reservedMegabytes; }
        };
    }

    private final Path path;
    private final Connection writerConnection;
    private final Connection readerConnection;
    private final Connection checkpointConnection;
    private final GroupCommitWriter writer;
    private final ScheduledExecutorService checkpoints;
    private final ScheduledExecutorService retentionTimer;
    private final RetentionJob retention;

    /** WAL pages after which the writer checkpoints itself (16 MiB of 4 KiB pages). */
    static final int WRITER_CHECKPOINT_PAGES = 4096;
    /** Size the WAL file is cut back to after a checkpoint started it over. */
    static final long WAL_LIMIT_BYTES = 64L << 20;

    /** A store outside the framework (tests, tools): a writer that dies is only logged. */
    public SqliteEventStore(Config config) throws SQLException, IOException {
        this(config, Watchdog.loggingOnly());
    }

    @Activate
    public SqliteEventStore(Config config, @Reference(name = "watchdog") Watchdog watchdog) throws SQLException, IOException {
        this.path = CampusHome.resolve(config.path());
        Path dir = path.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        SQLiteConfig.SynchronousMode sync = SQLiteConfig.SynchronousMode.valueOf(config.synchronous().toUpperCase());
        List<Connection> opened = new ArrayList<>();
        try {
            this.writerConnection = open(sync, 65_536, opened); // 64 MiB of pages: the indexes' right edges stay in memory
            org.campusedge.sql.SchemaMigrations.Result schema = EventTable.migrate(writerConnection);
            if (schema.changed()) {
                LOG.info("Event store {} migrated from schema {} to {}: {}", path, schema.from(), schema.to(),
                        schema.applied().stream().map(org.campusedge.sql.SchemaMigrations.Step::what).toList());
            }
            try (Statement st = writerConnection.createStatement()) {
                // Checkpoints: a background connection copies the WAL into the database every 200 ms
                // without holding up the writer (PASSIVE). Under back-to-back commits it never catches
                // the writer, so SQLite never starts the WAL over and the file grew to 11 GB in a
                // 10-minute soak. So the writer also checkpoints, once the WAL holds 16 MB: with no
                // writer beside it, that checkpoint finishes and the next commit starts the WAL over;
                // it only has to copy what the background left since its last round.
                st.execute("PRAGMA wal_autocheckpoint = " + WRITER_CHECKPOINT_PAGES);
                st.execute("PRAGMA journal_size_limit = " + WAL_LIMIT_BYTES);
                if (config.maxDatabaseMegabytes() > 0) {
                    // the cap is the writer connection's: it is the only one that writes
                    long pageSize;
                    try (java.sql.ResultSet rs = st.executeQuery("PRAGMA page_size")) {
                        pageSize = rs.next() ? rs.getLong(1) : 4096;
                    }
                    st.execute("PRAGMA max_page_count = " + (config.maxDatabaseMegabytes() * 1024L * 1024L / pageSize));
                }
            }
            this.readerConnection = open(sync, 8_192, opened);
            this.checkpointConnection = open(sync, 2_048, opened);
            long reserve = Math.max(0, config.reservedMegabytes()) * 1024L * 1024L;
            long cap = config.maxDatabaseMegabytes() * 1024L * 1024L;
            if (cap > 0 && reserve * 2 > cap) {
                // a reserve of most of the cap would refuse readings from the start
                LOG.warn("store.reservedMegabytes ({}) is more than half of store.maxDatabaseMegabytes ({}); keeping a quarter of it instead",
                        config.reservedMegabytes(), config.maxDatabaseMegabytes());
                reserve = cap / 4;
            }
            SpaceBudget space = new SpaceBudget(path, cap, reserve);
            this.writer = new GroupCommitWriter(writerConnection, config.maxBatchEvents(), config.maxQueuedEvents(),
                    config.maxQueuedUrgentEvents(), SAFETY_LANE_EVENTS, space, watchdog);
        } catch (SQLException | RuntimeException e) {
            opened.forEach(SqliteEventStore::closeQuietly);
            throw e;
        }
        this.checkpoints = singleThread("store-checkpoint");
        this.retentionTimer = singleThread("store-retention");
        checkpoints.scheduleWithFixedDelay(() -> checkpoint("PASSIVE"), 200, 200, TimeUnit.MILLISECONDS);
        this.retention = new RetentionJob(writer, Retention.of(config));
        long every = Math.max(1, config.retentionIntervalMinutes());
        retentionTimer.scheduleWithFixedDelay(retention::runAll, 1, every * 60, TimeUnit.SECONDS);
        LOG.info("Event store open at {} (synchronous={}); kept: {}", path, sync,
                retention.classes().stream().map(r -> r.name() + " " + (r.days() <= 0 ? "for ever" : r.days() + " d")).toList());
    }

    private static ScheduledExecutorService singleThread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private Connection open(SQLiteConfig.SynchronousMode sync, int cacheKib, List<Connection> opened) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(sync);
        cfg.setBusyTimeout(10_000);
        cfg.setTempStore(SQLiteConfig.TempStore.MEMORY);
        cfg.setCacheSize(-cacheKib);
        SQLiteDataSource ds = new SQLiteDataSource(cfg);
        ds.setUrl("jdbc:sqlite:" + path);
        Connection c = ds.getConnection();
        opened.add(c);
        return c;
    }

    @Override
    public CompletionStage<Void> append(List<CampusEvent> events) {
        return writer.append(events);
    }

    /** A read on the reader's connection, one at a time. */
    @FunctionalInterface
    private interface Read<T> {
        T on(Connection c) throws SQLException;
    }

    private <T> T read(String what, Read<T> read) {
        synchronized (readerConnection) {
            try {
                return read.on(readerConnection);
            } catch (SQLException e) {
                throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public List<CampusEvent> query(EventQuery query) {
        return read("query", c -> EventTable.query(c, query));
    }

    @Override
    public List<CampusEvent> cardEvents(java.util.Collection<String> pseudonyms) {
        return read("query", c -> EventTable.cardEvents(c, pseudonyms));
    }

    @Override
    public CompletionStage<Integer> eraseCardEvents(java.util.Collection<String> pseudonyms) {
        List<String> list = List.copyOf(pseudonyms);
        if (list.isEmpty()) {
            return java.util.concurrent.CompletableFuture.completedFuture(0);
        }
        // on the writer's thread, as one statement: atomic, and in order with the appends before it
        return writer.submit(c -> EventTable.eraseCardEvents(c, list)).thenApply(n -> {
            // the log still holds the pages as they were before: copy it into the file and empty it (best
            // effort: a reader in the middle of a query leaves it for a later checkpoint)
            checkpoints.execute(() -> checkpoint("TRUNCATE"));
            return (Integer) n;
        });
    }

    @Override
    public long count(EventQuery query) {
        return read("count", c -> EventTable.count(c, query));
    }

    @Override
    public StoreStats stats() {
        return writer.stats(retention.deleted(), walBytes());
    }

    @Override
    public java.util.Optional<org.campusedge.api.TrailStatus> verifyTrail() {
        Trail.Head written = writer.trailHead();
        return java.util.Optional.of(read("the trail's check", c -> Trail.status(c, written)));
    }

    @Override
    public java.util.Optional<org.campusedge.api.TrailStatus> trailHead() {
        Trail.Head head = writer.trailHead();
        return java.util.Optional.of(new org.campusedge.api.TrailStatus(0, head.seq(), head.hash(), 0, null, null));
    }

    @Override
    public List<String> retention() {
        return retention.classes().stream().map(Retention::describe).toList();
    }

    /** Runs every class's retention now; returns how many events were deleted in all. */
    long applyRetention() {
        return retention.runAll();
    }

    /** Readings older than {@code keep} (the readings' class with another period), for tests. */
    long deleteReadingsOlderThan(Duration keep) {
        return retention.run(retention.classes().get(0), keep);
    }

    /** Copies committed pages from the WAL into the database file without holding up the writer (PASSIVE). */
    /** A checkpoint on the checkpoint connection: PASSIVE (every 200 ms) or TRUNCATE (after an erasure). */
    private void checkpoint(String mode) {
        try (Statement st = checkpointConnection.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(" + mode + ")");
        } catch (SQLException | RuntimeException e) {
            LOG.debug("checkpoint ({}) failed: {}", mode, e.getMessage());
        }
    }

    /** Runs something on the writer's connection between commits (maintenance and tests). */
    java.util.concurrent.CompletableFuture<Object> onWriter(GroupCommitWriter.SqlTask task) {
        return writer.submit(task);
    }

    /** Size of the write-ahead log file now. */
    long walBytes() {
        try {
            return Files.size(Path.of(path + "-wal"));
        } catch (IOException e) {
            return 0;
        }
    }

    /** The database file, for status output. */
    public Path path() {
        return path;
    }

    @Deactivate
    public void close() throws InterruptedException {
        retentionTimer.shutdownNow();
        checkpoints.shutdownNow();
        writer.close();
        retentionTimer.awaitTermination(10, TimeUnit.SECONDS);
        checkpoints.awaitTermination(10, TimeUnit.SECONDS);
        closeQuietly(readerConnection);
        closeQuietly(checkpointConnection);
        if (writer.isAlive()) {
            // never pull the connection from under a writer that is still committing; the process is
            // going away, and SQLite's WAL keeps every commit that finished
            LOG.warn("The event store writer is still busy; leaving its connection open");
            return;
        }
        try (Statement s = writerConnection.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            LOG.debug("checkpoint at close failed", e);
        }
        closeQuietly(writerConnection);
        StoreStats done = writer.stats(0, 0);
        LOG.info("Event store closed ({} events written in {} commits)", done.eventsWritten(), done.commits());
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("close failed", e);
        }
    }
}
