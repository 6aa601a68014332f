package org.campusedge.console.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.campusedge.api.Alarms;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The school console over HTTP: the pages (login, security, lab, admin), their JSON API and the
 * live feed. Every page and API call checks the session and the role; every state change needs the
 * session's CSRF token in {@code X-CSRF-Token}. A role sees only its pages: a teacher asking for the
 * security page gets 403.
 */
final class ConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);

    private static final Map<String, Set<Users.Role>> PAGES = Map.of(
            "/security.html", Set.of(Users.Role.SECURITY, Users.Role.ADMIN),
            "/lab.html", Set.of(Users.Role.TEACHER, Users.Role.ADMIN),
            "/admin.html", Set.of(Users.Role.ADMIN),
            "/energy.html", Set.of(Users.Role.SECURITY, Users.Role.TEACHER, Users.Role.ADMIN));
    private static final Set<String> ASSETS = Set.of("/app.js", "/style.css", "/login.html", "/forbidden.html");

    private final Users users;
    private final Sessions sessions;
    private final LiveFeed feed;
    private final Alarms alarms;
    private final DeviceHealth health;
    private final DeviceRegistry registry;
    private final EventStore store;
    private final LabRecordings recordings;
    private final EnergyToday energy;
    private final AdminView admin;
    private final HttpServer server;
    private final ExecutorService threads;
    private final java.util.concurrent.Semaphore logins = new java.util.concurrent.Semaphore(2);

    ConsoleServer(String host, int port, Users users, Sessions sessions, LiveFeed feed, Alarms alarms, DeviceHealth health,
                  DeviceRegistry registry, EventStore store, LabRecordings recordings, AdminView admin) throws IOException {
        this.admin = admin;
        this.store = store;
        this.recordings = recordings;
        this.energy = new EnergyToday(store, registry);
        this.users = users;
        this.sessions = sessions;
        this.feed = feed;
        this.alarms = alarms;
        this.health = health;
        this.registry = registry;
        AtomicInteger n = new AtomicInteger();
        // live pages hold a thread each (bounded by the feed's client limit); requests share the rest
        this.threads = Executors.newFixedThreadPool(64, r -> {
            Thread t = new Thread(r, "console-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        try {
            if (path.equals("/login") && method.equals("POST")) {
                login(ex);
            } else if (path.equals("/") || path.equals("/login")) {
                Optional<Sessions.Session> s = session(ex);
                if (path.equals("/") && s.isPresent()) {
                    Http.redirect(ex, home(s.get().user().role()));
                } else {
                    asset(ex, "/login.html");
                }
            } else if (ASSETS.contains(path)) {
                asset(ex, path);
            } else if (PAGES.containsKey(path)) {
                Optional<Sessions.Session> s = session(ex);
                if (s.isEmpty()) {
                    Http.redirect(ex, "/login");
                } else if (!PAGES.get(path).contains(s.get().user().role())) {
                    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    sendResource(ex, 403, "/forbidden.html");
                } else {
                    asset(ex, path);
                }
            } else if (path.startsWith("/api/")) {
                api(ex, path, method);
            } else {
                Http.text(ex, 404, "not found");
            }
        } catch (RuntimeException e) {
            LOG.warn("Console request {} {} failed: {}", method, path, e.toString());
            Http.text(ex, 500, "console error");
        }
    }

    private void login(HttpExchange ex) throws IOException {
        Map<String, String> form = Http.form(Http.body(ex));
        // each check costs a PBKDF2 (tens of ms of CPU): two at a time, so a flood of logins cannot take the gateway's cores
        Optional<Users.User> user;
        try {
            if (!logins.tryAcquire(5, java.util.concurrent.TimeUnit.SECONDS)) {
                Http.text(ex, 503, "too many logins at once; try again");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Http.text(ex, 503, "interrupted");
            return;
        }
        try {
            user = users.check(form.getOrDefault("user", ""), form.getOrDefault("password", "").toCharArray());
        } finally {
            logins.release();
        }
        if (user.isEmpty()) {
            Http.redirect(ex, "/login?failed=1");
            return;
        }
        Sessions.Session s = sessions.open(user.get());
        ex.getResponseHeaders().add("Set-Cookie", Http.COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict");
        LOG.info("Console login: {} ({})", user.get().name(), user.get().role());
        Http.redirect(ex, home(user.get().role()));
    }

    static String home(Users.Role role) {
        return switch (role) {
            case SECURITY -> "/security.html";
            case TEACHER -> "/lab.html";
            case ADMIN -> "/admin.html";
        };
    }

    private Optional<Sessions.Session> session(HttpExchange ex) {
        return sessions.find(Http.cookie(ex, Http.COOKIE));
    }

    private void api(HttpExchange ex, String path, String method) throws IOException {
        Optional<Sessions.Session> found = session(ex);
        if (found.isEmpty()) {
            Http.text(ex, 401, "log in first");
            return;
        }
        Sessions.Session s = found.get();
        Users.Role role = s.user().role();
        boolean security = role == Users.Role.SECURITY || role == Users.Role.ADMIN;
        boolean teacher = role == Users.Role.TEACHER || role == Users.Role.ADMIN;
        if (method.equals("POST") && !s.csrf().equals(ex.getRequestHeaders().getFirst("X-CSRF-Token"))) {
            Http.text(ex, 403, "missing or wrong CSRF token");
            return;
        }
        switch (method + " " + path) {
            case "GET /api/me" -> Http.json(ex, 200, g -> {
                g.writeStartObject();
                g.writeStringField("user", s.user().name());
                g.writeStringField("role", role.name().toLowerCase());
                g.writeStringField("csrf", s.csrf());
                g.writeStringField("school", registry.schoolId());
                g.writeEndObject();
            });
            case "POST /api/logout" -> {
                sessions.close(s.id());
                ex.getResponseHeaders().add("Set-Cookie", Http.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
                Http.text(ex, 200, "bye");
            }
            case "GET /api/alarms" -> allowed(ex, security, () -> Http.json(ex, 200, g -> ApiViews.alarms(g, alarms, registry)));
            case "POST /api/alarms/acknowledge", "POST /api/alarms/clear" -> allowed(ex, security, () -> {
                Map<String, String> form = Http.form(Http.body(ex));
                String key = form.getOrDefault("key", "");
                String note = form.getOrDefault("note", "");
                boolean done = path.endsWith("acknowledge") ? alarms.acknowledge(key, s.user().name(), note)
                        : alarms.clear(key, s.user().name(), note);
                Http.text(ex, done ? 200 : 409, done ? "done" : "no such active alarm, or already acknowledged");
            });
            case "GET /api/events" -> allowed(ex, security, () -> {
                Map<String, String> q = Http.form(ex.getRequestURI().getRawQuery());
                Http.json(ex, 200, g -> ApiViews.events(g, q, store));
            });
            case "GET /api/devices" -> allowed(ex, security || role == Users.Role.ADMIN, () -> Http.json(ex, 200, g -> ApiViews.devices(g, health, registry)));
            case "GET /api/admin" -> allowed(ex, role == Users.Role.ADMIN, () -> Http.json(ex, 200, admin::write));
            case "GET /api/energy" -> Http.json(ex, 200, g -> ApiViews.energy(g, energy.meters()));
            case "GET /api/labs" -> allowed(ex, teacher, () -> Http.json(ex, 200, g -> ApiViews.labs(g, registry)));
            case "POST /api/lab/recording" -> allowed(ex, teacher, () -> {
                Map<String, String> form = Http.form(Http.body(ex));
                try {
                    boolean done = recordings.mark(form.getOrDefault("room", ""), "start".equals(form.get("action")),
                            form.get("title"), s.user().name());
                    Http.text(ex, done ? 200 : 409, done ? "done" : "a recording is already running, or none is");
                } catch (IllegalArgumentException e) {
                    Http.text(ex, 400, e.getMessage());
                } catch (Exception e) {
                    Http.text(ex, 503, "the recording mark could not be stored: " + e.getMessage());
                }
            });
            case "GET /api/lab/recordings" -> allowed(ex, teacher, () -> {
                String room = Http.form(ex.getRequestURI().getRawQuery()).getOrDefault("room", "");
                Http.json(ex, 200, g -> ApiViews.recordings(g, recordings.list(room)));
            });
            case "GET /api/lab/recording.csv" -> allowed(ex, teacher, () -> {
                Map<String, String> q = Http.form(ex.getRequestURI().getRawQuery());
                java.io.StringWriter csv = new java.io.StringWriter();
                try {
                    recordings.csv(q.getOrDefault("room", ""), q.getOrDefault("id", ""), csv);
                } catch (IllegalArgumentException e) {
                    Http.text(ex, 404, e.getMessage());
                    return;
                }
                ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"lab-recording-" + q.get("id") + ".csv\"");
                Http.send(ex, 200, "text/csv; charset=utf-8", csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            });
            case "GET /api/stream" -> {
                Map<String, String> q = Http.form(ex.getRequestURI().getRawQuery());
                String topic = q.getOrDefault("topic", "");
                if (topic.equals("alarms")) {
                    allowed(ex, security, () -> feed.serve(ex, e -> e.kind().startsWith("alarm."), () -> sessions.isLive(s.id())));
                } else if (topic.equals("lab")) {
                    String room = q.getOrDefault("room", "");
                    allowed(ex, teacher, () -> feed.serve(ex, e -> e.kind().equals("lab.reading") && room.equals(e.location().room()),
                            () -> sessions.isLive(s.id())));
                } else {
                    Http.text(ex, 400, "topic must be alarms or lab");
                }
            }
            case "GET /api/users" -> allowed(ex, role == Users.Role.ADMIN, () -> Http.json(ex, 200, g -> {
                g.writeStartArray();
                for (Users.User u : users.list()) {
                    g.writeStartObject();
                    g.writeStringField("name", u.name());
                    g.writeStringField("role", u.role().name().toLowerCase());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }));
            case "POST /api/users" -> allowed(ex, role == Users.Role.ADMIN, () -> {
                Map<String, String> form = Http.form(Http.body(ex));
                try {
                    users.put(form.getOrDefault("name", ""), Users.Role.valueOf(form.getOrDefault("role", "").toUpperCase()),
                            form.getOrDefault("password", "").toCharArray());
                    sessions.closeUser(form.get("name")); // a new password or role ends the old sessions
                    LOG.info("Console user {} ({}) saved by {}", form.get("name"), form.get("role"), s.user().name());
                    Http.text(ex, 200, "saved");
                } catch (IllegalArgumentException e) {
                    Http.text(ex, 400, e.getMessage());
                }
            });
            default -> Http.text(ex, 404, "no such API");
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void allowed(HttpExchange ex, boolean allowed, Action action) throws IOException {
        if (allowed) {
            action.run();
        } else {
            Http.text(ex, 403, "your role may not do this");
        }
    }

    private void asset(HttpExchange ex, String path) throws IOException {
        sendResource(ex, 200, path);
    }

    private static void sendResource(HttpExchange ex, int status, String path) throws IOException {
        try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream("console" + path)) {
            if (in == null) {
                Http.text(ex, 404, "not found");
                return;
            }
            String type = path.endsWith(".html") ? "text/html; charset=utf-8" : path.endsWith(".js")
                    ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            Http.send(ex, status, type, in.readAllBytes());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
