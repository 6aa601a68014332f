package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A school's box as the operations guide installs it: the program in ROOT/releases/NAME with
 * ROOT/current linking to it, the school's settings and data in a home apart. The school runs an
 * older release whose event store is schema 3 (the file the release at 1f78f2b wrote: 510 events, 60
 * trail links); its IT staff run {@code campus-edge upgrade} with this build's archive, start the
 * new release (which migrates the store to schema 4 and finds everything), then {@code rollback}
 * (which switches back and, since the store was migrated, restores the before-upgrade backup). The
 * school's settings file is never touched, and no step needs anything but the two commands.
 */
class UpgradeIT {

    @TempDir
    Path dir;

    @Test
    void upgradeMigratesAndKeepsSettingsAndRollbackBringsTheOlderReleaseBack() throws Exception {
        Path distribution = GatewayFixture.distribution();
        Path archive = distribution.getParent().getParent().resolve("campus-edge.tar.gz");
        assertTrue(Files.exists(archive), "the build's archive " + archive);
        Path root = dir.resolve("opt");
        Path releases = Files.createDirectories(root.resolve("releases"));
        Path older = releases.resolve("campus-edge-older");
        copyTree(distribution, older);
        Files.writeString(older.resolve("RELEASE"), "campus-edge-older\n");
        Files.createSymbolicLink(root.resolve("current"), Path.of("releases/campus-edge-older"));

        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("data"));
        Files.copy(Path.of("../edge-bundles/store/src/test/resources/release-1f78f2b/campus-edge.db"), home.resolve("data/campus-edge.db"));
        Files.createDirectories(home.resolve("conf"));
        // the school's own settings: kept byte for byte by the upgrade and the rollback
        String settings = Files.readString(distribution.resolve("defaults/gateway.properties"), StandardCharsets.UTF_8)
                + "\n# 李老师 set these for our school\nstore.retentionDays = 0\nstore.cardRetentionDays = 0\nstore.otherRetentionDays = 0\n"
                + "store.cameraRetentionDays = 0\nstore.alarmRetentionDays = 0\n";
        Files.writeString(home.resolve("conf/gateway.properties"), settings, StandardCharsets.UTF_8);

        // a key the new release's bundles do not define (a typo, or a setting a release dropped) would stop it at its start:
        // the upgrade finds out first and switches nothing
        Files.writeString(home.resolve("conf/gateway.properties"), settings + "store.retentionDay = 3\n", StandardCharsets.UTF_8);
        String refused = run(2, root.resolve("current/bin/campus-edge").toString(), "--home", home.toString(), "upgrade", archive.toString());
        assertTrue(refused.contains("store.retentionDay") && refused.contains("Nothing was switched"), refused);
        assertEquals(Path.of("releases/campus-edge-older"), Files.readSymbolicLink(root.resolve("current")));
        Files.writeString(home.resolve("conf/gateway.properties"), settings, StandardCharsets.UTF_8);

        String upgraded = run(0, root.resolve("current/bin/campus-edge").toString(), "--home", home.toString(), "upgrade", archive.toString());
        String newName = Files.readString(distribution.resolve("RELEASE"), StandardCharsets.UTF_8).trim();
        assertTrue(upgraded.contains("current is " + newName + " (previous: campus-edge-older)"), upgraded);
        assertEquals(Path.of("releases/" + newName), Files.readSymbolicLink(root.resolve("current")));
        assertEquals(Path.of("releases/campus-edge-older"), Files.readSymbolicLink(root.resolve("previous")));
        Path backup;
        try (Stream<Path> b = Files.list(home.resolve("backups"))) {
            backup = b.filter(p -> p.getFileName().toString().startsWith("before-upgrade-campus-edge-older-to-" + newName)).findFirst().orElseThrow();
        }
        assertTrue(Files.exists(backup.resolve("backup.properties")), upgraded);
        assertEquals(3, userVersion(backup.resolve("events.db")));

