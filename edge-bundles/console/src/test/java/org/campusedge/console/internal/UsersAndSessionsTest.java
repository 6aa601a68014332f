package org.campusedge.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password storage and session expiry. */
class UsersAndSessionsTest {

    @TempDir
    Path dir;

    @Test
    void passwordsAreStoredAsSaltedSlowHashesOnly() throws Exception {
        Path file = dir.resolve("users");
        Users users = new Users(file);
        users.put("guard-wang", Users.Role.SECURITY, "correct-horse-42".toCharArray());
        users.put("teacher-li", Users.Role.TEACHER, "correct-horse-42".toCharArray());
        String stored = Files.readString(file);
        assertFalse(stored.contains("correct-horse"), "a clear password was stored");
        String[] a = stored.lines().toList().get(0).split(":");
        String[] b = stored.lines().toList().get(1).split(":");
        assertEquals(Integer.toString(Users.ITERATIONS), a[2]);
        assertNotEquals(a[4], b[4], "the same password gave the same hash: no salt");
        Users reread = new Users(file);
        assertEquals(Users.Role.SECURITY, reread.check("guard-wang", "correct-horse-42".toCharArray()).orElseThrow().role());
        assertTrue(reread.check("guard-wang", "correct-horse-43".toCharArray()).isEmpty());
        assertTrue(reread.check("nobody", "correct-horse-42".toCharArray()).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> users.put("x", Users.Role.ADMIN, "short".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> users.put("Bad Name", Users.Role.ADMIN, "long-enough-1".toCharArray()));
        assertEquals(16, Users.generatePassword().length);
    }

    @Test
    void theLastAdminStaysAndAChangeOnTheCommandLineIsTakenByTheRunningConsole() throws Exception {
        Path file = dir.resolve("users");
        Users console = new Users(file);
        console.put("admin", Users.Role.ADMIN, "first-password-1".toCharArray());
        console.put("guard-wang", Users.Role.SECURITY, "correct-horse-42".toCharArray());
        assertThrows(IllegalArgumentException.class, () -> console.remove("admin"), "the last admin");
        assertTrue(console.remove("guard-wang"));
        assertFalse(console.remove("guard-wang"));
        Thread.sleep(20); // a later modification time than the console's own write
        Users commandLine = new Users(file); // bin/campus-edge console-password admin, on the same file
        commandLine.put("admin", Users.Role.ADMIN, "recovered-password-2".toCharArray());
        assertTrue(console.check("admin", "first-password-1".toCharArray()).isEmpty(), "the running console kept the lost password");
        assertTrue(console.check("admin", "recovered-password-2".toCharArray()).isPresent());
        console.put("teacher-li", Users.Role.TEACHER, "correct-horse-43".toCharArray());
        assertTrue(new Users(file).check("admin", "recovered-password-2".toCharArray()).isPresent(),
                "the console's next save wrote over the command line's change");
    }

    @Test
    void sessionsEndWhenIdleOrTooOld() {
        Instant[] now = {Instant.parse("2026-11-24T00:00:00Z")};
        Clock clock = new Clock() {
            @Override public ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(ZoneId zone) { return this; }
            @Override public Instant instant() { return now[0]; }
        };
        Sessions sessions = new Sessions(clock, Duration.ofMinutes(30), Duration.ofHours(12));
        Sessions.Session s = sessions.open(new Users.User("guard-wang", Users.Role.SECURITY));
        assertNotEquals(s.id(), s.csrf());
        for (int i = 0; i < 30; i++) { // used every 29 minutes: alive until the 12 hours are up
            now[0] = now[0].plus(Duration.ofMinutes(29));
            boolean alive = sessions.find(s.id()).isPresent();
            assertEquals(now[0].isBefore(Instant.parse("2026-11-24T12:00:00Z").plusSeconds(1)), alive, now[0].toString());
            if (!alive) {
                break;
            }
        }
        Sessions.Session idle = sessions.open(new Users.User("teacher-li", Users.Role.TEACHER));
        now[0] = now[0].plus(Duration.ofMinutes(31));
        assertTrue(sessions.find(idle.id()).isEmpty(), "an idle session lived on");
        assertTrue(sessions.find("forged").isEmpty());
        Sessions.Session a = sessions.open(new Users.User("guard-wang", Users.Role.SECURITY));
        Sessions.Session b = sessions.open(new Users.User("teacher-li", Users.Role.TEACHER));
        sessions.closeUser("guard-wang"); // the guard's password was changed
        assertFalse(sessions.isLive(a.id()));
        assertTrue(sessions.isLive(b.id()));
        sessions.close(b.id());
        assertTrue(sessions.find(b.id()).isEmpty(), "a closed session came back");
        assertTrue(sessions.find(null).isEmpty());
    }
}
