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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScrapeToken.class);

    /** "Bearer TOKEN"; null: no token works (the file could not be used), only sessions let in. */
    private final byte[] expected;

    private ScrapeToken(String token) {
        this.expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The token in the file; a new one when the file is missing or empty. A file that cannot be read
     * or holds something else (edited by hand, written by root) is left as it is and no token works,
     * with a warning: the application starts all the same, and its admins still see the figures.
     */
    public static ScrapeToken loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                String t = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).replace("\u00ef\u00bb\u00bf", "").strip();
                if (t.length() >= 32 && t.matches("[A-Za-z0-9_-]+")) {
                    return new ScrapeToken(t);
                }
                if (!t.isEmpty()) {
                    LOG.warn("{} holds no usable token (32 or more of A-Z a-z 0-9 _ -); no scraper is let in until it does", file);
                    return new ScrapeToken(null);
                }
            }
            return create(file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("The scrape token in {} cannot be used ({}); no scraper is let in until it can", file, e.toString());
            return new ScrapeToken(null);
        }
    }

    private static ScrapeToken create(Path file) throws IOException {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String t = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        OwnerOnlyFiles.write(file, (t + "\n").getBytes(StandardCharsets.US_ASCII));
        return new ScrapeToken(t);
    }

    /** True when the request carries {@code Authorization: Bearer TOKEN}; compared in constant time. */
    public boolean presentedBy(WebExchange ex) {
        String given = ex.header("Authorization");
        return expected != null && given != null && MessageDigest.isEqual(given.strip().getBytes(StandardCharsets.US_ASCII), expected);
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
