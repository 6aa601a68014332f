package org.campusedge.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.net.LoginThrottle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password storage, logins and session expiry, as the console and the city dashboard share them. */
class UsersAndSessionsTest {

    enum Role { VIEWER, OPERATOR, ADMIN }

    @TempDir
    Path dir;

    @Test
    void passwordsAreStoredAsSaltedSlowHashesOnly() throws Exception {
        Path file = dir.resolve("users");
        PasswordFile<Role> users = new PasswordFile<>(file, Role.class, Role.ADMIN);
        users.put("guard-wang", Role.OPERATOR, "correct-horse-42".toCharArray());
        users.put("teacher-li", Role.VIEWER, "correct-horse-42".toCharArray());
        String stored = Files.readString(file);
        assertFalse(stored.contains("correct-horse"), "a clear password was stored");
        String[] a = stored.lines().toList().get(0).split(":");
        String[] b = stored.lines().toList().get(1).split(":");
        assertEquals("OPERATOR", a[1]);
        assertEquals(Integer.toString(PasswordFile.ITERATIONS), a[2]);
        assertNotEquals(a[4], b[4], "the same password gave the same hash: no salt");
        assertTrue(Files.getPosixFilePermissions(file).stream().noneMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")),
                "others may read the hashes: " + Files.getPosixFilePermissions(file));
        PasswordFile<Role> reread = new PasswordFile<>(file, Role.class, Role.ADMIN);
        assertEquals(Optional.of(Role.OPERATOR), reread.check("guard-wang", "correct-horse-42".toCharArray()));
        assertTrue(reread.check("guard-wang", "correct-horse-43".toCharArray()).isEmpty());
        assertTrue(reread.check("nobody", "correct-horse-42".toCharArray()).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> users.put("x", Role.ADMIN, "short".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> users.put("Bad Name", Role.ADMIN, "long-enough-1".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> users.put("a:b", Role.ADMIN, "long-enough-1".toCharArray()), "a colon would break the file");
        assertEquals(16, PasswordFile.generatePassword().length);
    }

    @Test
    void theCityDashboardsOlderFileIsReadAndWrittenInTheOneLayout() throws Exception {
        // the city's layout before the shared file: name:iterations:salt:hash[:role]; a line without a role is the first admin
        byte[] salt = new byte[16];
        salt[0] = 7;
        Base64.Encoder b64 = Base64.getEncoder();
        String hash = b64.encodeToString(PasswordFile.hash("bureau-password-1".toCharArray(), salt, 1_000));
        Path file = dir.resolve("city-users");
        Files.writeString(file, "admin:1000:" + b64.encodeToString(salt) + ":" + hash + "\n"
                + "viewer-zhao:1000:" + b64.encodeToString(salt) + ":" + hash + ":viewer\n");
        PasswordFile<Role> users = new PasswordFile<>(file, Role.class, Role.ADMIN);
        assertEquals(Optional.of(Role.ADMIN), users.check("admin", "bureau-password-1".toCharArray()));
        assertEquals(Optional.of(Role.VIEWER), users.check("viewer-zhao", "bureau-password-1".toCharArray()));
        users.put("operator-qian", Role.OPERATOR, "operator-password-2".toCharArray());
        assertTrue(Files.readString(file).startsWith("admin:ADMIN:1000:"), Files.readString(file));
        PasswordFile<Role> reread = new PasswordFile<>(file, Role.class, Role.ADMIN);
        assertEquals(Optional.of(Role.VIEWER), reread.check("viewer-zhao", "bureau-password-1".toCharArray()), "an old hash stopped working");
        assertEquals(Optional.of(Role.OPERATOR), reread.check("operator-qian", "operator-password-2".toCharArray()));
    }

    @Test
    void theLastAdminStaysAndAChangeOnTheCommandLineIsTakenByTheRunningApplication() throws Exception {
        Path file = dir.resolve("users");
        PasswordFile<Role> running = new PasswordFile<>(file, Role.class, Role.ADMIN);
        running.put("admin", Role.ADMIN, "first-password-1".toCharArray());
        running.put("guard-wang", Role.OPERATOR, "correct-horse-42".toCharArray());
        assertThrows(IllegalArgumentException.class, () -> running.remove("admin", Role.ADMIN), "the last admin");
        assertTrue(running.remove("guard-wang", Role.ADMIN));
        assertFalse(running.remove("guard-wang", Role.ADMIN));
        running.put("teacher-wu", Role.VIEWER, "correct-horse-44".toCharArray());
        java.util.List<java.util.Set<String>> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        running.onChanges(told::add);
        Thread.sleep(20); // a later modification time than the application's own write
        PasswordFile<Role> commandLine = new PasswordFile<>(file, Role.class, Role.ADMIN); // bin/campus-edge console-password admin
        commandLine.put("admin", Role.ADMIN, "recovered-password-2".toCharArray());
        commandLine.remove("teacher-wu", Role.ADMIN); // and the file's size changes too, whatever the clock's grain
        assertTrue(running.check("admin", "first-password-1".toCharArray()).isEmpty(), "the running application kept the lost password");
        assertEquals(java.util.List.of(java.util.Set.of("admin", "teacher-wu")), told, "whose sessions must end");
        assertTrue(running.check("admin", "recovered-password-2".toCharArray()).isPresent());
        running.put("teacher-li", Role.VIEWER, "correct-horse-43".toCharArray());
        assertTrue(new PasswordFile<>(file, Role.class, Role.ADMIN).check("admin", "recovered-password-2".toCharArray()).isPresent(),
                "the next save wrote over the command line's change");
    }

    @Test
    void guessingIsThrottledPerNameAndAddressAndTheRightPasswordStillWorksFromElsewhere() throws Exception {
        PasswordFile<Role> users = new PasswordFile<>(dir.resolve("users"), Role.class, Role.ADMIN);
        users.put("admin", Role.ADMIN, "right-password-1".toCharArray());
        AtomicLong now = new AtomicLong(1_000_000);
        Logins<Role> logins = new Logins<>(users, new LoginThrottle(now::get));
        for (int i = 0; i < LoginThrottle.FREE; i++) {
            assertInstanceOf(Logins.Refused.class, logins.attempt("admin", ("guess-" + i).toCharArray(), "10.0.0.66"));
        }
        // the next guess is not even tried, the right password included: the attacker learns nothing
        assertInstanceOf(Logins.Throttled.class, logins.attempt("admin", "right-password-1".toCharArray(), "10.0.0.66"));
        assertInstanceOf(Logins.Throttled.class, logins.attempt("admin", "right-password-1".toCharArray(), "10.0.0.9"),
                "the name is throttled wherever the guesses come from");
        now.addAndGet(Duration.ofMinutes(16).toMillis());
        Logins.Outcome<Role> ok = logins.attempt("admin", "right-password-1".toCharArray(), "10.0.0.9");
        assertEquals(new Logins.Accepted<>("admin", Role.ADMIN), ok);
        assertInstanceOf(Logins.Refused.class, logins.attempt("", "".toCharArray(), "10.0.0.9"));
    }

    /**
     * Guesses sent side by side: each passed the throttle's first look while two others were being
     * hashed, so each got a guess past the throttle (a login throttle of 5 gave 24 guesses from 24
     * parallel requests before the second look).
     */
    @Test
    void guessesSentSideBySideDoNotGetPastTheThrottle() throws Exception {
        PasswordFile<Role> users = new PasswordFile<>(dir.resolve("users"), Role.class, Role.ADMIN);
        users.put("admin", Role.ADMIN, "right-password-1".toCharArray());
        Logins<Role> logins = new Logins<>(users, new LoginThrottle(System::currentTimeMillis));
        int parallel = 24;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parallel);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<Logins.Outcome<Role>>> tries = new java.util.ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                String guess = "guess-" + i;
                tries.add(pool.submit(() -> {
                    go.await();
                    return logins.attempt("admin", guess.toCharArray(), "10.0.0.66");
                }));
            }
            go.countDown();
            int tried = 0;
            for (var t : tries) {
                Logins.Outcome<Role> o = t.get(60, java.util.concurrent.TimeUnit.SECONDS);
                if (o instanceof Logins.Refused) {
                    tried++;
                }
            }
            // the fifth failure lands while at most one other check runs: that one is the only extra guess
            assertTrue(tried <= LoginThrottle.FREE + 1, tried + " of " + parallel + " parallel guesses were tried");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneAccountLoggingInOverAndOverPushesOutOnlyItsOwnSessions() {
        Instant[] now = {Instant.parse("2026-11-24T00:00:00Z")};
        Sessions<String> sessions = new Sessions<>(clock(now), Duration.ofMinutes(30), Duration.ofHours(12), 200);
        java.util.List<Sessions.Session<String>> staff = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            staff.add(sessions.open("guard-" + i));
        }
        Sessions.Session<String> last = null;
        for (int i = 0; i < 5_000; i++) { // a teacher's account, or a script with its password
            now[0] = now[0].plusMillis(10);
            last = sessions.open("teacher-li");
        }
        for (Sessions.Session<String> s : staff) {
            assertTrue(sessions.isLive(s.id()), s.user() + " was pushed out by another account's logins");
        }
        assertTrue(sessions.isLive(last.id()));
        assertTrue(sessions.size() <= 40 + Sessions.PER_USER, "sessions kept: " + sessions.size());
    }

