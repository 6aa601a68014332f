package org.campusedge.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.campusedge.net.OwnerOnlyFiles;

/**
 * The bearer token a monitoring system (Prometheus, a supervisor polling health) sends instead of a
 * person's login: 256 random bits in an owner-only file, made when missing (delete the file and
 * restart to make a new one); Prometheus reads it with {@code authorization: credentials_file}.
 */
public final class ScrapeToken {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] expected;

    private ScrapeToken(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
    }

    /** The token in the file; a new one when the file is missing or holds no usable token. */
    public static ScrapeToken loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            String t = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (t.length() >= 32 && t.matches("[A-Za-z0-9_-]+")) {
                return new ScrapeToken(t);
            }
        }
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String t = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        OwnerOnlyFiles.write(file, (t + "\n").getBytes(StandardCharsets.US_ASCII));
        return new ScrapeToken(t);
    }

    /** True when the request carries {@code Authorization: Bearer TOKEN}; compared in constant time. */
    public boolean presentedBy(WebExchange ex) {
        String given = ex.header("Authorization");
        return given != null && MessageDigest.isEqual(given.strip().getBytes(StandardCharsets.US_ASCII), expected);
    }

    /** The answer to a caller with neither the token nor a session allowed to look: 401 (403 for a person of another role). */
    public static void refuse(WebExchange ex, boolean loggedIn) throws IOException {
        if (loggedIn) {
            Http.text(ex, 403, "your role may not do this");
            return;
        }
        ex.responseHeaders().put("WWW-Authenticate", "Bearer realm=\"campus-edge\"");
        Http.text(ex, 401, "an admin's session or the scrape token is needed");
    }
}
