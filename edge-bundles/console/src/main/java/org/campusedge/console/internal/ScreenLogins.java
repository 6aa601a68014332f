package org.campusedge.console.internal;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.campusedge.api.Severity;
import org.campusedge.web.Http;
import org.campusedge.web.WebExchange;
import org.campusedge.web.Sessions;

/**
 * The wall screens' logins over HTTP (see {@link Screens}): an admin makes, lists and revokes them;
 * a screen's browser turns its link into its cookie ({@code POST /screen/login}); and a request that
 * carries a screen's cookie but no live session (after a restart of the gateway, or when the last
 * session reached its 12 hours) gets a new session at once, so the screen never asks for a password.
 * Revoking a screen ends its sessions: its live feed closes and the page says so.
 */
final class ScreenLogins {

    /** How long a screen's browser keeps its cookie: 400 days, the longest browsers allow. */
    static final long COOKIE_SECONDS = 400L * 24 * 3600;

    private final Screens screens;
    private final Sessions<Users.User> sessions;
    private final AuditLog audit;
    private final String cookieAttributes;
    private final String scheme;

    ScreenLogins(Screens screens, Sessions<Users.User> sessions, AuditLog audit, String cookieAttributes, boolean https) {
        this.screens = screens;
        this.sessions = sessions;
        this.audit = audit;
        this.cookieAttributes = cookieAttributes;
        this.scheme = https ? "https" : "http";
    }

    /** {@code POST /screen/login} (token): the screen's cookie and a session, or 403 saying the link is no good. */
    void login(WebExchange ex) throws IOException {
        if (Http.crossSite(ex)) {
            Http.text(ex, 403, "a screen is signed in from its own link only");
            return;
        }
        String token = Http.form(Http.body(ex)).get("token");
        Optional<Sessions.Session<Users.User>> s = open(ex, token);
        if (s.isEmpty()) {
            Http.text(ex, 403, "this screen link is not valid, or it was revoked: ask the admin for a new one");
            return;
        }
        ex.responseHeaders().add("Set-Cookie", Screens.COOKIE + "=" + token + "; Max-Age=" + COOKIE_SECONDS + cookieAttributes);
        Http.text(ex, 200, ConsoleServer.home(Users.Role.WALL_SCREEN));
    }

    /** The session of the screen whose cookie this request carries; empty without a screen cookie in force. */
    Optional<Sessions.Session<Users.User>> fromCookie(WebExchange ex) {
        return open(ex, Http.cookie(ex, Screens.COOKIE));
    }

    /**
     * The screen's live session (every tab and request of its browser shares one), or a new one. A
     * screen revoked while its session was being opened does not keep it: the check is made again
     * after, and revoking closes the sessions it finds (one or the other sees the session).
     */
    private Optional<Sessions.Session<Users.User>> open(WebExchange ex, String token) {
        Optional<String> name = screens.check(token);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        String user = Screens.USER_PREFIX + name.get();
        Optional<Sessions.Session<Users.User>> live = sessions.liveOf(u -> u.name().equals(user)).flatMap(s -> sessions.find(s.id()));
        Sessions.Session<Users.User> s = live.orElseGet(() -> sessions.open(new Users.User(user, Users.Role.WALL_SCREEN)));
        if (screens.check(token).isEmpty()) {
            sessions.close(s.id());
            return Optional.empty();
        }
        ex.responseHeaders().add("Set-Cookie", ConsoleServer.COOKIE + "=" + s.id() + cookieAttributes);
        if (live.isEmpty()) {
            audit.record("audit.screen-login", Severity.INFO, Map.of("screen", name.get(), "address", ex.remoteAddress()));
        }
        return Optional.of(s);
    }

    /** What a screen's logout also does: its browser forgets the screen's cookie (it needs the link again). */
    void forget(WebExchange ex) {
        ex.responseHeaders().add("Set-Cookie", Screens.COOKIE + "=; Max-Age=0" + cookieAttributes);
    }

    /** {@code GET /api/screens}: the screens, never their tokens. */
    void list(WebExchange ex) throws IOException {
        Http.json(ex, 200, g -> {
            g.writeStartArray();
            for (Screens.Screen s : screens.list()) {
                g.writeStartObject();
                g.writeStringField("name", s.name());
                g.writeStringField("made", s.made().toString());
                g.writeStringField("by", s.by());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** {@code POST /api/screens} (name): a new screen's link and its QR code, shown this once. */
    void add(WebExchange ex, Sessions.Session<Users.User> admin) throws IOException {
        String name = Http.form(Http.body(ex)).getOrDefault("name", "");
        String token;
        try {
            token = screens.add(name, admin.user().name());
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage());
            return;
        }
        audit.record("audit.screen-added", Severity.NOTICE, Map.of("screen", name, "by", admin.user().name())); // never the token
        // the token after '#': a browser never sends the fragment, so it is in no request line, proxy log or Referer
        String link = scheme + "://" + host(ex) + "/screen#" + token;
        ex.responseHeaders().put("Cache-Control", "no-store");
        Http.json(ex, 200, g -> {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("link", link);
            g.writeStringField("qr", QrSvg.of(link));
            g.writeEndObject();
        });
    }

    /** {@code POST /api/screens/revoke} (name): the screen's link stops working and its open pages end now. */
    void revoke(WebExchange ex, Sessions.Session<Users.User> admin) throws IOException {
        String name = Http.form(Http.body(ex)).getOrDefault("name", "");
        boolean revoked;
        try {
            revoked = screens.revoke(name);
        } finally {
            sessions.closeWhere(u -> u.name().equals(Screens.USER_PREFIX + name)); // even when the file could not be written: its pages end now
        }
        if (!revoked) {
            Http.text(ex, 404, "no screen of that name");
            return;
        }
        audit.record("audit.screen-revoked", Severity.NOTICE, Map.of("screen", name, "by", admin.user().name()));
        Http.text(ex, 200, "revoked");
    }

    /** The console's address as the admin's browser reached it (the screen will use the same), or localhost when odd. */
    private static String host(WebExchange ex) {
        String h = ex.header("Host");
        return h != null && h.matches("[A-Za-z0-9.:\\[\\]-]{1,255}") ? h : "localhost";
    }
}
