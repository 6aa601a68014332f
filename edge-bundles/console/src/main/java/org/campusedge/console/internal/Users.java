package org.campusedge.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The console's users: name, role and a salted slow hash of the password (PBKDF2 with HMAC-SHA-256,
 * 210,000 iterations, 16-byte salt — OWASP's figure for PBKDF2-SHA256), kept in a file only the
 * gateway's user can read, one {@code name:role:iterations:salt:hash} line per user.
 */
final class Users {

    /** What a user may see and do. A wall screen's login (see {@link Screens}) is never a user of this file. */
    enum Role { ADMIN, SECURITY, TEACHER, WALL_SCREEN }

    record User(String name, Role role) {
    }

    private record Entry(Role role, int iterations, byte[] salt, byte[] hash) {
    }

    static final int ITERATIONS = 210_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Map<String, Entry> users = new LinkedHashMap<>();
    /** The file as last read or written (modification time and size): a change by someone else is read again. */
    private long loadedModified = -1;
    private long loadedSize = -1;

    Users(Path file) throws IOException {
        this.file = file;
        load();
    }

    private synchronized void load() throws IOException {
        users.clear();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(":");
                if (f.length == 5) {
                    Base64.Decoder b64 = Base64.getDecoder();
                    users.put(f[0], new Entry(Role.valueOf(f[1]), Integer.parseInt(f[2]), b64.decode(f[3]), b64.decode(f[4])));
                }
            }
            loadedModified = Files.getLastModifiedTime(file).toMillis();
            loadedSize = Files.size(file);
        }
    }

    /**
     * Reads the file again when someone else changed it (the command line's password reset on a
     * running gateway); a file that cannot be read leaves the users as they were.
     */
    synchronized void reloadIfChanged() {
        try {
            if (Files.exists(file) && (Files.getLastModifiedTime(file).toMillis() != loadedModified || Files.size(file) != loadedSize)) {
                load();
            }
        } catch (IOException | RuntimeException e) {
            // keep the users in memory: a half-written or broken file must not lock everyone out
        }
    }

    synchronized Optional<Role> role(String name) {
        Entry e = users.get(name);
        return e == null ? Optional.empty() : Optional.of(e.role());
    }

    /** Removes a user; false when there was none. The last admin cannot be removed (nobody could manage users then). */
    synchronized boolean remove(String name) throws IOException {
        reloadIfChanged();
        Entry e = users.get(name);
        if (e == null) {
            return false;
        }
        if (e.role() == Role.ADMIN && users.values().stream().filter(x -> x.role() == Role.ADMIN).count() == 1) {
            throw new IllegalArgumentException(name + " is the last admin; make another admin first");
        }
        users.remove(name);
        save();
        return true;
    }

    synchronized boolean isEmpty() {
        return users.isEmpty();
    }

    /** Creates or replaces a user. */
    synchronized void put(String name, Role role, char[] password) throws IOException {
        reloadIfChanged(); // a change made meanwhile on the command line is not written over
        if (role == Role.WALL_SCREEN) {
            throw new IllegalArgumentException("role must be admin, security or teacher (a wall screen gets a link on the admin page)");
        }
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,31}")) {
            throw new IllegalArgumentException("a user name is 1-32 of a-z 0-9 . _ -, starting with a letter or digit");
        }
        if (password.length < 10) {
            throw new IllegalArgumentException("a password has at least 10 characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        users.put(name, new Entry(role, ITERATIONS, salt, hash(password, salt, ITERATIONS)));
        save();
    }

    /** The user, when the password is theirs; the hash is computed even for an unknown name, so timing tells nothing. */
    Optional<User> check(String name, char[] password) {
        reloadIfChanged();
        Entry e;
        synchronized (this) {
            e = users.get(name);
        }
        byte[] salt = e == null ? new byte[16] : e.salt();
        byte[] computed = hash(password, salt, e == null ? ITERATIONS : e.iterations());
        return e != null && MessageDigest.isEqual(computed, e.hash()) ? Optional.of(new User(name, e.role())) : Optional.empty();
    }

    synchronized List<User> list() {
        return users.entrySet().stream().map(en -> new User(en.getKey(), en.getValue().role())).toList();
    }

    /** A random password of 16 characters a person can type: letters and digits without look-alikes. */
    static char[] generatePassword() {
        String alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        char[] p = new char[16];
        for (int i = 0; i < p.length; i++) {
            p[i] = alphabet.charAt(RANDOM.nextInt(alphabet.length()));
        }
        return p;
    }

    static byte[] hash(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        }
    }

    private void save() throws IOException {
        StringBuilder out = new StringBuilder();
        Base64.Encoder b64 = Base64.getEncoder();
        users.forEach((name, e) -> out.append(name).append(':').append(e.role()).append(':').append(e.iterations()).append(':')
                .append(b64.encodeToString(e.salt())).append(':').append(b64.encodeToString(e.hash())).append('\n'));
        // owner-only from its creation: the hashes are never readable by others, not even for a moment
        org.campusedge.net.OwnerOnlyFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
        loadedModified = Files.getLastModifiedTime(file).toMillis();
        loadedSize = Files.size(file);
    }
}
