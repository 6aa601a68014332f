package org.campusedge.hono.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The check that a command really comes from the city's education bureau: every command is a JWS
 * (RFC 7515 compact form, {@code alg} EdDSA with Ed25519, RFC 8037) signed with the bureau's key,
 * whose public half the school is configured with. Its claims: {@code iss} (the bureau), {@code
 * sub} (this school), {@code cmd} (the command, as named on the link), {@code user} (who at the
 * bureau), {@code iat}/{@code exp} (seconds; at most ten minutes apart), {@code jti} (a nonce) and
 * {@code body} (the command's JSON). A command that is unsigned, signed with another key, changed
 * after signing, meant for another school or command, expired, or seen before is refused with the
 * reason and nothing runs. Nonces are remembered until their command expires (at most 10,000: one
 * city does not send that many commands in ten minutes).
 */
final class CommandSignature {

    /** A command that passed: who signed it at the bureau, and its body (JSON). */
    record Verified(String issuer, String user, byte[] body) {
    }

    /** A refusal: the status to answer and why. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    static final long MAX_VALIDITY_S = 600;
    static final long CLOCK_SKEW_S = 60;
    private static final int MAX_NONCES = 10_000;

    private final PublicKey cityKey;
    private final String schoolId;
    private final LongSupplier clockMillis;
    private final Map<String, Long> nonces = new LinkedHashMap<>(); // jti -> expiry (s), in arrival order

    /** @param cityKey the bureau's public key; null: none configured, every command is refused */
    CommandSignature(PublicKey cityKey, String schoolId, LongSupplier clockMillis) {
        this.cityKey = cityKey;
        this.schoolId = schoolId;
        this.clockMillis = clockMillis;
    }

    /** Reads the bureau's public key: PEM ({@code -----BEGIN PUBLIC KEY-----}) or bare base64 of its X.509 encoding. */
    static PublicKey readKey(Path file) throws java.io.IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(text)));
    }

    boolean configured() {
        return cityKey != null;
    }

    Verified verify(String command, byte[] payload) throws Refused {
        if (cityKey == null) {
            throw new Refused(401, "this school has no public key of the city configured (cloud.cityKeyFile): no command is taken");
        }
        String jws = new String(payload, StandardCharsets.US_ASCII).trim();
        String[] parts = jws.split("\\.", -1);
        if (parts.length != 3 || !jws.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+")) {
            throw new Refused(401, "unsigned command: commands from the city must be signed by the bureau (JWS, EdDSA)");
        }
        Map<String, Object> header = json(parts[0], "header");
        if (!"EdDSA".equals(header.get("alg"))) {
            throw new Refused(401, "the command is not signed with EdDSA (alg " + shorten(header.get("alg")) + ")");
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(cityKey);
            s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                throw new Refused(401, "the signature is not the city's (another key, or the command was changed after signing)");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Refused(401, "the signature is not the city's (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, Object> claims = json(parts[1], "claims");
        if (!command.equals(claims.get("cmd"))) {
            throw new Refused(403, "signed for the command '" + shorten(claims.get("cmd")) + "', not '" + shorten(command) + "'");
        }
        if (!schoolId.equals(claims.get("sub"))) {
            throw new Refused(403, "signed for the school '" + shorten(claims.get("sub")) + "', not this one (" + schoolId + ")");
        }
        if (!(claims.get("iat") instanceof Long iat) || !(claims.get("exp") instanceof Long exp)) {
            throw new Refused(403, "the command has no issue time and expiry (iat, exp)");
        }
        long now = clockMillis.getAsLong() / 1000;
        if (iat > now + CLOCK_SKEW_S) {
            throw new Refused(403, "the command was issued in the future (" + (iat - now) + " s ahead of this gateway's clock)");
        }
        if (now >= exp) {
            throw new Refused(403, "the command expired " + (now - exp) + " s ago");
        }
        if (exp - iat > MAX_VALIDITY_S) {
            throw new Refused(403, "the command is valid for " + (exp - iat) + " s; at most " + MAX_VALIDITY_S + " s are taken");
        }
        if (!(claims.get("jti") instanceof String jti) || !jti.matches("[A-Za-z0-9_-]{8,64}")) {
            throw new Refused(403, "the command has no nonce (jti)");
        }
        if (!(claims.get("user") instanceof String user) || user.isBlank() || user.length() > 64) {
            throw new Refused(403, "the command does not say who at the bureau issued it (user)");
        }
        if (!(claims.get("body") instanceof Map<?, ?> body)) {
            throw new Refused(400, "the command has no body object");
        }
        synchronized (nonces) {
            for (Iterator<Long> it = nonces.values().iterator(); it.hasNext(); ) {
                if (it.next() <= now) {
                    it.remove();
                }
            }
            if (nonces.containsKey(jti)) {
                throw new Refused(403, "replayed: this command (nonce " + jti + ") was taken before");
            }
            if (nonces.size() >= MAX_NONCES) {
                throw new Refused(503, "more than " + MAX_NONCES + " commands within ten minutes; try again later");
            }
            nonces.put(jti, exp);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> b = (Map<String, Object>) body;
        String issuer = claims.get("iss") instanceof String i ? i : "";
        return new Verified(issuer, user, Json.write(b));
    }

    private static Map<String, Object> json(String part, String what) throws Refused {
        try {
            return Json.readObject(Base64.getUrlDecoder().decode(part));
        } catch (IllegalArgumentException e) {
            throw new Refused(401, "the command's " + what + " is not readable JSON");
        }
    }

    private static String shorten(Object o) {
        String s = String.valueOf(o);
        return (s.length() > 40 ? s.substring(0, 40) + "..." : s).replaceAll("[^\\x20-\\x7e\\u4e00-\\u9fff]", "?");
    }
}