    @Test
    void sessionsEndWhenIdleOrTooOld() {
        Instant[] now = {Instant.parse("2026-11-24T00:00:00Z")};
        Clock clock = clock(now);
        Sessions<String> sessions = new Sessions<>(clock, Duration.ofMinutes(30), Duration.ofHours(12), 100);
        Sessions.Session<String> s = sessions.open("guard-wang");
        assertNotEquals(s.id(), s.csrf());
        for (int i = 0; i < 30; i++) { // used every 29 minutes: alive until the 12 hours are up
            now[0] = now[0].plus(Duration.ofMinutes(29));
            boolean alive = sessions.find(s.id()).isPresent();
            assertEquals(now[0].isBefore(Instant.parse("2026-11-24T12:00:00Z").plusSeconds(1)), alive, now[0].toString());
            if (!alive) {
                break;
            }
        }
        Sessions.Session<String> idle = sessions.open("teacher-li");
        now[0] = now[0].plus(Duration.ofMinutes(31));
        assertTrue(sessions.find(idle.id()).isEmpty(), "an idle session lived on");
        assertTrue(sessions.find("forged").isEmpty());
        Sessions.Session<String> a = sessions.open("guard-wang");
        Sessions.Session<String> b = sessions.open("teacher-li");
        sessions.closeWhere("guard-wang"::equals); // the guard's password was changed
        assertFalse(sessions.isLive(a.id()));
        assertTrue(sessions.isLive(b.id()));
        assertEquals(Optional.of(b.id()), sessions.liveOf("teacher-li"::equals).map(Sessions.Session::id));
        sessions.close(b.id());
        assertTrue(sessions.find(b.id()).isEmpty(), "a closed session came back");
        assertTrue(sessions.find(null).isEmpty());
    }

    @Test
    void aFloodOfAnonymousSessionsNeitherGrowsTheHeapNorPushesOutALoggedInUser() {
        Instant[] now = {Instant.parse("2026-11-24T00:00:00Z")};
        Sessions<String> sessions = new Sessions<>(clock(now), Duration.ofMinutes(30), Duration.ofHours(12), 1_000);
        Sessions.Session<String> guard = sessions.open("guard-wang");
        for (int i = 0; i < 50_000; i++) { // what a script asking GET /api/session in a loop opens on the city dashboard
            sessions.open(null);
            now[0] = now[0].plusMillis(1);
            if (i % 10_000 == 0) {
                assertTrue(sessions.find(guard.id()).isPresent(), "the guard was pushed out after " + i);
            }
        }
        assertTrue(sessions.size() <= 1_000, "sessions kept: " + sessions.size());
        assertTrue(sessions.find(guard.id()).isPresent(), "the guard was pushed out by anonymous sessions");
    }

    private static Clock clock(Instant[] now) {
        return new Clock() {
            @Override public ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(ZoneId zone) { return this; }
            @Override public Instant instant() { return now[0]; }
        };
    }
}
