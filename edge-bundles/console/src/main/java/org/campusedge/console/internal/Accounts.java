package org.campusedge.console.internal;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.Severity;
import org.campusedge.net.LoginThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logins and the people's accounts: the login (two password checks at a time, so a flood cannot
 * take the gateway's cores; after five failures for a name or from an address each attempt waits,
 * doubling up to fifteen minutes), a user changing their own password, and an admin saving,
 * resetting or removing users. Every failed login and every change to an account is an {@code
 * audit.*} event in the store (the alarm lane: a flood of readings cannot hold it back); passwords
 * are never in an event or a log line.
 */
final class Accounts {

    private static final Logger LOG = LoggerFactory.getLogger(Accounts.class);

    private final Users users;
    private final Sessions sessions;
    private final AuditLog audit;
    private final String cookieAttributes;
    private final Semaphore checks = new Semaphore(2);
    private final LoginThrottle throttle = new LoginThrottle(System::currentTimeMillis);

    Accounts(Users users, Sessions sessions, AuditLog audit, String cookieAttributes) {
        this.users = users;
        this.sessions = sessions;
        this.audit = audit;
        this.cookieAttributes = cookieAttributes;
    }

    /** {@code POST /login}: a session and the user's home page, or back to the login page saying why. */
    void login(WebExchange ex) throws IOException {
        if (Http.crossSite(ex)) { // login CSRF: another site's form signing this browser in as its own user
            Http.redirect(ex, "/login?failed=1");
            return;
        }
        Map<String, String> form = Http.form(Http.body(ex));
        String name = form.getOrDefault("user", "");
        String address = ex.remoteAddress();
        long wait = throttle.waitMs(name, address);
        if (wait > 0) {
            Http.redirect(ex, "/login?failed=1&wait=" + (wait + 999) / 1000);
            return;
        }
        Optional<Users.User> user = check(name, form.getOrDefault("password", "").toCharArray());
        if (user == null) {
            Http.text(ex, 503, "too many logins at once; try again");
            return;
        }
        if (user.isEmpty()) {
            throttle.failed(name, address);
            record("audit.login-failed", Severity.NOTICE, Map.of("user", printable(name), "address", address));
            Http.redirect(ex, "/login?failed=1");
            return;
        }
        throttle.succeeded(name, address);
        Sessions.Session s = sessions.open(user.get());
        ex.responseHeaders().add("Set-Cookie", Http.COOKIE + "=" + s.id() + cookieAttributes);
        record("audit.login", Severity.INFO, Map.of("user", user.get().name(), "role", user.get().role().name().toLowerCase(java.util.Locale.ROOT),
                "address", address));
        Http.redirect(ex, ConsoleServer.home(user.get().role()));
    }

    /** The user when the password is theirs, empty when not, null when the two checks at a time are busy for 5 s. */
    private Optional<Users.User> check(String name, char[] password) {
        try {
            if (!checks.tryAcquire(5, TimeUnit.SECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            return users.check(name, password);
        } finally {
            checks.release();
        }
    }

    /** {@code POST /api/password} (current, password): anyone changes their own; every session of theirs ends, this one too. */
    void changeOwn(WebExchange ex, Sessions.Session s) throws IOException {
        Map<String, String> form = Http.form(Http.body(ex));
        String name = s.user().name();
        String address = ex.remoteAddress();
        if (throttle.waitMs(name, address) > 0) {
            Http.text(ex, 429, "too many wrong passwords; try again later");
            return;
        }
        Optional<Users.User> me = check(name, form.getOrDefault("current", "").toCharArray());
        if (me == null) {
            Http.text(ex, 503, "too many logins at once; try again");
            return;
        }
        if (me.isEmpty()) {
            throttle.failed(name, address);
            record("audit.login-failed", Severity.NOTICE, Map.of("user", name, "address", address, "during", "password change"));
            Http.text(ex, 403, "the current password is wrong");
            return;
        }
        try {
            users.put(name, me.get().role(), form.getOrDefault("password", "").toCharArray());
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage());
            return;
        }
        sessions.closeUser(name);
        record("audit.password-changed", Severity.NOTICE, Map.of("user", name, "by", name, "address", address));
        Http.text(ex, 200, "password changed; log in again");
    }

    /** {@code POST /api/users} (name, role, password): an admin creates a user or gives one a new password or role. */
    void save(WebExchange ex, Sessions.Session admin) throws IOException {
        Map<String, String> form = Http.form(Http.body(ex));
        String name = form.getOrDefault("name", "");
        try {
            users.put(name, Users.Role.valueOf(form.getOrDefault("role", "").toUpperCase()), form.getOrDefault("password", "").toCharArray());
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage().startsWith("No enum") ? "role must be admin, security or teacher" : e.getMessage());
            return;
        }
        sessions.closeUser(name); // a new password or role ends the old sessions
        record("audit.user-saved", Severity.NOTICE, Map.of("user", name, "role", form.getOrDefault("role", "").toLowerCase(),
                "by", admin.user().name()));
        Http.text(ex, 200, "saved");
    }

    /** {@code POST /api/users/reset} (name): a new generated password for the user, shown once in the answer. */
    void reset(WebExchange ex, Sessions.Session admin) throws IOException {
        String name = Http.form(Http.body(ex)).getOrDefault("name", "");
        Optional<Users.Role> role = users.role(name);
        if (role.isEmpty()) {
            Http.text(ex, 404, "no user " + printable(name));
            return;
        }
        char[] password = Users.generatePassword();
        users.put(name, role.get(), password);
        sessions.closeUser(name);
        record("audit.password-reset", Severity.NOTICE, Map.of("user", name, "by", admin.user().name()));
        Http.text(ex, 200, new String(password));
    }

    /** {@code POST /api/users/remove} (name): never oneself, never the last admin. */
    void remove(WebExchange ex, Sessions.Session admin) throws IOException {
        String name = Http.form(Http.body(ex)).getOrDefault("name", "");
        if (name.equals(admin.user().name())) {
            Http.text(ex, 400, "you cannot remove yourself");
            return;
        }
        try {
            if (!users.remove(name)) {
                Http.text(ex, 404, "no user " + printable(name));
                return;
            }
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage());
            return;
        }
        sessions.closeUser(name);
        record("audit.user-removed", Severity.NOTICE, Map.of("user", name, "by", admin.user().name()));
        Http.text(ex, 200, "removed");
    }

    private void record(String kind, Severity severity, Map<String, String> attributes) {
        audit.record(kind, severity, attributes);
    }

    /** A user name as typed, safe for a log line and an event: printable ASCII, at most 32 characters. */
    private static String printable(String s) {
        String p = s.replaceAll("[^\\x21-\\x7e]", "?");
        return p.length() > 32 ? p.substring(0, 32) + "..." : p;
    }
}
