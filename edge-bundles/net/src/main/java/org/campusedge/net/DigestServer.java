package org.campusedge.net;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of {@link HttpDigest}: challenges, and the check of a request's Authorization.
 *
 * <p>Nonces carry their own proof: issue time, 8 random bytes and an HMAC over both with a key
 * made when the server starts, so issuing one costs no memory and anyone may be challenged. A nonce
 * is good for {@code nonceLifetime}; after that a correct request is answered {@code stale=true}
 * and the device simply retries with the new nonce. So is a correct request on a nonce this server
 * did not issue (one from before a gateway restart): the password proves the device, only the nonce
 * is old.
 *
 * <p>Replays are caught with the nonce count, per user and nonce: the highest count seen and a
 * window of the 64 below it, so that two requests sent at once on one nonce may arrive in either
 * order, while no count is taken twice. Only a request with the right password makes an entry, and
 * each user has at most {@code noncesPerUser}: when a user opens more, its oldest is forgotten and
 * every nonce issued before that one is answered stale for that user from then on (so a forgotten
 * nonce cannot be replayed). One stolen password can therefore churn only its own device's entries;
 * the table holds at most that many per device of the inventory.
 */
public final class DigestServer {

    /** What the check of one request found. */
    public sealed interface Verdict {
        /** The request proved to come from {@code username}. */
        record Proven(String username) implements Verdict {
        }

        /** No Digest credentials at all: the first step of the protocol, answered with a challenge. */
        record Missing() implements Verdict {
        }

        /** Right password, but an expired nonce (or no room to track it): answered with {@code stale=true}. */
        record Stale() implements Verdict {
        }

        /** Wrong password, unknown user, a forged nonce, a replay or a malformed header: {@code why} is for the log and counters. */
        record Refused(String why) implements Verdict {
        }
    }

    private final String realm;
    private final long lifetimeMillis;
    private final int noncesPerUser;
    private final byte[] key = new byte[32];
    private final String opaque;
    /** Per user that has proven itself: its nonces' counts. */
    private final ConcurrentMap<String, UserNonces> users = new ConcurrentHashMap<>();

    /** One user's nonces (guarded by itself). */
    private static final class UserNonces {
        final java.util.Map<String, Window> nonces = new java.util.HashMap<>();
        /** Nonces of this user issued at or before this time (millis) are answered stale: their counts were forgotten. */
        long floor = Long.MIN_VALUE;
    }

    /** The counts seen on one nonce: the highest, and which of the 64 below it. */
    private static final class Window {
        final long issued;
        long highest;
        long seen; // bit i: highest - 1 - i was seen

        Window(long issued) {
            this.issued = issued;
        }

        /** Takes the count if it was not seen before and is not too far below the highest; says whether it did. */
        boolean take(long count) {
            if (count > highest) {
                long shift = count - highest;
                long old = highest == 0 ? 0 : shift > 64 ? 0 : 1L << (shift - 1); // the previous highest, now below
                seen = shift >= 64 ? old : (seen << shift) | old;
                highest = count;
                return true;
            }
            long back = highest - count; // >= 0
            if (back == 0 || back > 64) {
                return false;
            }
            long bit = 1L << (back - 1);
            if ((seen & bit) != 0) {
                return false;
            }
            seen |= bit;
            return true;
        }
    }

    /** @param noncesPerUser how many nonces' counts one user may have remembered at once */
    public DigestServer(String realm, Duration nonceLifetime, int noncesPerUser) {
        this.realm = realm;
        this.lifetimeMillis = nonceLifetime.toMillis();
        this.noncesPerUser = noncesPerUser;
        HttpDigest.RANDOM.nextBytes(key);
        this.opaque = HttpDigest.randomHex(8);
    }

    /** A school's device port: nonces good for five minutes, 16 remembered per device. */
    public static DigestServer forDevices(String realm) {
        return new DigestServer(realm, Duration.ofMinutes(5), 16);
    }

    public String realm() {
        return realm;
    }

    /** The WWW-Authenticate values of a 401: one challenge per algorithm, SHA-256 first, on one fresh nonce. */
    public List<String> challenges(boolean stale) {
        String nonce = nonce(System.currentTimeMillis());
        return HttpDigest.ALGORITHMS.stream().map(a -> "Digest realm=" + HttpDigest.quote(realm) + ", qop=\"auth\", algorithm=" + a
                + ", nonce=" + HttpDigest.quote(nonce) + ", opaque=" + HttpDigest.quote(opaque) + (stale ? ", stale=true" : "")).toList();
    }

