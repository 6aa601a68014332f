package org.campusedge.city;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.campusedge.net.BoundedHttpServer;
import org.campusedge.net.LoginThrottle;
import org.campusedge.net.TlsIdentity;
import org.campusedge.web.ExchangeServer;
import org.campusedge.web.Http;
import org.campusedge.web.Logins;
import org.campusedge.web.ScrapeToken;
import org.campusedge.web.Sessions;
import org.campusedge.web.WebExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bureau's web dashboard on the hardened Jetty server the school console uses ({@link BoundedHttpServer}:
 * connections, header and body deadlines, rates per source), with the console's users file, logins,
 * sessions and replies ({@code org.campusedge.web}): the static page (from {@code /dashboard/} on the class
 * path), the login and logout, and the JSON API behind a session cookie (HttpOnly, SameSite=Strict, Secure).
 * Every POST must carry the session's CSRF token in the {@code X-CSRF-Token} header, the login included (its
 * token belongs to the anonymous session the page gets from {@code GET /api/session}).
 */
final class WebServer implements AutoCloseable {

    static final String COOKIE = "city_session";
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    /** The charting library, from its WebJar (named by its version, so a browser keeps it). */
    static final String ECHARTS = "/vendor/echarts-5.3.1/echarts.min.js";
    private static final Set<String> STATIC = Set.of("/index.html", "/app.js", "/style.css", ECHARTS);
    /** Sessions kept at most; past it the anonymous and the expired go first (anyone may open one). */
    static final int MAX_SESSIONS = 10_000;

    private final Users users;
    private final Sessions<String> sessions;
    private final Logins<Users.Role> logins;
    private final Api api;
    private final CityMonitoring monitoring;
    private final BoundedHttpServer server;
    /** Cookie attributes: {@code Secure} over HTTPS, so a session id never travels in clear. */
    private final String cookieAttributes;

    /** @param tls the dashboard's key and certificate; null: plain HTTP (not for a real bureau) */
    WebServer(String host, int port, Users users, Sessions<String> sessions, Api api, CityMonitoring monitoring, TlsIdentity tls)
            throws IOException {
        this.users = users;
        this.monitoring = monitoring;
        this.sessions = sessions;
        this.logins = new Logins<>(users.file(), new LoginThrottle(System::currentTimeMillis));
        // someone else changed the users file: the sessions of those whose password or role changed end
        users.file().onChanges(names -> sessions.closeWhere(names::contains));
        this.api = api;
        this.cookieAttributes = Http.cookieAttributes(tls != null);
        this.server = ExchangeServer.start("city dashboard", host, port, limits(), tls, this::handle);
    }

    /**
     * The dashboard's bounds: 256 connections, 32 per source (a bureau's office behind one address), 10 s to
     * send headers, 30 s idle, 16 KiB of headers, 32 threads and requests in flight, 50 requests a second per
     * source, a source that gets 50 refusals within 10 s is ignored for 30 s, and every body (64 KiB at most:
     * a rule set) is read by the server within 10 s before a handler sees the request.
     */
    static BoundedHttpServer.Limits limits() {
        return new BoundedHttpServer.Limits(256, 32, Duration.ofSeconds(10), Duration.ofSeconds(30), 16 * 1024, 32, 32, 50, 200, 50,
                30, true, Duration.ofSeconds(10), 64 * 1024);
    }

    int port() {
        return server.port();
    }

