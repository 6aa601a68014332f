package org.campusedge.web;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.campusedge.net.LoginThrottle;

/**
 * The one way a password is tried, for a login or before a password change: after five failures
 * for a name or from an address each attempt waits, doubling up to fifteen minutes ({@link
 * LoginThrottle}); at most two slow hashes run at once, so a flood of guesses cannot take the
 * machine's cores (a third waits up to five seconds, then is told to come back).
 *
 * @param <R> the application's roles
 */
public final class Logins<R extends Enum<R>> {

    /** What became of an attempt. */
    public sealed interface Outcome<R> {
    }

    /** The password is the user's. */
    public record Accepted<R>(String name, R role) implements Outcome<R> {
    }

    /** Wrong user or password (counted against the name and the address). */
    public record Refused<R>() implements Outcome<R> {
    }

    /** Too many failures: not tried; try again in {@code seconds}. */
    public record Throttled<R>(long seconds) implements Outcome<R> {
    }

    /** Two checks were running for five seconds: not tried, not counted. */
    public record Busy<R>() implements Outcome<R> {
    }

    private final PasswordFile<R> users;
    private final LoginThrottle throttle;
    private final Semaphore checks = new Semaphore(2);

    public Logins(PasswordFile<R> users, LoginThrottle throttle) {
        this.users = users;
        this.throttle = throttle;
    }

    public Outcome<R> attempt(String name, char[] password, String address) {
        long wait = throttle.waitMs(name, address);
        if (wait > 0) {
            return new Throttled<>((wait + 999) / 1000);
        }
        try {
            if (!checks.tryAcquire(5, TimeUnit.SECONDS)) {
                return new Busy<>();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Busy<>();
        }
        Optional<R> role;
        try {
            // again, now that this attempt has its turn: attempts sent side by side all passed the first look
            // while the others were being tried, and would otherwise each get a guess past the throttle
            wait = throttle.waitMs(name, address);
            if (wait > 0) {
                return new Throttled<>((wait + 999) / 1000);
            }
            role = name.isEmpty() ? Optional.empty() : users.check(name, password);
            // counted before the turn is handed on, so the next attempt's second look sees this failure
            if (role.isEmpty()) {
                throttle.failed(name, address);
            } else {
                throttle.succeeded(name, address);
            }
        } finally {
            checks.release();
        }
        if (role.isEmpty()) {
            return new Refused<>();
        }
        return new Accepted<>(name, role.get());
    }
}
