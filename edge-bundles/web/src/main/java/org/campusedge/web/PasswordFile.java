package org.campusedge.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.campusedge.net.OwnerOnlyFiles;

/**
 * A web application's users: a name, a role and a salted slow hash of the password (PBKDF2 with
 * HMAC-SHA-256, 210,000 iterations, 16-byte salt: OWASP's figure for PBKDF2-SHA256), in a file
 * only the application's user can read (owner-only from its creation), one {@code
 * name:ROLE:iterations:salt:hash} line per user. The city dashboard's files of before this class
 * ({@code name:iterations:salt:hash:role}, or without a role: the first admin) are read as well and
 * written in the one layout at the next change.
 *
 * <p>A change made by someone else (the command line's password reset on a running gateway) is
 * read before the next check or change; a file that cannot be read keeps the users in memory.
 *
 * @param <R> the application's roles
 */
public final class PasswordFile<R extends Enum<R>> {

    public static final int ITERATIONS = 210_000;
    public static final int MIN_PASSWORD = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry<R>(R role, int iterations, byte[] salt, byte[] hash) {
    }

    private final Path file;
    private final Class<R> roles;
    private final R legacyRole;
    private final Map<String, Entry<R>> users = new LinkedHashMap<>();
    /** The file as last read or written (modification time and size): a change by someone else is read again. */
    private long loadedModified = -1;
    private long loadedSize = -1;

    /**
     * @param legacyRole the role of a line written before roles were (the city's first admin); null: an
     *                   application that never wrote that layout (the console) reads no such line
     */
    public PasswordFile(Path file, Class<R> roles, R legacyRole) throws IOException {
        this.file = file;
        this.roles = roles;
        this.legacyRole = legacyRole;
        load();
    }

    /** Told the names whose password or role changed, or who were removed, when the file is read again. */
    private volatile java.util.function.Consumer<java.util.Set<String>> changes = names -> { };

    /** @param listener told the users someone else changed or removed in the file (their sessions should end) */
    public void onChanges(java.util.function.Consumer<java.util.Set<String>> listener) {
        this.changes = listener;
    }

    private synchronized void load() throws IOException {
        Map<String, Entry<R>> read = new LinkedHashMap<>();
        if (Files.exists(file)) {
            Base64.Decoder b64 = Base64.getDecoder();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(":");
                if (f.length == 5 && !f[1].chars().allMatch(Character::isDigit)) { // name:ROLE:iterations:salt:hash
                    read.put(f[0], new Entry<>(parseRole(f[1]), Integer.parseInt(f[2]), b64.decode(f[3]), b64.decode(f[4])));
                } else if (legacyRole != null && (f.length == 4 || f.length == 5)) { // the city's: name:iterations:salt:hash[:role]
                    read.put(f[0], new Entry<>(f.length == 5 ? parseRole(f[4]) : legacyRole, Integer.parseInt(f[1]), b64.decode(f[2]),
                            b64.decode(f[3])));
                }
            }
            loadedModified = Files.getLastModifiedTime(file).toMillis();
            loadedSize = Files.size(file);
        }
        java.util.Set<String> changed = new java.util.HashSet<>();
        users.forEach((name, e) -> {
            Entry<R> now = read.get(name);
            if (now == null || now.role() != e.role() || !MessageDigest.isEqual(now.hash(), e.hash())) {
                changed.add(name);
            }
        });
        users.clear();
        users.putAll(read);
        if (!changed.isEmpty()) {
            changes.accept(changed);
        }
    }

    private R parseRole(String label) {
        return Enum.valueOf(roles, label.trim().toUpperCase(Locale.ROOT));
    }

    /** Reads the file again when someone else changed it; a file that cannot be read leaves the users as they were. */
    public synchronized void reloadIfChanged() {
        try {
            if (Files.exists(file) && (Files.getLastModifiedTime(file).toMillis() != loadedModified || Files.size(file) != loadedSize)) {
                load();
            }
        } catch (IOException | RuntimeException e) {
            // keep the users in memory: a half-written or broken file must not lock everyone out
        }
    }

    public synchronized Optional<R> role(String name) {
        Entry<R> e = users.get(name);
        return e == null ? Optional.empty() : Optional.of(e.role());
    }

    /** Every user's role, by name, in the file's order. */
    public synchronized Map<String, R> roles() {
        Map<String, R> out = new LinkedHashMap<>();
        users.forEach((n, e) -> out.put(n, e.role()));
        return out;
    }

    public synchronized boolean isEmpty() {
        return users.isEmpty();
    }

    /** Creates or replaces a user; a name is 1-32 of a-z 0-9 . _ -, a password at least {@value #MIN_PASSWORD} characters. */
    public synchronized void put(String name, R role, char[] password) throws IOException {
        reloadIfChanged(); // a change made meanwhile on the command line is not written over
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,31}")) {
            throw new IllegalArgumentException("a user name is 1-32 of a-z 0-9 . _ -, starting with a letter or digit");
        }
        if (password.length < MIN_PASSWORD) {
            throw new IllegalArgumentException("a password has at least " + MIN_PASSWORD + " characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        users.put(name, new Entry<>(role, ITERATIONS, salt, hash(password, salt, ITERATIONS)));
        save();
    }

    /**
     * Removes a user; false when there was none. The last user of {@code kept} (the admin role)
     * cannot be removed: nobody could manage the users then.
     */
    public synchronized boolean remove(String name, R kept) throws IOException {
        reloadIfChanged();
        Entry<R> e = users.get(name);
        if (e == null) {
            return false;
        }
        if (e.role() == kept && users.values().stream().filter(x -> x.role() == kept).count() == 1) {
            throw new IllegalArgumentException(name + " is the last " + kept.name().toLowerCase(Locale.ROOT) + "; make another first");
        }
        users.remove(name);
        save();
        return true;
    }

    /**
     * The user's role when the password is theirs. The hash is computed for an unknown name too, so
     * the time taken tells nothing; the caller bounds how many run at once (see {@link Logins}).
     */
    public Optional<R> check(String name, char[] password) {
        reloadIfChanged();
        Entry<R> e;
        synchronized (this) {
            e = users.get(name);
        }
        byte[] computed = hash(password, e == null ? new byte[16] : e.salt(), e == null ? ITERATIONS : e.iterations());
        return e != null && MessageDigest.isEqual(computed, e.hash()) ? Optional.of(e.role()) : Optional.empty();
    }

    /** A random password of 16 characters a person can type: letters and digits without look-alikes. */
    public static char[] generatePassword() {
        String alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        char[] p = new char[16];
        for (int i = 0; i < p.length; i++) {
            p[i] = alphabet.charAt(RANDOM.nextInt(alphabet.length()));
        }
        return p;
    }

    static byte[] hash(char[] password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        }
    }

    private void save() throws IOException {
        StringBuilder out = new StringBuilder();
        Base64.Encoder b64 = Base64.getEncoder();
        users.forEach((name, e) -> out.append(name).append(':').append(e.role().name()).append(':').append(e.iterations()).append(':')
                .append(b64.encodeToString(e.salt())).append(':').append(b64.encodeToString(e.hash())).append('\n'));
        OwnerOnlyFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
        loadedModified = Files.getLastModifiedTime(file).toMillis();
        loadedSize = Files.size(file);
    }
}
