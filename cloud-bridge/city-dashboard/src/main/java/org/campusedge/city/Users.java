package org.campusedge.city;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The dashboard's users, one {@code name:iterations:salt:hash:role} line each in a file only its owner may read
 * (a line without a role, from before roles, is an admin: only the first admin existed then);
 * the hash is PBKDF2-HMAC-SHA256 with 210,000 iterations and a 16-byte random salt. At most two password
 * checks run at a time, so guessing cannot take the machine's CPUs.
 */
final class Users {

    static final int ITERATIONS = 210_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a user may do: look (viewer), also send broadcasts and ask status (operator), also push rules and manage users (admin). */
    enum Role {
        VIEWER, OPERATOR, ADMIN;

        static Role parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("a role is viewer, operator or admin");
            }
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private record Entry(int iterations, byte[] salt, byte[] hash, Role role) {
    }

    private final Path file;
    private final Map<String, Entry> users = new LinkedHashMap<>();
    private final Semaphore checks = new Semaphore(2);

    Users(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            Base64.Decoder b64 = Base64.getDecoder();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(":");
                if (f.length == 4 || f.length == 5) {
                    users.put(f[0], new Entry(Integer.parseInt(f[1]), b64.decode(f[2]), b64.decode(f[3]),
                            f.length == 5 ? Role.parse(f[4]) : Role.ADMIN));
                }
            }
        }
    }

    /**
     * On the first start (no users), creates {@code admin} with a random password and returns that password,
     * which the caller shows once; otherwise empty.
     */
    synchronized Optional<String> createAdminIfNone() throws IOException {
        if (!users.isEmpty()) {
            return Optional.empty();
        }
        String alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            p.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        put("admin", p.toString().toCharArray(), Role.ADMIN);
        return Optional.of(p.toString());
    }

    /** A user's role, or empty for no such user. */
    synchronized Optional<Role> role(String name) {
        Entry e = users.get(name);
        return e == null ? Optional.empty() : Optional.of(e.role());
    }

    /** Every user's role, by name. */
    synchronized Map<String, Role> roles() {
        Map<String, Role> out = new LinkedHashMap<>();
        users.forEach((n, e) -> out.put(n, e.role()));
        return out;
    }

    /** Creates or replaces a user. */
    synchronized void put(String name, char[] password, Role role) throws IOException {
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,31}")) {
            throw new IllegalArgumentException("a user name is 1-32 of a-z 0-9 . _ -");
        }
        if (password.length < 10) {
            throw new IllegalArgumentException("a password has at least 10 characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        users.put(name, new Entry(ITERATIONS, salt, hash(password, salt, ITERATIONS), role));
        save();
    }

    /** True when the password is the user's; an unknown name costs the same time. */
    boolean check(String name, char[] password) throws InterruptedException {
        Entry e;
        synchronized (this) {
            e = users.get(name);
        }
        checks.acquire();
        try {
            byte[] computed = hash(password, e == null ? new byte[16] : e.salt(), e == null ? ITERATIONS : e.iterations());
            return e != null && MessageDigest.isEqual(computed, e.hash());
        } finally {
            checks.release();
        }
    }

    private static byte[] hash(char[] password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing", e);
        }
    }

    private void save() throws IOException {
        Base64.Encoder b64 = Base64.getEncoder();
        StringBuilder out = new StringBuilder();
        users.forEach((name, e) -> out.append(name).append(':').append(e.iterations()).append(':')
                .append(b64.encodeToString(e.salt())).append(':').append(b64.encodeToString(e.hash())).append(':')
                .append(e.role().label()).append('\n'));
        org.campusedge.net.OwnerOnlyFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
    }
}
