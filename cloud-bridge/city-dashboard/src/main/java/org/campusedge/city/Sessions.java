package org.campusedge.city;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Browser sessions: a random 256-bit id (the cookie) with its own CSRF token. A session without a user exists
 * before the login, so that the login form carries a CSRF token too; the login replaces it with a new id.
 * A session ends after 30 idle minutes or 12 hours.
 */
final class Sessions {

    /** A session; {@code user} is null before the login. */
    record Session(String id, String user, String csrf, long createdMs, long lastUsedMs) {
    }

    static final long IDLE_MS = 30 * 60_000L;
    static final long ABSOLUTE_MS = 12 * 3_600_000L;
    private static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    Sessions(LongSupplier clock) {
        this.clock = clock;
    }

    /** A new session, anonymous when {@code user} is null. */
    Session open(String user) {
        long now = clock.getAsLong();
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().removeIf(s -> expired(s, now) || s.user() == null);
        }
        Session s = new Session(token(), user, token(), now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session of a cookie value, touched; empty when unknown or expired. */
    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        long now = clock.getAsLong();
        return Optional.ofNullable(sessions.computeIfPresent(id, (k, s) ->
                expired(s, now) ? null : new Session(s.id(), s.user(), s.csrf(), s.createdMs(), now)));
    }

    void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private static boolean expired(Session s, long now) {
        return now - s.lastUsedMs() > IDLE_MS || now - s.createdMs() > ABSOLUTE_MS;
    }

    private static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
