package org.campusedge.console.internal;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.campusedge.api.Severity;
import org.campusedge.net.LoginThrottle;
import org.campusedge.web.Http;
import org.campusedge.web.Logins;
import org.campusedge.web.Sessions;
import org.campusedge.web.WebExchange;

/**
 * Logins and the people's accounts: the login (through {@link Logins}: two password checks at a
 * time, so a flood cannot take the gateway's cores; after five failures for a name or from an
 * address each attempt waits, doubling up to fifteen minutes), a user changing their own password, and an admin saving,
 * resetting or removing users. Every failed login and every change to an account is an {@code
 * audit.*} event in the store (the alarm lane: a flood of readings cannot hold it back); passwords
 * are never in an event or a log line.
 */
final class Accounts {

    private final Users users;
    private final Sessions<Users.User> sessions;
    private final AuditLog audit;
    private final String cookieAttributes;
    private final Logins<Users.Role> logins;

    Accounts(Users users, Sessions<Users.User> sessions, AuditLog audit, String cookieAttributes) {
        this.users = users;
        this.logins = new Logins<>(users.file(), new LoginThrottle(System::currentTimeMillis));
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
        Logins.Outcome<Users.Role> outcome = logins.attempt(name, form.getOrDefault("password", "").toCharArray(), address);
        if (outcome instanceof Logins.Throttled<Users.Role> t) {
            Http.redirect(ex, "/login?failed=1&wait=" + t.seconds());
        } else if (outcome instanceof Logins.Accepted<Users.Role> a) {
            Users.User user = new Users.User(a.name(), a.role());
            Sessions.Session<Users.User> s = sessions.open(user);
            ex.responseHeaders().add("Set-Cookie", ConsoleServer.COOKIE + "=" + s.id() + cookieAttributes);
            record("audit.login", Severity.INFO, Map.of("user", user.name(), "role", user.role().name().toLowerCase(java.util.Locale.ROOT),
                    "address", address));
            Http.redirect(ex, ConsoleServer.home(user.role()));
        } else if (outcome instanceof Logins.Refused) {
            record("audit.login-failed", Severity.NOTICE, Map.of("user", printable(name), "address", address));
            Http.redirect(ex, "/login?failed=1");
        } else {
            ex.responseHeaders().put("Retry-After", "5");
            Http.text(ex, 503, "too many logins at once; try again");
        }
    }

    /** {@code POST /api/password} (current, password): anyone changes their own; every session of theirs ends, this one too. */
    void changeOwn(WebExchange ex, Sessions.Session<Users.User> s) throws IOException {
        Map<String, String> form = Http.form(Http.body(ex));
        String name = s.user().name();
        String address = ex.remoteAddress();
        Logins.Outcome<Users.Role> outcome = logins.attempt(name, form.getOrDefault("current", "").toCharArray(), address);
        if (outcome instanceof Logins.Throttled<Users.Role> t) {
            ex.responseHeaders().put("Retry-After", Long.toString(t.seconds()));
            Http.text(ex, 429, "too many wrong passwords; try again in " + t.seconds() + " s");
            return;
        }
        if (outcome instanceof Logins.Refused) {
            record("audit.login-failed", Severity.NOTICE, Map.of("user", name, "address", address, "during", "password change"));
            Http.text(ex, 403, "the current password is wrong");
            return;
        }
        if (!(outcome instanceof Logins.Accepted<Users.Role> accepted)) {
            ex.responseHeaders().put("Retry-After", "5");
            Http.text(ex, 503, "too many logins at once; try again");
            return;
        }
        Users.Role role = accepted.role();
        try {
            users.put(name, role, form.getOrDefault("password", "").toCharArray());
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage());
            return;
        }
        sessions.closeWhere(u -> u.name().equals(name));
        record("audit.password-changed", Severity.NOTICE, Map.of("user", name, "by", name, "address", address));
        Http.text(ex, 200, "password changed; log in again");
    }

    /** {@code POST /api/users} (name, role, password): an admin creates a user or gives one a new password or role. */
    void save(WebExchange ex, Sessions.Session<Users.User> admin) throws IOException {
        Map<String, String> form = Http.form(Http.body(ex));
        String name = form.getOrDefault("name", "");
        try {
            users.put(name, Users.Role.valueOf(form.getOrDefault("role", "").toUpperCase()), form.getOrDefault("password", "").toCharArray());
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage().startsWith("No enum") ? "role must be admin, security or teacher" : e.getMessage());
            return;
        }
        sessions.closeWhere(u -> u.name().equals(name)); // a new password or role ends the old sessions
        record("audit.user-saved", Severity.NOTICE, Map.of("user", name, "role", form.getOrDefault("role", "").toLowerCase(),
                "by", admin.user().name()));
        Http.text(ex, 200, "saved");
    }

    /** {@code POST /api/users/reset} (name): a new generated password for the user, shown once in the answer. */
    void reset(WebExchange ex, Sessions.Session<Users.User> admin) throws IOException {
        String name = Http.form(Http.body(ex)).getOrDefault("name", "");
        Optional<Users.Role> role = users.role(name);
        if (role.isEmpty()) {
            Http.text(ex, 404, "no user " + printable(name));
            return;
        }
        char[] password = Users.generatePassword();
        users.put(name, role.get(), password);
        sessions.closeWhere(u -> u.name().equals(name));
        record("audit.password-reset", Severity.NOTICE, Map.of("user", name, "by", admin.user().name()));
        Http.text(ex, 200, new String(password));
    }

    /** {@code POST /api/users/remove} (name): never oneself, never the last admin. */
    void remove(WebExchange ex, Sessions.Session<Users.User> admin) throws IOException {
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
        sessions.closeWhere(u -> u.name().equals(name));
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
