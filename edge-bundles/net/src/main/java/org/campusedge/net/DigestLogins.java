package org.campusedge.net;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's Digest logins to the devices it calls (PA controllers, cameras' snapshots, video
 * recorders), one per device: kept while the device's secret stays the same, so that it keeps the
 * device's nonce and a request needs no second round trip; made anew when the secret is rotated,
 * dropped when it is revoked. Never prints a secret.
 */
public final class DigestLogins {

    private final Map<String, Login> logins = new ConcurrentHashMap<>();

    private record Login(String secret, DigestClient digest) {
        @Override
        public String toString() {
            return "Login[" + digest.username() + "]"; // never the secret
        }
    }

    /**
     * The login of {@code user} (the device's id) with its current secret; null when it has none (a
     * device the inventory marks {@code security: none}, or whose secret was revoked: it is then
     * called without credentials, and its refusal is on record).
     */
    public DigestClient of(String user, String secret) {
        if (secret == null) {
            logins.remove(user);
            return null;
        }
        return logins.compute(user, (id, l) -> l != null && l.secret().equals(secret) ? l : new Login(secret, new DigestClient(id, secret)))
                .digest();
    }

    @Override
    public String toString() {
        return "DigestLogins" + logins.values();
    }
}
