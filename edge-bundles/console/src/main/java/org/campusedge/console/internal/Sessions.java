package org.campusedge.console.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in sessions: a random 256-bit id (the cookie) per login, with its own CSRF token, ending
 * after {@code idle} without a request or {@code absolute} after the login, whichever comes first.
 */
final class Sessions {

    record Session(String id, Users.User user, String csrf, Instant created, Instant lastUsed) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;

    Sessions(Clock clock, Duration idle, Duration absolute) {
        this.clock = clock;
        this.idle = idle;
        this.absolute = absolute;
    }

    Session open(Users.User user) {
        Instant now = clock.instant();
        Session s = new Session(token(), user, token(), now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session of a cookie value, touched; empty when unknown or expired (then it is gone). */
    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        // atomically: a logout between reading and touching must not bring the session back
        return Optional.ofNullable(sessions.computeIfPresent(id, (k, s) ->
                now.isAfter(s.lastUsed().plus(idle)) || now.isAfter(s.created().plus(absolute))
                        ? null : new Session(s.id(), s.user(), s.csrf(), s.created(), now)));
    }

    /** True while the session exists and has not expired; does not count as use. */
    boolean isLive(String id) {
        Session s = id == null ? null : sessions.get(id);
        Instant now = clock.instant();
        return s != null && !now.isAfter(s.lastUsed().plus(idle)) && !now.isAfter(s.created().plus(absolute));
    }

    /** A live session of the user, if there is one (a wall screen's browser shares its screen's); not counted as use. */
    Optional<Session> liveOf(String userName) {
        return sessions.values().stream().filter(s -> s.user().name().equals(userName) && isLive(s.id())).findFirst();
    }

    /** Ends every session of a user (their password or role changed). */
    void closeUser(String name) {
        sessions.values().removeIf(s -> s.user().name().equals(name));
    }

    void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