        // the new release starts on the school's home and migrates the store
        Properties status = startAndStop(root.resolve("current/bin/campus-edge"), home);
        assertEquals(newName, status.getProperty("release"));
        assertEquals(releases.resolve(newName).toRealPath().toString(), status.getProperty("app"));
        String log = Files.readString(home.resolve("logs/gateway.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("migrated from schema 3 to 5"), "the log says the store was migrated");
        assertEquals(5, userVersion(home.resolve("data/campus-edge.db")));
        // the older release's 510 (all from before 2026-12-01), beside what the new one recorded at its start (the configuration in force)
        assertEquals(510, count(home.resolve("data/campus-edge.db"), "SELECT count(*) FROM events WHERE occurred_at < 1796083200000"));
        run(0, root.resolve("current/bin/campus-edge").toString(), "--home", home.toString(), "verify"); // 0: the trail is intact
        assertEquals(settings, Files.readString(home.resolve("conf/gateway.properties"), StandardCharsets.UTF_8), "the school's settings");

        String rolledBack = run(0, root.resolve("current/bin/campus-edge").toString(), "--home", home.toString(), "rollback");
        assertTrue(rolledBack.contains("restoring the before-upgrade backup"), rolledBack);
        assertTrue(rolledBack.contains("current is campus-edge-older again"), rolledBack);
        assertEquals(Path.of("releases/campus-edge-older"), Files.readSymbolicLink(root.resolve("current")));
        assertEquals(3, userVersion(home.resolve("data/campus-edge.db")), "the older release's store, as the backup held it");
        assertEquals(510, count(home.resolve("data/campus-edge.db"), "SELECT count(*) FROM events"));
        assertEquals(settings, Files.readString(home.resolve("conf/gateway.properties"), StandardCharsets.UTF_8));
        try (Stream<Path> kept = Files.list(home.resolve("data"))) {
            assertTrue(kept.anyMatch(p -> p.getFileName().toString().startsWith("campus-edge.db.before-restore-")),
                    "the migrated store is kept beside, not deleted");
        }
    }

    @Test
    void upgradeRefusesWhatIsNotARelease() throws Exception {
        Path root = dir.resolve("opt");
        Path older = Files.createDirectories(root.resolve("releases")).resolve("campus-edge-older");
        copyTree(GatewayFixture.distribution(), older);
        Path home = Files.createDirectories(dir.resolve("home/conf"));
        Files.writeString(home.resolve("gateway.properties"), "# a school's\n");
        String noHome = run(2, older.resolve("bin/campus-edge").toString(), "upgrade", GatewayFixture.distribution().getParent().getParent()
                .resolve("campus-edge.tar.gz").toString());
        assertTrue(noHome.contains("give the gateway's home"), "without --home it would back up and switch nothing of the school's: " + noHome);
        Path junk = dir.resolve("junk.tar.gz");
        Files.createDirectories(dir.resolve("junk/stuff"));
        run(0, "tar", "-czf", junk.toString(), "-C", dir.resolve("junk").toString(), "stuff");
        String said = run(2, older.resolve("bin/campus-edge").toString(), "--home", dir.resolve("home").toString(), "upgrade", junk.toString());
        assertTrue(said.contains("is not a Campus Edge release"), said);
        assertFalse(Files.exists(root.resolve("current")), "nothing switched");
        // an archive that looks like a release but would plant a link out of releases/, or name itself "..": refused
        Path evil = Files.createDirectories(dir.resolve("evil/campus-edge/bin"));
        Files.writeString(evil.resolve("campus-edge"), "#!/bin/sh\n");
        evil.resolve("campus-edge").toFile().setExecutable(true);
        Files.writeString(evil.getParent().resolve("RELEASE"), "campus-edge-9.9\n");
        Files.createSymbolicLink(evil.getParent().resolve("bundles"), Path.of("/etc"));
        Path withLink = dir.resolve("with-link.tar.gz");
        run(0, "tar", "-czf", withLink.toString(), "-C", dir.resolve("evil").toString(), "campus-edge");
        String linked = run(2, older.resolve("bin/campus-edge").toString(), "--home", dir.resolve("home").toString(), "upgrade", withLink.toString());
        assertTrue(linked.contains("holds symbolic links"), linked);
        Files.delete(evil.getParent().resolve("bundles"));
        Files.writeString(evil.getParent().resolve("RELEASE"), "..\n");
        Path dotted = dir.resolve("dotted.tar.gz");
        run(0, "tar", "-czf", dotted.toString(), "-C", dir.resolve("evil").toString(), "campus-edge");
        String dots = run(2, older.resolve("bin/campus-edge").toString(), "--home", dir.resolve("home").toString(), "upgrade", dotted.toString());
        assertTrue(dots.contains("cannot be a folder name"), dots);
        assertFalse(Files.exists(root.resolve("current")), "nothing switched");
        try (Stream<Path> r = Files.list(root.resolve("releases"))) {
            assertEquals(List.of("campus-edge-older"), r.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList(),
                    "nothing unpacked into releases/");
        }
        String notLaidOut = run(2, GatewayFixture.distribution().resolve("bin/campus-edge").toString(), "--home",
                dir.resolve("home").toString(), "rollback");
        assertTrue(notLaidOut.contains("is not installed as ROOT/releases/NAME"), notLaidOut);
    }

    /** Starts the gateway by its script on free ports, waits for its status, stops it as systemd would (SIGTERM). */
    private Properties startAndStop(Path script, Path home) throws Exception {
        Files.deleteIfExists(home.resolve("run/gateway.status"));
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "--home", home.toString()));
        for (String s : new String[] {"camel.coapPort=0", "camel.coapsPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0",
                "console.redirectPort=0"}) {
            cmd.add("--set");
            cmd.add(s);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("gateway.out").toFile()).start();
        try {
            assertTrue(GatewayFixture.eventually(120, () -> Files.exists(home.resolve("run/gateway.status")) || !p.isAlive()),
                    "the gateway did not start");
            assertTrue(p.isAlive(), Files.readString(dir.resolve("gateway.out")));
            Properties status = new Properties();
            try (var r = Files.newBufferedReader(home.resolve("run/gateway.status"), StandardCharsets.UTF_8)) {
                status.load(r);
            }
            return status;
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static String run(int exit, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(exit, p.exitValue(), String.join(" ", command) + ":\n" + said);
        return said;
    }

    private static int userVersion(Path db) throws Exception {
        return (int) count(db, "PRAGMA user_version");
    }

    private static long count(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A copy of a release folder (its files, the executable bits kept). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : tree.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
