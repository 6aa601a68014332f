package org.campusedge.console.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.campusedge.web.PasswordFile;

/**
 * The console's people and their roles, in the gateway's users file (see {@link PasswordFile}: salted
 * slow hashes only, owner-only, a command line's change read by the running console).
 */
final class Users {

    /** What a user may see and do. A wall screen's login (see {@link Screens}) is never a user of this file. */
    enum Role { ADMIN, SECURITY, TEACHER, WALL_SCREEN }

    record User(String name, Role role) {
    }

    private final PasswordFile<Role> file;

    Users(Path file) throws IOException {
        this.file = new PasswordFile<>(file, Role.class, null); // the console never wrote the city's older layout
    }

    PasswordFile<Role> file() {
        return file;
    }

    void reloadIfChanged() {
        file.reloadIfChanged();
    }

    Optional<Role> role(String name) {
        return file.role(name);
    }

    /** Removes a user; false when there was none. The last admin cannot be removed (nobody could manage users then). */
    boolean remove(String name) throws IOException {
        return file.remove(name, Role.ADMIN);
    }

    boolean isEmpty() {
        return file.isEmpty();
    }

    /** Creates or replaces a person's user (a wall screen is not a person: it gets a link on the admin page). */
    void put(String name, Role role, char[] password) throws IOException {
        if (role == Role.WALL_SCREEN) {
            throw new IllegalArgumentException("role must be admin, security or teacher (a wall screen gets a link on the admin page)");
        }
        file.put(name, role, password);
    }

    List<User> list() {
        return file.roles().entrySet().stream().map(e -> new User(e.getKey(), e.getValue())).toList();
    }

    static char[] generatePassword() {
        return PasswordFile.generatePassword();
    }
}