    private void handle(WebExchange ex) throws IOException {
        String method = ex.method();
        String path = ex.path();
        try {
            if ((path.equals("/metrics") || path.equals("/health")) && method.equals("GET")) {
                monitoring(ex, path);
                return;
            }
            if (!path.startsWith("/api/")) {
                serveStatic(ex, method, path);
                return;
            }
            users.file().reloadIfChanged();
            Sessions.Session<String> session = sessions.find(Http.cookie(ex, COOKIE)).orElse(null);
            if (path.equals("/api/session") && method.equals("GET")) {
                if (session == null) {
                    session = sessions.open(null);
                    setCookie(ex, session.id());
                }
                String role = session.user() == null ? null : users.role(session.user()).map(Users.Role::label).orElse(null);
                reply(ex, 200, Json.MAPPER.createObjectNode().put("user", session.user()).put("role", role).put("csrf", session.csrf()));
                return;
            }
            if (!method.equals("GET") && !method.equals("POST")) {
                reply(ex, 405, Json.error("method not allowed"));
                return;
            }
            if (method.equals("POST") && (session == null || !Http.csrfMatches(ex, session.csrf()))) {
                reply(ex, 403, Json.error("missing or wrong CSRF token"));
                return;
            }
            if (path.equals("/api/login") && method.equals("POST")) {
                login(ex, session, Json.parse(Http.bodyBytes(ex)));
                return;
            }
            if (session == null || session.user() == null) {
                reply(ex, 401, Json.error("log in first"));
                return;
            }
            if (path.equals("/api/logout") && method.equals("POST")) {
                sessions.close(session.id());
                ex.responseHeaders().add("Set-Cookie", COOKIE + "=; Max-Age=0" + cookieAttributes);
                reply(ex, 200, Json.MAPPER.createObjectNode().put("user", (String) null));
                return;
            }
            Users.Role role = users.role(session.user()).orElse(null);
            if (role == null) {
                sessions.close(session.id()); // the user was removed meanwhile
                reply(ex, 401, Json.error("log in first"));
                return;
            }
            JsonNode body = method.equals("POST") ? Json.parse(Http.bodyBytes(ex)) : null;
            Map<String, String> query = Http.form(ex.rawQuery());
            Api.Reply r = api.handle(method, path, query, body, session.user(), role);
            reply(ex, r.status(), r.body());
        } catch (IllegalArgumentException e) {
            if (!ex.committed()) {
                reply(ex, 400, Json.error(e.getMessage()));
            }
        } catch (Exception e) {
            LOG.warn("request {} failed: {}", path, e.toString());
            if (!ex.committed()) {
                reply(ex, 500, Json.error("internal error"));
            }
        }
    }

    /** For the bureau's monitoring: the scrape token, or an admin's session. */
    private void monitoring(WebExchange ex, String path) throws IOException {
        if (monitoring.bearer(ex)) {
            monitoring.serve(ex, path);
            return;
        }
        users.file().reloadIfChanged();
        Sessions.Session<String> session = sessions.find(Http.cookie(ex, COOKIE)).filter(s -> s.user() != null).orElse(null);
        if (session != null && users.role(session.user()).orElse(null) == Users.Role.ADMIN) {
            monitoring.serve(ex, path);
        } else {
            ScrapeToken.refuse(ex, session != null);
        }
    }

    private void login(WebExchange ex, Sessions.Session<String> anonymous, JsonNode b) throws IOException {
        String name = b.path("user").asText("");
        Logins.Outcome<Users.Role> outcome = logins.attempt(name, b.path("password").asText("").toCharArray(), ex.remoteAddress());
        if (outcome instanceof Logins.Throttled<Users.Role> t) {
            ex.responseHeaders().add("Retry-After", Long.toString(t.seconds()));
            reply(ex, 429, Json.error("too many failed logins; try again in " + t.seconds() + " s"));
        } else if (outcome instanceof Logins.Accepted<Users.Role> a) {
            sessions.close(anonymous.id());
            Sessions.Session<String> s = sessions.open(name);
            setCookie(ex, s.id());
            reply(ex, 200, Json.MAPPER.createObjectNode().put("user", name).put("role", a.role().label()).put("csrf", s.csrf()));
        } else if (outcome instanceof Logins.Refused) {
            LOG.info("failed login for user {}", name.replaceAll("[^A-Za-z0-9._-]", "?"));
            reply(ex, 401, Json.error("wrong user or password"));
        } else {
            ex.responseHeaders().add("Retry-After", "5");
            reply(ex, 503, Json.error("too many logins at once; try again"));
        }
    }

    private static void reply(WebExchange ex, int status, Object body) throws IOException {
        Http.json(ex, status, Json.MAPPER.writeValueAsBytes(body));
    }

    private void setCookie(WebExchange ex, String id) {
        ex.responseHeaders().add("Set-Cookie", COOKIE + "=" + id + cookieAttributes);
    }

    private void serveStatic(WebExchange ex, String method, String path) throws IOException {
        if (path.equals("/favicon.ico")) {
            Http.send(ex, 204, "image/x-icon", new byte[0]);
            return;
        }
        String file = path.equals("/") ? "/index.html" : path;
        if (!STATIC.contains(file) || !(method.equals("GET") || method.equals("HEAD"))) {
            Http.text(ex, 404, "not found");
            return;
        }
        Http.resource(ex, 200, WebServer.class.getClassLoader(), "dashboard", file);
    }

    @Override
    public void close() {
        server.close();
    }
}
