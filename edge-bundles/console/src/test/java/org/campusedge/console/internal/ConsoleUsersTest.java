package org.campusedge.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's roles on the shared users file: a wall screen is never a person, and no other layout is read. */
class ConsoleUsersTest {

    @TempDir
    Path dir;

    @Test
    void aWallScreenIsNoPersonAndTheCitysOlderLinesAreNotTheConsoles() throws Exception {
        Path file = dir.resolve("console-users");
        // a line in the city's older layout (no role: the city's first admin) must not make an admin here
        Files.writeString(file, "intruder:1000:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
        Users users = new Users(file);
        assertTrue(users.role("intruder").isEmpty(), "a line without the console's layout became a user");
        assertThrows(IllegalArgumentException.class, () -> users.put("office-wall", Users.Role.WALL_SCREEN, "long-enough-1".toCharArray()));
        users.put("guard-wang", Users.Role.SECURITY, "correct-horse-42".toCharArray());
        assertEquals(List.of(new Users.User("guard-wang", Users.Role.SECURITY)), users.list());
        users.put("admin", Users.Role.ADMIN, "first-password-1".toCharArray());
        assertThrows(IllegalArgumentException.class, () -> users.remove("admin"), "the last admin was removed");
    }
}
