package org.campusedge.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.campusedge.net.OwnerOnlyFiles;

/**
 * The security office's wall screens: each has a long-lived login of its own, made by an admin and
 * revoked by one, that survives restarts of the gateway (a screen on the wall has no one to type a
 * password every 12 hours). The login is a random 256-bit token, shown once as a link (and its QR
 * code) for the screen's browser, which keeps it in a cookie; the gateway keeps only its SHA-256, in
 * an owner-only file, one {@code name<TAB>sha256<TAB>made<TAB>by} line per screen. A screen only
 * shows: it sees what the security page shows and can change nothing.
 */
final class Screens {

    /** One screen's login: its name, the hash of its token, when and by whom it was made. */
    record Screen(String name, String hash, Instant made, String by) {
    }

    /** Most screens a school has; a form or a script that keeps making them stops here. */
    static final int MAX = 20;
    /** Cookie with the screen's token: sent only over HTTPS to the console, never to a script. */
    static final String COOKIE = "campus_screen";
    /** The prefix of a screen's sessions' user name (never a person's: their names have no colon). */
    static final String USER_PREFIX = "screen:";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Map<String, Screen> screens = new LinkedHashMap<>();

    Screens(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (f.length == 4 && f[1].matches("[0-9a-f]{64}")) {
                    screens.put(f[0], new Screen(f[0], f[1], Instant.parse(f[2]), f[3]));
                }
            }
        }
    }

    /** Makes a screen's login; returns its token (shown once). Throws IllegalArgumentException for a bad or taken name, or too many. */
    synchronized String add(String name, String by) throws IOException {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,31}")) {
            throw new IllegalArgumentException("a screen's name is 1-32 of a-z 0-9 . _ -, starting with a letter or digit");
        }
        if (screens.containsKey(name)) {
            throw new IllegalArgumentException("there is a screen " + name + " already; revoke it first to make it a new link");
        }
        if (screens.size() >= MAX) {
            throw new IllegalArgumentException("at most " + MAX + " screens; revoke one first");
        }
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Map<String, Screen> next = new LinkedHashMap<>(screens);
        next.put(name, new Screen(name, hash(token), Instant.now(), by));
        save(next); // on disk first: a link shown is a link that works after a restart
        screens.put(name, next.get(name));
        return token;
    }

    /** Ends a screen's login for good; false when there was none. On disk first: a revoked screen never comes back. */
    synchronized boolean revoke(String name) throws IOException {
        if (!screens.containsKey(name)) {
            return false;
        }
        Map<String, Screen> next = new LinkedHashMap<>(screens);
        next.remove(name);
        save(next);
        screens.remove(name);
        return true;
    }

    /** The screen a token is the login of, or empty (unknown, revoked, or no token at all). */
    synchronized Optional<String> check(String token) {
        if (token == null || token.length() != 43) {
            return Optional.empty();
        }
        byte[] presented = hash(token).getBytes(StandardCharsets.US_ASCII);
        String found = null;
        for (Screen s : screens.values()) {
            if (MessageDigest.isEqual(presented, s.hash().getBytes(StandardCharsets.US_ASCII))) {
                found = s.name();
            }
        }
        return Optional.ofNullable(found);
    }

    synchronized List<Screen> list() {
        return new ArrayList<>(screens.values());
    }

    private void save(Map<String, Screen> all) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Screen s : all.values()) {
            out.append(s.name()).append('\t').append(s.hash()).append('\t').append(s.made()).append('\t').append(s.by()).append('\n');
        }
        OwnerOnlyFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