    /**
     * Checks the Authorization header of a request.
     *
     * @param method     the request's method
     * @param target     the request target as sent (path and query): the {@code uri} parameter must be it
     * @param passwordOf the password of a user name, or null for none (unknown, revoked)
     */
    public Verdict verify(String method, String target, String authorization, Function<String, String> passwordOf) {
        Map<String, String> p = HttpDigest.params(authorization);
        if (p == null) {
            return authorization == null || !authorization.trim().regionMatches(true, 0, "Digest", 0, 6) ? new Verdict.Missing()
                    : new Verdict.Refused("unreadable Digest credentials");
        }
        String username = p.get("username");
        String nonce = p.get("nonce");
        String uri = p.get("uri");
        String response = p.get("response");
        String nc = p.get("nc");
        String cnonce = p.get("cnonce");
        if (username == null || nonce == null || uri == null || response == null) {
            return new Verdict.Refused("Digest credentials lack username, nonce, uri or response");
        }
        if (!"auth".equals(p.get("qop")) || nc == null || !nc.matches("[0-9a-fA-F]{8}") || cnonce == null || cnonce.isEmpty()) {
            return new Verdict.Refused("Digest credentials without qop=auth, nc and cnonce are not taken (they could be replayed)");
        }
        String algorithm = HttpDigest.algorithm(p.get("algorithm"));
        if (algorithm == null) {
            String named = p.get("algorithm");
            return new Verdict.Refused("digest algorithm " + (named.length() > 20 ? named.substring(0, 20) + "..." : named)
                    .replaceAll("[^\\x20-\\x7e]", "?") + " is not offered");
        }
        if (!realm.equals(p.get("realm"))) {
            return new Verdict.Refused("wrong realm");
        }
        if (!uri.equals(target)) {
            return new Verdict.Refused("the credentials are for another request target");
        }
        String password = passwordOf.apply(username);
        if (password == null) {
            return new Verdict.Refused("wrong user name or password");
        }
        String expected = HttpDigest.response(algorithm, username, realm, password, method, uri, nonce, nc, cnonce);
        if (!HttpDigest.same(expected, response.toLowerCase(java.util.Locale.ROOT))) {
            return new Verdict.Refused("wrong user name or password");
        }
        long issued = issuedAt(nonce);
        long now = System.currentTimeMillis();
        if (issued < 0 || now - issued > lifetimeMillis || issued - now > 60_000) {
            return new Verdict.Stale(); // the right password on an old nonce (or one from before a restart)
        }
        long count = Long.parseLong(nc, 16);
        UserNonces mine = users.computeIfAbsent(username, u -> new UserNonces());
        synchronized (mine) {
            if (issued <= mine.floor) {
                return new Verdict.Stale();
            }
            Window w = mine.nonces.get(nonce);
            if (w == null) {
                mine.nonces.values().removeIf(x -> now - x.issued > lifetimeMillis);
                if (mine.nonces.size() >= noncesPerUser) {
                    Window oldest = java.util.Collections.min(mine.nonces.values(), java.util.Comparator.comparingLong(x -> x.issued));
                    mine.floor = Math.max(mine.floor, oldest.issued);
                    mine.nonces.values().removeIf(x -> x.issued <= mine.floor);
                    if (issued <= mine.floor) {
                        return new Verdict.Stale();
                    }
                }
                w = new Window(issued);
                mine.nonces.put(nonce, w);
            }
            if (!w.take(count)) {
                return new Verdict.Refused("replayed request (nonce count " + nc + " already used)");
            }
        }
        return new Verdict.Proven(username);
    }

    /** Nonces whose counts are remembered now, over all users (for tests and the limits report). */
    public int tracked() {
        int n = 0;
        for (UserNonces u : users.values()) {
            synchronized (u) {
                n += u.nonces.size();
            }
        }
        return n;
    }

    String nonce(long millis) {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putLong(millis);
        byte[] r = new byte[8];
        HttpDigest.RANDOM.nextBytes(r);
        b.put(r);
        b.put(mac(b.array(), 16), 0, 16);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** When this server issued the nonce, or -1 when it did not. */
    long issuedAt(String nonce) {
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        if (b.length != 32) {
            return -1;
        }
        byte[] expected = mac(b, 16);
        if (!MessageDigest.isEqual(java.util.Arrays.copyOf(expected, 16), java.util.Arrays.copyOfRange(b, 16, 32))) {
            return -1;
        }
        return ByteBuffer.wrap(b).getLong();
    }

    private byte[] mac(byte[] data, int length) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            m.update(data, 0, length);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
