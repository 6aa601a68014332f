package org.campusedge.city;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.campusedge.web.PasswordFile;

/**
 * The bureau's people and their roles, in the dashboard's users file (see {@link PasswordFile}: salted slow
 * hashes only, owner-only; a line of an older file without a role is the first admin).
 */
final class Users {

    /** What a user may do: look (viewer), also send broadcasts and ask status (operator), also push rules and manage users (admin). */
    enum Role {
        VIEWER, OPERATOR, ADMIN;

        static Role parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("a role is viewer, operator or admin");
            }
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final PasswordFile<Role> file;

    Users(Path file) throws IOException {
        this.file = new PasswordFile<>(file, Role.class, Role.ADMIN);
    }

    PasswordFile<Role> file() {
        return file;
    }

    /**
     * On the first start (no users), creates {@code admin} with a random password and returns that password,
     * which the caller shows once; otherwise empty.
     */
    synchronized Optional<String> createAdminIfNone() throws IOException {
        if (!file.isEmpty()) {
            return Optional.empty();
        }
        char[] password = PasswordFile.generatePassword();
        file.put("admin", Role.ADMIN, password);
        return Optional.of(new String(password));
    }

    /** A user's role, or empty for no such user (a change on the command line is read first). */
    Optional<Role> role(String name) {
        file.reloadIfChanged();
        return file.role(name);
    }

    /** Every user's role, by name. */
    Map<String, Role> roles() {
        return file.roles();
    }

    /** Creates or replaces a user. */
    void put(String name, char[] password, Role role) throws IOException {
        file.put(name, role, password);
    }
}
