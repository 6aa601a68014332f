package org.campusedge.store.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.campusedge.api.CampusHome;

/**
 * The store's command line: {@code bin/campus-edge backup [FOLDER]} and {@code bin/campus-edge
 * restore FOLDER}, a consistent copy of the gateway's databases taken while it runs and bringing one
 * back while it is stopped; and {@code bin/campus-edge verify}, a check of the tamper-evident trail
 * (see {@link Trail}).
 *
 * <p>What a backup holds: the event store (every event: readings, alarms, audit), the cloud outbox
 * (what still waits for the city) and the notification queue (deliveries and their outcomes), each
 * as one SQLite file, and {@code backup.properties} with when it was taken, each file's SHA-256
 * and its row counts. What it deliberately leaves out, because a backup travels further than the
 * box: the card secret (with it, a card's pseudonym leads back to its number), the devices' keys,
 * the TLS keys, the notification channels' robot keys and the console's password hashes. They stay
 * on the box; a gateway restored onto a new box needs them from the school's own safe keeping.
 *
 * <p>Each database is copied with {@code VACUUM INTO}: one read transaction, so the copy is one
 * consistent moment of the database, and in WAL mode a reader never holds up the gateway's writer,
 * so ingestion goes on meanwhile. (SQLite's page-by-page backup API starts over whenever another
 * connection writes between its steps: under a school's steady stream of readings it may never
 * finish. A file copy of a live WAL database can be torn.) A copy is written beside its final name
 * and moved there only when complete and checked ({@code PRAGMA quick_check}).
 */
public final class StoreCommand {

    /** The databases of a gateway: the setting that moves each, its default, and the table counted. */
    private record Database(String name, String setting, String fallback, String table) {
    }

    static final List<Database> DATABASES = List.of(
            new Database("events", "store.path", "data/campus-edge.db", "events"),
            new Database("outbox", "outbox.path", "data/outbox.db", "outbox"),
            new Database("notifications", "notify.queueFile", "data/notifications.db", "deliveries"));

    /** The watchdog touches this every 5 s while the gateway runs. */
    private static final Duration RUNNING_IF_TOUCHED_WITHIN = Duration.ofSeconds(15);

    private StoreCommand() {
    }

