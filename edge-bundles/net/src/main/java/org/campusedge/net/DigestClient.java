package org.campusedge.net;

import java.util.List;
import java.util.Map;

/**
 * The client side of {@link HttpDigest} for one user name and password: remembers the server's last
 * challenge and answers it with a rising nonce count, so that after the first 401 each request
 * goes out authenticated at once (one round trip, not two). Thread-safe.
 *
 * <p>Use: send with {@link #authorization} (null before any challenge); on a 401, give its
 * WWW-Authenticate values to {@link #challenged}; send once more if it says so.
 */
public final class DigestClient {

    private final String username;
    private final String password;
    private Map<String, String> challenge; // guarded by this
    private String algorithm;
    private long count;
    private String cnonce;

    public DigestClient(String username, String password) {
        this.username = username;
        this.password = password;
    }

    public String username() {
        return username;
    }

    /** The Authorization value for a request, or null while no challenge has been heard. */
    public synchronized String authorization(String method, String target) {
        if (challenge == null) {
            return null;
        }
        String nc = String.format("%08x", ++count);
        String realm = challenge.getOrDefault("realm", "");
        String nonce = challenge.get("nonce");
        String response = HttpDigest.response(algorithm, username, realm, password, method, target, nonce, nc, cnonce);
        StringBuilder b = new StringBuilder("Digest username=").append(HttpDigest.quote(username))
                .append(", realm=").append(HttpDigest.quote(realm))
                .append(", uri=").append(HttpDigest.quote(target))
                .append(", algorithm=").append(algorithm)
                .append(", nonce=").append(HttpDigest.quote(nonce))
                .append(", nc=").append(nc)
                .append(", cnonce=").append(HttpDigest.quote(cnonce))
                .append(", qop=auth")
                .append(", response=").append(HttpDigest.quote(response));
        if (challenge.containsKey("opaque")) {
            b.append(", opaque=").append(HttpDigest.quote(challenge.get("opaque")));
        }
        return b.toString();
    }

    /**
     * Takes the challenges of a 401 (the strongest algorithm offered wins). True when sending the
     * request again may succeed: there was no challenge before, the nonce went stale, or the server
     * changed its nonce; false when the same nonce was refused (the password is wrong) or nothing
     * usable was offered.
     */
    public synchronized boolean challenged(List<String> wwwAuthenticate) {
        Map<String, String> best = null;
        String bestAlgorithm = null;
        for (String value : wwwAuthenticate) {
            Map<String, String> p = HttpDigest.params(value);
            if (p == null || p.get("nonce") == null || !qopAuth(p.get("qop"))) {
                continue;
            }
            String a = HttpDigest.algorithm(p.get("algorithm"));
            if (a != null && (bestAlgorithm == null || HttpDigest.ALGORITHMS.indexOf(a) < HttpDigest.ALGORITHMS.indexOf(bestAlgorithm))) {
                best = p;
                bestAlgorithm = a;
            }
        }
        if (best == null) {
            return false;
        }
        boolean retry = challenge == null || "true".equalsIgnoreCase(best.get("stale"))
                || !best.get("nonce").equals(challenge.get("nonce"));
        boolean sameNonce = challenge != null && best.get("nonce").equals(challenge.get("nonce"));
        challenge = best;
        algorithm = bestAlgorithm;
        if (!sameNonce) { // the server remembers the counts it saw on a nonce: never send one of them again
            count = 0;
            cnonce = HttpDigest.randomHex(8);
        }
        return retry;
    }

    /**
     * One exchange with the JDK's client: {@code send} builds and sends the request with the client's
     * current {@link #authorization} (none before the first challenge); an answer of 401 with a
     * challenge it can meet (the first request, a stale nonce) is answered by sending once more.
     *
     * @param login null: no credentials, a single send
     */
    public static <T> java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<T>> exchange(DigestClient login,
            java.util.function.Supplier<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<T>>> send) {
        return send.get().thenCompose(r -> r.statusCode() == 401 && login != null
                && login.challenged(r.headers().allValues("WWW-Authenticate")) ? send.get()
                : java.util.concurrent.CompletableFuture.completedFuture(r));
    }

    private static boolean qopAuth(String qop) {
        if (qop == null) {
            return false;
        }
        for (String q : qop.split(",")) {
            if (q.trim().equals("auth")) {
                return true;
            }
        }
        return false;
    }
}
