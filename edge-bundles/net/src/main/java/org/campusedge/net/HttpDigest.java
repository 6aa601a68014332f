package org.campusedge.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.HexFormat;

/**
 * HTTP Digest access authentication (RFC 7616) as devices on a school network use it: {@code
 * qop=auth}, algorithms SHA-256 and MD5 (what ISAPI cameras and PA controllers speak), a nonce
 * count so that a recorded request cannot be sent again. The gateway is a server of it for the
 * devices that post ({@link DigestServer}) and a client of it for the commands it sends a PA
 * controller ({@link DigestClient}). No {@code -sess} algorithms, no {@code auth-int}, no RFC 2069
 * digests without a nonce count: they would let a replay through.
 *
 * <p>Digest proves who sent the request line and keeps the password off the wire; it does not hide
 * or protect the body (see the README's device-credentials section for what that leaves open).
 */
public final class HttpDigest {

    /** The algorithms offered, strongest first. */
    public static final List<String> ALGORITHMS = List.of("SHA-256", "MD5");

    private static final HexFormat HEX = HexFormat.of();
    static final SecureRandom RANDOM = new SecureRandom();

    private HttpDigest() {
    }

    /**
     * The {@code request-digest} of RFC 7616 section 3.4.1 with {@code qop=auth}, lower-case hex.
     *
     * @param algorithm "SHA-256" or "MD5"
     */
    public static String response(String algorithm, String username, String realm, String password, String method, String uri,
                                  String nonce, String nc, String cnonce) {
        String ha1 = hash(algorithm, username + ":" + realm + ":" + password);
        String ha2 = hash(algorithm, method + ":" + uri);
        return hash(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    }

    static String hash(String algorithm, String text) {
        try {
            return HEX.formatHex(MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("digest algorithm " + algorithm + " is not supported");
        }
    }

    /** The algorithm named by a challenge or a response, in its canonical spelling, or null if not offered. */
    static String algorithm(String named) {
        if (named == null) {
            return "MD5"; // RFC 7616 3.3: absent means MD5
        }
        for (String a : ALGORITHMS) {
            if (a.equalsIgnoreCase(named)) {
                return a;
            }
        }
        return null;
    }

    /**
     * The auth-params after the scheme of a {@code Digest ...} header value (names in lower case), or
     * null when the value is not a Digest one or cannot be read. Quoted strings may hold commas and
     * backslash escapes; at most 32 parameters.
     */
    public static Map<String, String> params(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Digest ", 0, 7)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        int i = 7;
        int n = h.length();
        while (i < n) {
            while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == ',' || h.charAt(i) == '\t')) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int eq = h.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String name = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty() || !name.matches("[a-z0-9_*-]{1,32}")) {
                return null;
            }
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < n && h.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = h.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(h.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    return null;
                }
            } else {
                while (i < n && h.charAt(i) != ',') {
                    value.append(h.charAt(i++));
                }
            }
            while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == '\t')) {
                i++;
            }
            if (i < n && h.charAt(i) != ',') {
                return null; // two parameters without a comma between them
            }
            if (out.put(name, value.toString().trim()) != null || out.size() > 32) {
                return null; // a parameter twice: which one would a proxy have seen?
            }
        }
        return out;
    }

    /** A quoted-string for a header, with quotes and backslashes escaped. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }

    /** Compares in time independent of where the strings differ. */
    static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