    public static void main(String[] given) throws Exception {
        Path home = Path.of(System.getProperty("campus.home", ".")).toAbsolutePath().normalize();
        List<String> rest = new ArrayList<>(List.of(given));
        int at = rest.indexOf("--home"); // another gateway home than this distribution's (a gateway started with --home)
        if (at >= 0 && at + 1 < rest.size()) {
            home = Path.of(rest.get(at + 1)).toAbsolutePath().normalize();
            rest.remove(at + 1);
            rest.remove(at);
        }
        String[] args = rest.toArray(String[]::new);
        if (args.length >= 1 && args[0].equals("backup")) {
            Path into = args.length >= 2 ? Path.of(args[1]) : home.resolve("backups").resolve("campus-edge-"
                    + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()));
            into = into.toAbsolutePath().normalize();
            System.exit(BackupArchive.isArchive(into) ? backupToArchive(home, into) : backup(home, into));
        } else if (args.length == 2 && args[0].equals("restore")) {
            Path from = Path.of(args[1]).toAbsolutePath().normalize();
            System.exit(BackupArchive.isArchive(from) ? restoreFromArchive(home, from) : restore(home, from));
        } else if (args.length == 1 && args[0].equals("schema")) {
            System.exit(schema(home, null));
        } else if (args.length == 3 && args[0].equals("schema") && args[1].equals("--same-as")) {
            System.exit(schema(home, Path.of(args[2]).toAbsolutePath().normalize()));
        } else if (args.length >= 1 && args[0].equals("verify")) {
            List<String> v = new ArrayList<>(List.of(args).subList(1, args.length));
            String witness = null;
            int w = v.indexOf("--witness");
            if (w >= 0 && w + 1 < v.size()) {
                witness = v.get(w + 1);
                v.remove(w + 1);
                v.remove(w);
            }
            System.exit(verify(v.isEmpty() ? CampusHome.configuredPath(home, "store.path", "data/campus-edge.db") : Path.of(v.get(0)),
                    witness));
        }
        System.err.println("usage: bin/campus-edge backup [--home HOME] [FOLDER | FILE.zip]   a consistent copy of the databases, while"
                + " the gateway runs\n"
                + "       bin/campus-edge restore [--home HOME] FOLDER | FILE.zip    brings one back (the gateway stopped)\n"
                + "       bin/campus-edge verify [--home HOME] [--witness SEQ:HASH] [DB]   checks the tamper-evident trail of alarms and"
                + " audit records (against a head the city holds, if given)\n"
                + "       bin/campus-edge schema [--home HOME] [--same-as BACKUP]   each database's schema version (exit 1 when one"
                + " differs from the backup's)");
        System.exit(2);
    }

    /** {@code backup FILE.zip}: the backup taken into a folder beside it, packed, the folder removed. */
    static int backupToArchive(Path home, Path zip) throws IOException {
        if (Files.exists(zip)) {
            System.err.println("backup: " + zip + " exists; give a new file");
            return 1;
        }
        Path work = BackupArchive.workFolder(zip);
        BackupArchive.delete(work);
        try {
            int status = backup(home, work);
            if (status == 0) {
                BackupArchive.pack(work, zip);
                System.out.println("backup: packed into " + zip + " (" + (Files.size(zip) >> 20) + " MB)");
            }
            return status;
        } finally {
            BackupArchive.delete(work);
        }
    }

    /** {@code restore FILE.zip}: unpacked beside it, checked and restored as a folder would be, the folder removed. */
    static int restoreFromArchive(Path home, Path zip) throws IOException {
        Path work = BackupArchive.workFolder(zip);
        BackupArchive.delete(work);
        try {
            BackupArchive.unpack(zip, work);
            return restore(home, work);
        } catch (IOException e) {
            System.err.println("restore: " + e.getMessage());
            return 1;
        } finally {
            BackupArchive.delete(work);
        }
    }

    /** The bytes of the home's databases and their logs: what a backup copies at most. */
    static long databaseBytes(Path home) throws IOException {
        long bytes = 0;
        for (Database d : DATABASES) {
            Path db = CampusHome.configuredPath(home, d.setting(), d.fallback());
            for (String suffix : List.of("", "-wal")) {
                Path f = db.resolveSibling(db.getFileName() + suffix);
                if (Files.exists(f)) {
                    bytes += Files.size(f);
                }
            }
        }
        return bytes;
    }

    /** Copies every database of {@code home} that exists into {@code into} (made, empty or new); 0 when all went well. */
    static int backup(Path home, Path into) throws IOException {
        if (Files.exists(into)) {
            try (var entries = Files.list(into)) {
                if (entries.findAny().isPresent()) {
                    System.err.println("backup: " + into + " is not empty; give a new folder");
                    return 1;
                }
            }
        }
        Path store = CampusHome.configuredPath(home, DATABASES.get(0).setting(), DATABASES.get(0).fallback());
        if (!Files.exists(store)) { // a home without an event store is the wrong home, not an empty backup
            System.err.println("backup: no event store at " + store + ": is " + home + " the gateway's home (--home)?");
            return 1;
        }
        Files.createDirectories(into);
        Properties manifest = new Properties();
        manifest.setProperty("takenAt", Instant.now().toString());
        manifest.setProperty("home", home.toString());
        long started = System.nanoTime();
        for (Database d : DATABASES) {
            Path source = CampusHome.configuredPath(home, d.setting(), d.fallback());
            if (!Files.exists(source)) {
                System.out.printf("backup: %-13s none at %s%n", d.name(), source);
                continue;
            }
            Path target = into.resolve(d.name() + ".db");
            Path partial = into.resolve(d.name() + ".db.partial");
            long t0 = System.nanoTime();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + source); Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
                s.executeUpdate("VACUUM INTO '" + partial.toString().replace("'", "''") + "'");
            } catch (SQLException e) {
                Files.deleteIfExists(partial);
                System.err.println("backup: " + d.name() + " (" + source + ") could not be copied: " + e.getMessage());
                return 1;
            }
            try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(partial, java.nio.file.StandardOpenOption.WRITE)) {
                f.force(true); // VACUUM INTO does not sync its output: on disk before it takes its name
            }
            Map<String, String> checked = check(partial, d.table());
            if (!"ok".equals(checked.get("check"))) {
                System.err.println("backup: the copy of " + d.name() + " does not check: " + checked.get("check"));
                return 1;
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            manifest.setProperty(d.name() + ".rows", checked.get("rows"));
            manifest.setProperty(d.name() + ".sha256", sha256(target));
            manifest.setProperty(d.name() + ".bytes", Long.toString(Files.size(target)));
            System.out.printf("backup: %-13s %,d rows, %,d bytes in %d ms%n", d.name(), Long.parseLong(checked.get("rows")),
                    Files.size(target), (System.nanoTime() - t0) / 1_000_000);
        }
        try (var w = Files.newBufferedWriter(into.resolve("backup.properties"), StandardCharsets.UTF_8)) {
            manifest.store(w, "Campus Edge backup: the event store, the outbox and the notification queue. Not in it: the card"
                    + " secret, device keys, TLS keys, notification channel keys, console passwords");
        }
        System.out.printf("backup: done in %d ms, in %s%n", (System.nanoTime() - started) / 1_000_000, into);
        return 0;
    }

    /** Puts a backup's databases back in place of {@code home}'s; refuses while the gateway runs or if a file does not match. */
    static int restore(Path home, Path from) throws IOException {
        Path alive = CampusHome.configuredPath(home, "watchdog.aliveFile", "run/gateway.alive");
        if (Files.exists(alive) && Files.getLastModifiedTime(alive).toInstant().isAfter(Instant.now().minus(RUNNING_IF_TOUCHED_WITHIN))) {
            System.err.println("restore: the gateway is running (" + alive + " is fresh); stop it first");
            return 1;
        }
        Path manifestFile = from.resolve("backup.properties");
        if (!Files.exists(manifestFile)) {
            System.err.println("restore: " + from + " is not a backup (no backup.properties)");
            return 1;
        }
        Properties manifest = new Properties();
        try (var r = Files.newBufferedReader(manifestFile, StandardCharsets.UTF_8)) {
            manifest.load(r);
        }
        List<Database> present = new ArrayList<>();
        for (Database d : DATABASES) {
            Path copy = from.resolve(d.name() + ".db");
            String expected = manifest.getProperty(d.name() + ".sha256");
            if (expected == null) {
                continue;
            }
            if (!Files.exists(copy) || !expected.equals(sha256(copy))) {
                System.err.println("restore: " + copy + " is missing or not the file the backup made (SHA-256 differs); nothing restored");
                return 1;
            }
            present.add(d);
        }
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        for (Database d : present) {
            Path target = CampusHome.configuredPath(home, d.setting(), d.fallback());
            Files.createDirectories(target.getParent());
            Path incoming = target.resolveSibling(target.getFileName() + ".restoring");
            Files.copy(from.resolve(d.name() + ".db"), incoming, StandardCopyOption.REPLACE_EXISTING);
            // the database being replaced, with its log, is kept aside (not deleted): a restore can be undone by hand
            for (String suffix : List.of("", "-wal", "-shm")) {
                Path old = target.resolveSibling(target.getFileName() + suffix);
                if (Files.exists(old)) {
                    Files.move(old, target.resolveSibling(target.getFileName() + suffix + ".before-restore-" + stamp),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(incoming, target, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf("restore: %-13s %s rows, taken %s%n", d.name(), manifest.getProperty(d.name() + ".rows"),
                    manifest.getProperty("takenAt"));
        }
        System.out.println("restore: done (the replaced files are beside them, *.before-restore-" + stamp + "); start the gateway");
        Path events = CampusHome.configuredPath(home, "store.path", "data/campus-edge.db");
        if (Files.exists(events) && verify(events, null) != 0) { // the restored trail's state and head, for the record
            System.err.println("restore: the databases are in place, but the restored trail is not intact (above): find out why"
                    + " before the gateway runs on it");
            return 1;
        }
        return 0;
    }

    /**
     * Checks the trail of an event store (the live one while the gateway runs: it only reads, in one
     * transaction); 0 when intact, 1 with the first broken link otherwise.
     */
    static int verify(Path db, String witness) {
        if (!Files.exists(db)) {
            System.err.println("verify: no event store at " + db);
            return 2;
        }
        org.sqlite.SQLiteConfig readOnly = new org.sqlite.SQLiteConfig();
        readOnly.setReadOnly(true); // evidence: never written, not even checkpointed
        try (Connection c = readOnly.createConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            c.setAutoCommit(false); // one snapshot: links the gateway adds meanwhile are not half seen
            Trail.Check check = Trail.verify(c);
            String witnessed = null;
            if (witness != null && check.intact()) {
                String[] sh = witness.split(":", 2);
                try (var ps = c.prepareStatement("SELECT hash FROM trail WHERE seq = ?")) {
                    ps.setLong(1, Long.parseLong(sh[0]));
                    try (ResultSet rs = ps.executeQuery()) {
                        witnessed = !rs.next() ? "link #" + sh[0] + ", which the city witnessed, is not in the trail (cut off, or expired)"
                                : sh.length < 2 || !rs.getString(1).equalsIgnoreCase(sh[1])
                                ? "link #" + sh[0] + " is not the one the city witnessed: the trail was rewritten" : null;
                    }
                }
            }
            c.rollback();
            if (check.intact() && witnessed == null) {
                System.out.printf("verify: the trail is intact: %d links checked, head #%d %s%s%n", check.links(), check.head().seq(),
                        check.head().hash(), witness == null ? "" : "; it holds the city's witness #" + witness.split(":", 2)[0]);
                return 0;
            }
            if (witnessed != null) {
                System.out.printf("verify: the trail is BROKEN: %s%n", witnessed);
            } else {
                System.out.printf("verify: the trail is BROKEN at link #%d (event %s): %s; %d links before it check%n", check.brokenAt(),
                        check.eventId(), check.problem(), check.links());
            }
            return 1;
        } catch (SQLException | NumberFormatException e) {
            System.err.println("verify: " + db + " cannot be read: " + e.getMessage());
            return 2;
        }
    }

    /**
     * Prints each database's schema version ({@code PRAGMA user_version}); with a backup folder, also
     * the backup's, and exits 1 when any differs (a newer release migrated the live one since): what
     * {@code bin/campus-edge rollback} asks before it switches back to an older release.
     */
    static int schema(Path home, Path backup) {
        int status = 0;
        for (Database d : DATABASES) {
            Path live = CampusHome.configuredPath(home, d.setting(), d.fallback());
            Path copy = backup == null ? null : backup.resolve(d.name() + ".db");
            int liveVersion = userVersion(live);
            if (copy == null) {
                System.out.printf("schema: %-13s %s%n", d.name(), liveVersion < 0 ? "none (" + live + ")" : liveVersion);
                continue;
            }
            int copyVersion = userVersion(copy);
            boolean same = liveVersion == copyVersion;
            System.out.printf("schema: %-13s %s, backup %s%s%n", d.name(), liveVersion < 0 ? "none" : liveVersion,
                    copyVersion < 0 ? "none" : copyVersion, same ? "" : "  (differs)");
            if (!same && copyVersion >= 0) {
                status = 1;
            }
        }
        return status;
    }

    /** The file's {@code PRAGMA user_version}, read without writing to it; -1 when there is no such file. */
    private static int userVersion(Path db) {
        if (!Files.exists(db)) {
            return -1;
        }
        org.sqlite.SQLiteConfig readOnly = new org.sqlite.SQLiteConfig();
        readOnly.setReadOnly(true);
        try (Connection c = readOnly.createConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            return -1;
        }
    }

    private static Map<String, String> check(Path db, String table) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                out.put("check", rs.next() ? rs.getString(1) : "no answer");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                out.put("rows", rs.next() ? Long.toString(rs.getLong(1)) : "0");
            }
        } catch (SQLException e) {
            out.put("check", e.getMessage());
        }
        return out;
    }

    private static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
