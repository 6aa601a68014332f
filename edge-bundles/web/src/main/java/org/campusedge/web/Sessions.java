package org.campusedge.web;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Browser sessions: a random 256-bit id (the cookie) with its own CSRF token, ending after {@code
 * idle} without a request or {@code absolute} after it opened, whichever comes first. A session
 * may be anonymous (its user null): the city's login form carries the CSRF token of one, and the
 * login replaces it with a new id. A user keeps at most {@value #PER_USER} sessions (a new login
 * ends their least recently used one), and at most {@code max} sessions are kept in all: when full,
 * the expired and the anonymous ones go first, then the least recently used, so a flood of new
 * sessions cannot grow the heap, and one account logging in over and over pushes out only its own.
 *
 * @param <U> who a session is for
 */
public final class Sessions<U> {

    /** A session; {@code user} is null before the login. */
    public record Session<U>(String id, U user, String csrf, Instant created, Instant lastUsed) {
    }

    /** Sessions one user keeps at most: browsers on a few desks and a phone. */
    public static final int PER_USER = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session<U>> sessions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;
    private final int max;

    public Sessions(Clock clock, Duration idle, Duration absolute, int max) {
        this.clock = clock;
        this.idle = idle;
        this.absolute = absolute;
        this.max = max;
    }

    /** A new session, anonymous when {@code user} is null. */
    public Session<U> open(U user) {
        Instant now = clock.instant();
        if (user != null) {
            java.util.List<Session<U>> own = sessions.values().stream().filter(s -> user.equals(s.user()))
                    .sorted(Comparator.comparing(Session::lastUsed)).toList();
            for (int i = 0; i <= own.size() - PER_USER; i++) {
                sessions.remove(own.get(i).id());
            }
        }
        if (sessions.size() >= max) {
            sessions.values().removeIf(s -> expired(s, now) || s.user() == null);
            while (sessions.size() >= max) {
                sessions.values().stream().min(Comparator.comparing(Session::lastUsed)).ifPresent(s -> sessions.remove(s.id()));
            }
        }
        Session<U> s = new Session<>(token(), user, token(), now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session of a cookie value, touched; empty when unknown or expired (then it is gone). */
    public Optional<Session<U>> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        // atomically: a logout between reading and touching must not bring the session back
        return Optional.ofNullable(sessions.computeIfPresent(id, (k, s) ->
                expired(s, now) ? null : new Session<>(s.id(), s.user(), s.csrf(), s.created(), now)));
    }

    /** True while the session exists and has not expired; does not count as use. */
    public boolean isLive(String id) {
        Session<U> s = id == null ? null : sessions.get(id);
        return s != null && !expired(s, clock.instant());
    }

    /** A live session of a user the test accepts, if there is one; not counted as use. */
    public Optional<Session<U>> liveOf(Predicate<U> whose) {
        return sessions.values().stream().filter(s -> s.user() != null && whose.test(s.user()) && isLive(s.id())).findFirst();
    }

    /** Ends every session of the users the test accepts (a password or a role changed, a user removed). */
    public void closeWhere(Predicate<U> whose) {
        sessions.values().removeIf(s -> s.user() != null && whose.test(s.user()));
    }

    public void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** How many sessions are kept, live or not yet found expired. */
    public int size() {
        return sessions.size();
    }

    private boolean expired(Session<U> s, Instant now) {
        return now.isAfter(s.lastUsed().plus(idle)) || now.isAfter(s.created().plus(absolute));
    }

    private static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
