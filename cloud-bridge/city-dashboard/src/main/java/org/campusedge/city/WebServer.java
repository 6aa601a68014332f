package org.campusedge.city;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.campusedge.net.LoginThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bureau's web dashboard on the JDK HTTP server: the static page (from {@code /dashboard/} on the class
 * path), the login and logout, and the JSON API behind a session cookie (HttpOnly, SameSite=Strict). Every POST
 * must carry the session's CSRF token in the {@code X-CSRF-Token} header, the login included (its token belongs
 * to the anonymous session the page gets from {@code GET /api/session}).
 */
final class WebServer implements AutoCloseable {

    static {
        // a request (headers and body) must arrive within 30 s: bodies are read before any check (see Http.body), and a
        // client trickling one must not hold one of the 8 handler threads for longer; read once, when the JDK server loads
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "30");
        }
    }

    static final String COOKIE = "city_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    /** The charting library, from its WebJar (named by its version, so a browser keeps it). */
    static final String ECHARTS = "/vendor/echarts-5.3.1/echarts.min.js";
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/style.css", "style.css",
            ECHARTS, ECHARTS.substring(1));

    private final Users users;
    private final Sessions sessions;
    private final Api api;
    private final LoginThrottle throttle = new LoginThrottle(System::currentTimeMillis);
    private final HttpServer server;
    private final ExecutorService executor;
    private final boolean https;
    /** Cookie attributes: {@code Secure} over HTTPS, so a session id never travels in clear. */
    private final String cookieAttributes;

    /** @param tls the dashboard's key and certificate; null: plain HTTP (not for a real bureau) */
    WebServer(String host, int port, Users users, Sessions sessions, Api api, org.campusedge.net.TlsIdentity tls) throws IOException {
        this.users = users;
        this.sessions = sessions;
        this.api = api;
        this.https = tls != null;
        this.cookieAttributes = "; Path=/; HttpOnly; SameSite=Strict" + (https ? "; Secure" : "");
        if (tls == null) {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } else {
            com.sun.net.httpserver.HttpsServer s = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(host, port), 64);
            try {
                javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(tls.keyStore(), org.campusedge.net.TlsIdentity.STORE_PASSWORD);
                javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
                ssl.init(kmf.getKeyManagers(), null, null);
                s.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ssl) {
                    @Override
                    public void configure(com.sun.net.httpserver.HttpsParameters params) {
                        javax.net.ssl.SSLParameters p = ssl.getDefaultSSLParameters();
                        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                        params.setSSLParameters(p);
                    }
                });
            } catch (java.security.GeneralSecurityException e) {
                s.stop(0);
                throw new IOException("the dashboard's TLS key cannot be used: " + e.getMessage(), e);
            }
            this.server = s;
        }
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "city-web");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) {
        try {
            if (https) {
                ex.getResponseHeaders().add("Strict-Transport-Security", "max-age=31536000");
            }
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            byte[] raw = Http.body(ex); // the whole body first, whatever the answer (see Http.body)
            if (!path.startsWith("/api/")) {
                serveStatic(ex, method, path);
                return;
            }
            Sessions.Session session = sessions.find(Http.cookie(ex, COOKIE)).orElse(null);
            if (path.equals("/api/session") && method.equals("GET")) {
                if (session == null) {
                    session = sessions.open(null);
                    setCookie(ex, session.id());
                }
                String role = session.user() == null ? null : users.role(session.user()).map(Users.Role::label).orElse(null);
                Http.json(ex, 200, Http.JSON.createObjectNode().put("user", session.user()).put("role", role).put("csrf", session.csrf()));
                return;
            }
            if (!method.equals("GET") && !method.equals("POST")) {
                Http.error(ex, 405, "method not allowed");
                return;
            }
            if (method.equals("POST") && (session == null || !csrfMatches(ex, session))) {
                Http.error(ex, 403, "missing or wrong CSRF token");
                return;
            }
            if (path.equals("/api/login") && method.equals("POST")) {
                login(ex, session, Http.json(raw));
                return;
            }
            if (session == null || session.user() == null) {
                Http.error(ex, 401, "log in first");
                return;
            }
            if (path.equals("/api/logout") && method.equals("POST")) {
                sessions.close(session.id());
                ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Max-Age=0" + cookieAttributes);
                Http.json(ex, 200, Http.JSON.createObjectNode().put("user", (String) null));
                return;
            }
            JsonNode body = method.equals("POST") ? Http.json(raw) : null;
            Users.Role role = users.role(session.user()).orElse(null);
            if (role == null) {
                sessions.close(session.id()); // the user was removed meanwhile
                Http.error(ex, 401, "log in first");
                return;
            }
            Api.Reply r = api.handle(method, path, Http.query(ex), body, session.user(), role);
            Http.json(ex, r.status(), r.body());
        } catch (IllegalArgumentException e) {
            try {
                Http.error(ex, 400, e.getMessage());
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent
            }
        } catch (Exception e) {
            LOG.warn("request {} failed: {}", ex.getRequestURI().getPath(), e.toString());
            try {
                Http.error(ex, 500, "internal error");
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent
            }
        } finally {
            ex.close();
        }
    }

    private void login(HttpExchange ex, Sessions.Session anonymous, JsonNode b) throws IOException, InterruptedException {
        String name = b.path("user").asText("");
        String password = b.path("password").asText("");
        String address = ex.getRemoteAddress().getAddress().getHostAddress();
        long wait = throttle.waitMs(name, address);
        if (wait > 0) {
            long seconds = (wait + 999) / 1000;
            ex.getResponseHeaders().add("Retry-After", Long.toString(seconds));
            Http.error(ex, 429, "too many failed logins; try again in " + seconds + " s");
            return;
        }
        if (name.isEmpty() || !users.check(name, password.toCharArray())) {
            throttle.failed(name, address);
            LOG.info("failed login for user {}", name.replaceAll("[^A-Za-z0-9._-]", "?"));
            Http.error(ex, 401, "wrong user or password");
            return;
        }
        throttle.succeeded(name, address);
        sessions.close(anonymous.id());
        Sessions.Session s = sessions.open(name);
        setCookie(ex, s.id());
        Http.json(ex, 200, Http.JSON.createObjectNode().put("user", name)
                .put("role", users.role(name).map(Users.Role::label).orElse(null)).put("csrf", s.csrf()));
    }

    private static boolean csrfMatches(HttpExchange ex, Sessions.Session s) {
        String token = ex.getRequestHeaders().getFirst(CSRF_HEADER);
        return token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                s.csrf().getBytes(StandardCharsets.UTF_8));
    }

    private void setCookie(HttpExchange ex, String id) {
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + id + cookieAttributes);
    }

    private void serveStatic(HttpExchange ex, String method, String path) throws IOException {
        if (path.equals("/favicon.ico")) {
            Http.send(ex, 204, "image/x-icon", new byte[0]);
            return;
        }
        String file = STATIC.get(path);
        if (file == null || !(method.equals("GET") || method.equals("HEAD"))) {
            Http.send(ex, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] bytes;
        try (InputStream in = WebServer.class.getResourceAsStream("/dashboard/" + file)) {
            if (in == null) {
                Http.send(ex, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
                return;
            }
            bytes = in.readAllBytes();
        }
        String type = file.endsWith(".html") ? "text/html; charset=utf-8"
                : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        ex.getResponseHeaders().set("Cache-Control", path.startsWith("/vendor/") ? "public, max-age=31536000, immutable" : "no-cache");
        Http.send(ex, 200, type, bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
