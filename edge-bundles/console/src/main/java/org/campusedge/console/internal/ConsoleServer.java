package org.campusedge.console.internal;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.campusedge.api.Alarms;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventStore;
import org.campusedge.net.BoundedHttpServer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.campusedge.web.ExchangeServer;
import org.campusedge.web.Http;
import org.campusedge.web.ScrapeToken;
import org.campusedge.web.WebExchange;
import org.campusedge.web.Sessions;

/**
 * The school console over HTTP: the pages (login, security, lab, admin), their JSON API and the
 * live feed. Every page and API call checks the session and the role; every state change needs the
 * session's CSRF token in {@code X-CSRF-Token}. A role sees only its pages: a teacher asking for the
 * security page gets 403.
 */
final class ConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    static final String COOKIE = "campus_session";
    /** Sessions kept at most (a school has a few hundred staff); past it the idle and the expired go first. */
    static final int MAX_SESSIONS = 5_000;
    /** The largest request body: forms and small JSON, no uploads. */
    static final int MAX_BODY = 16 * 1024;

    private static final Map<String, Set<Users.Role>> PAGES = Map.of(
            "/security.html", Set.of(Users.Role.SECURITY, Users.Role.ADMIN, Users.Role.WALL_SCREEN),
            "/lab.html", Set.of(Users.Role.TEACHER, Users.Role.ADMIN),
            "/admin.html", Set.of(Users.Role.ADMIN),
            "/energy.html", Set.of(Users.Role.SECURITY, Users.Role.TEACHER, Users.Role.ADMIN));
    /** How long an alarm change waits for the store before the person is told it is not stored yet. */
    static final int STORE_WAIT_SECONDS = 10;
    private static final Set<String> ASSETS = Set.of("/app.js", "/style.css", "/login.html", "/forbidden.html", "/screen.html");
    /** The pages' scripts and the charting library (ECharts, from its WebJar), open to all like /app.js: they hold no data. */
    private static final java.util.regex.Pattern SCRIPTS = java.util.regex.Pattern.compile(
            "/pages/[a-z-]{1,32}\\.js|/vendor/echarts-[0-9.]{1,16}/(echarts\\.min\\.js|LICENSE|NOTICE)");

    private final Users users;
    private final Sessions<Users.User> sessions;
    private final LiveFeed feed;
    private final DeviceHealth health;
    private final DeviceRegistry registry;
    private final EventStore store;
    private final LabApi labs;
    private final EnergyToday energy;
    private final EnergyHours energyHours;
    private final CameraSnapshots snapshots;
    private final org.campusedge.api.RuleStatus rules;
    private final AdminView admin;
    private final CredentialsView credentials;
    private final DrillView drills;
    private final SubjectRequests subjects;
    private final AlarmApi alarmApi;
    private final BoundedHttpServer server;
    private final Accounts accounts;
    private final AuditLog audit;
    private final ScreenLogins screens;
    private final Monitoring monitoring;

    /** Cookie attributes: {@code Secure} when the console is HTTPS, so a session id never travels in clear. */
    private final String cookieAttributes;

    /** @param tls the console's key and certificate; null: plain HTTP (tests of the pages' logic only) */
    ConsoleServer(String host, int port, org.campusedge.net.TlsIdentity tls, Users users, Sessions<Users.User> sessions, LiveFeed feed, Alarms alarms, DeviceHealth health,
                  DeviceRegistry registry, EventStore store, LabRecordings recordings, LabAccess labAccess, AdminView admin, CredentialsView credentials,
                  DrillView drills, Screens screens, java.util.function.Supplier<org.campusedge.api.CardSubjects> cardSubjects,
                  BoundedHttpServer.Limits limits, java.util.function.Consumer<org.campusedge.api.CampusEvent> audit,
                  Monitoring monitoring) throws IOException {
        this.monitoring = monitoring;
        this.cookieAttributes = Http.cookieAttributes(tls != null);
        this.audit = new AuditLog(audit, registry.schoolId());
        this.screens = new ScreenLogins(screens, sessions, this.audit, cookieAttributes, tls != null);
        this.accounts = new Accounts(users, sessions, this.audit, cookieAttributes);
        this.admin = admin;
        this.credentials = credentials;
        this.drills = drills;
        this.subjects = new SubjectRequests(store, cardSubjects, this.audit);
        this.alarmApi = new AlarmApi(alarms, registry, new AlarmLedger(store), labAccess, store);
        this.store = store;
        this.labs = new LabApi(labAccess, recordings, registry, feed, sessions, users, this.audit);
        this.energy = new EnergyToday(store, registry);
        this.energyHours = new EnergyHours(store, registry, java.time.Clock.systemUTC());
        this.snapshots = new CameraSnapshots(registry, store, credentials::credentials);
        this.rules = admin.rules();
        this.users = users;
        this.sessions = sessions;
        // someone else changed the users file (bin/campus-edge console-password): those users' sessions end
        users.file().onChanges(names -> sessions.closeWhere(u -> names.contains(u.name())));
        this.feed = feed;
        this.health = health;
        this.registry = registry;
        this.server = ExchangeServer.start("school console", host, port, limits, tls, this::handle);
    }

    /**
     * The console's bounds: 256 connections, 32 per source (a staff room behind one address has
     * several browsers, each with six connections and a live page), 10 s to send headers, 30 s idle
     * (the live feed writes every 15 s), 16 KiB of headers, 96 threads and requests in flight (live
     * pages hold one each, at most 48), 50 requests a second per source, a source that gets 50
     * refusals within 10 s is ignored for 30 s, and every body (16 KiB at most) is read by the server
     * within 10 s before a console thread sees the request, so slow senders hold no thread.
     */
    static BoundedHttpServer.Limits defaultLimits() {
        return new BoundedHttpServer.Limits(256, 32, Duration.ofSeconds(10), Duration.ofSeconds(30), 16 * 1024, 96, 96, 50, 200, 50,
                30, true, Duration.ofSeconds(10), MAX_BODY);
    }

    /**
     * A plain-HTTP server that answers every request with a redirect to the same path on the HTTPS
     * console, and nothing else: no page, no cookie and no password ever goes over it.
     */
    static BoundedHttpServer redirect(String host, int port, int httpsPort) throws IOException {
        BoundedHttpServer r = new BoundedHttpServer("console redirect", host, port, new BoundedHttpServer.Limits(64, 8,
                Duration.ofSeconds(5), Duration.ofSeconds(10), 8192, 4, 32, 20, 40, 50, 30, false, Duration.ofSeconds(5), 0),
                new Handler.Abstract() {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback) {
                        String asked = Request.getPathInContext(request);
                        if (request.getHeaders().get("Authorization") != null || "/metrics".equals(asked) || "/health".equals(asked)) {
                            // a scraper pointed at the plain port would follow a redirect and send its token again, in clear
                            BoundedHttpServer.answer(response, callback, 400, "use https on port " + httpsPort + "; nothing is answered in clear");
                            return true;
                        }
                        String hostHeader = String.valueOf(Request.getServerName(request));
                        String target = hostHeader.matches("[A-Za-z0-9.:\\[\\]-]{1,255}") ? hostHeader : "localhost";
                        if (target.contains(":") && !target.startsWith("[")) {
                            target = "[" + target + "]"; // an IPv6 literal
                        }
                        String path = request.getHttpURI().getPathQuery();
                        response.getHeaders().put(org.eclipse.jetty.http.HttpHeader.LOCATION,
                                "https://" + target + ":" + httpsPort + (path == null || !path.startsWith("/") ? "/" : path));
                        BoundedHttpServer.answer(response, callback, 301, null);
                        return true;
                    }
                });
        try {
            r.start();
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
        return r;
    }

    int port() {
        return server.port();
    }

    BoundedHttpServer bounded() {
        return server;
    }

    private void handle(WebExchange ex) throws IOException {
        String path = ex.path();
        String method = ex.method();
        try {
            if (path.equals("/login") && method.equals("POST")) {
                accounts.login(ex);
            } else if (path.equals("/screen/login") && method.equals("POST")) {
                screens.login(ex);
            } else if (path.equals("/screen")) {
                asset(ex, "/screen.html");
            } else if (path.equals("/login")) {
                asset(ex, "/login.html"); // a person logging in on a screen's browser is not made the screen
            } else if (path.equals("/")) {
                Optional<Sessions.Session<Users.User>> s = session(ex);
                if (s.isPresent()) {
                    Http.redirect(ex, home(s.get().user().role()));
                } else {
                    asset(ex, "/login.html");
                }
            } else if (path.equals("/favicon.ico")) {
                Http.send(ex, 204, "image/x-icon", new byte[0]); // none: not a 404 in every browser's console
            } else if (ASSETS.contains(path) || SCRIPTS.matcher(path).matches()) {
                asset(ex, path);
            } else if (PAGES.containsKey(path)) {
                Optional<Sessions.Session<Users.User>> s = session(ex);
                if (s.isEmpty()) {
                    Http.redirect(ex, "/login");
                } else if (!PAGES.get(path).contains(s.get().user().role())) {
                    ex.responseHeaders().put("Content-Type", "text/html; charset=utf-8");
                    sendResource(ex, 403, "/forbidden.html");
                } else {
                    asset(ex, path);
                }
            } else if ((path.equals("/metrics") || path.equals("/health")) && method.equals("GET")) {
                Optional<Sessions.Session<Users.User>> s = monitoring.bearer(ex) ? Optional.empty() : session(ex);
                if (monitoring.bearer(ex) || s.isPresent() && s.get().user().role() == Users.Role.ADMIN) {
                    monitoring.serve(ex, path);
                } else {
                    ScrapeToken.refuse(ex, s.isPresent());
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

    static String home(Users.Role role) {
        return switch (role) {
            case SECURITY, WALL_SCREEN -> "/security.html";
            case TEACHER -> "/lab.html";
            case ADMIN -> "/admin.html";
        };
    }

    /** The request's live session; else, for a wall screen's browser, a new one from its screen cookie. */
    private Optional<Sessions.Session<Users.User>> session(WebExchange ex) {
        users.reloadIfChanged(); // a password reset on the command line ends that user's sessions before this request
        Optional<Sessions.Session<Users.User>> s = sessions.find(Http.cookie(ex, ConsoleServer.COOKIE));
        return s.isPresent() ? s : screens.fromCookie(ex);
    }

    private void api(WebExchange ex, String path, String method) throws IOException {
        Optional<Sessions.Session<Users.User>> found = session(ex);
        if (found.isEmpty()) {
            Http.text(ex, 401, "log in first");
            return;
        }
        Sessions.Session<Users.User> s = found.get();
        Users.Role role = s.user().role();
        boolean screen = role == Users.Role.WALL_SCREEN;
        boolean security = role == Users.Role.SECURITY || role == Users.Role.ADMIN || screen; // for a screen: to read only
        boolean teacher = role == Users.Role.TEACHER || role == Users.Role.ADMIN;
        if (method.equals("POST") && !Http.csrfMatches(ex, s.csrf())) {
            Http.text(ex, 403, "missing or wrong CSRF token");
            return;
        }
        if (screen && method.equals("POST") && !path.equals("/api/logout")) {
            Http.text(ex, 403, "a wall screen only shows: acknowledge, clear and start drills from a person's login");
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
                ex.responseHeaders().add("Set-Cookie", ConsoleServer.COOKIE + "=; Max-Age=0" + cookieAttributes);
                if (screen) {
                    screens.forget(ex);
                }
                Http.text(ex, 200, "bye");
            }
            // each role its alarms: a guard security's (and every CRITICAL one), a teacher the labs', the admin all
            case "GET /api/alarms" -> allowed(ex, security || teacher, () -> alarmApi.list(ex, s.user()));
            case "POST /api/alarms/acknowledge", "POST /api/alarms/clear" -> allowed(ex, security || teacher,
                    () -> alarmApi.change(ex, s.user(), path.endsWith("acknowledge")));
            case "GET /api/alarms/ledger" -> allowed(ex, security || teacher, () -> alarmApi.ledger(ex, s.user()));
            // a camera's snapshot, fetched by the gateway from the camera (only a URL the camera itself reported)
            case "GET /api/snapshot" -> allowed(ex, security, () -> {
                Map<String, String> q = Http.form(ex.rawQuery());
                CameraSnapshots.Answer a = snapshots.fetch(q.getOrDefault("device", ""), q.getOrDefault("url", ""));
                if (a.status() == 200) {
                    Http.send(ex, 200, a.type(), a.body(), "private, max-age=300");
                } else {
                    Http.text(ex, a.status(), a.why());
                }
            });
            case "GET /api/drill" -> allowed(ex, security, () -> Http.json(ex, 200, drills::write));
            case "POST /api/drill/start" -> allowed(ex, security, () -> drills.start(ex, s.user().name()));
            case "POST /api/drill/stop" -> allowed(ex, security, () -> drills.stop(ex, s.user().name()));
            case "GET /api/events" -> allowed(ex, security, () -> {
                Map<String, String> q = Http.form(ex.rawQuery());
                Http.json(ex, 200, g -> ApiViews.events(g, q, store, (device, severity) -> alarmApi.sees(s.user(), device, severity)));
            });
            case "GET /api/devices" -> allowed(ex, security || role == Users.Role.ADMIN, () -> Http.json(ex, 200, g -> ApiViews.devices(g, health, registry)));
            case "GET /api/admin" -> allowed(ex, role == Users.Role.ADMIN, () -> Http.json(ex, 200, admin::write));
            case "GET /api/trail" -> allowed(ex, role == Users.Role.ADMIN, () -> Http.json(ex, 200, admin::writeTrail));
            // the data-protection officer's requests about one card (POST: the number is never in a URL or a log)
            case "POST /api/subject/export" -> allowed(ex, role == Users.Role.ADMIN, () -> subjects.export(ex, s));
            case "POST /api/subject/erase" -> allowed(ex, role == Users.Role.ADMIN, () -> subjects.erase(ex, s));
            case "GET /api/credentials" -> allowed(ex, role == Users.Role.ADMIN, () -> Http.json(ex, 200, credentials::write));
            case "POST /api/credentials/issue", "POST /api/credentials/revoke" -> allowed(ex, role == Users.Role.ADMIN,
                    () -> credentials.issueOrRevoke(ex, path.endsWith("issue"), s.user().name(), audit));
            case "GET /api/certificates" -> allowed(ex, role == Users.Role.ADMIN, () -> Http.json(ex, 200, credentials::writeCertificates));
            case "POST /api/certificates/trust", "POST /api/certificates/distrust" -> allowed(ex, role == Users.Role.ADMIN,
                    () -> credentials.trustOrDistrust(ex, path.endsWith("/trust"), s.user().name(), audit));
            case "GET /api/energy" -> Http.json(ex, 200, g -> ApiViews.energy(g, energy.meters()));
            case "GET /api/energy/hours" -> Http.json(ex, 200, g -> energyHours.write(g, rules.thresholds()));
            case "GET /api/labs", "GET /api/lab/history", "GET /api/lab/recordings", "GET /api/lab/recording.json",
                 "GET /api/lab/recording.csv", "POST /api/lab/recording", "GET /api/lab/grants", "POST /api/lab/grants",
                 "POST /api/lab/grants/revoke" -> allowed(ex, teacher, () -> labs.handle(ex, method + " " + path, s));
            case "GET /api/stream" -> {
                Map<String, String> q = Http.form(ex.rawQuery());
                String topic = q.getOrDefault("topic", "");
                if (topic.equals("alarms")) {
                    allowed(ex, security || teacher, () -> feed.serve(ex, e -> e.kind().startsWith("alarm.")
                            ? alarmApi.sees(s.user(), e.deviceId(), ApiViews.severityOf(e))
                            : e.kind().startsWith("audit.drill-") && security, () -> sessions.isLive(s.id()), role == Users.Role.TEACHER));
                } else if (topic.equals("lab")) {
                    allowed(ex, teacher, () -> labs.handle(ex, "GET /api/stream", s));
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
            case "POST /api/users" -> allowed(ex, role == Users.Role.ADMIN, () -> accounts.save(ex, s));
            case "POST /api/users/reset" -> allowed(ex, role == Users.Role.ADMIN, () -> accounts.reset(ex, s));
            case "POST /api/users/remove" -> allowed(ex, role == Users.Role.ADMIN, () -> {
                accounts.remove(ex, s);
                String name = Http.form(Http.body(ex)).getOrDefault("name", "");
                if (users.role(name).isEmpty()) {
                    labs.access().grants().forget(name); // a later user of that name starts with no labs
                }
            });
            case "POST /api/password" -> accounts.changeOwn(ex, s);
            case "GET /api/screens" -> allowed(ex, role == Users.Role.ADMIN, () -> screens.list(ex));
            case "POST /api/screens" -> allowed(ex, role == Users.Role.ADMIN, () -> screens.add(ex, s));
            case "POST /api/screens/revoke" -> allowed(ex, role == Users.Role.ADMIN, () -> screens.revoke(ex, s));
            default -> Http.text(ex, 404, "no such API");
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void allowed(WebExchange ex, boolean allowed, Action action) throws IOException {
        if (allowed) {
            action.run();
        } else {
            Http.text(ex, 403, "your role may not do this");
        }
    }

    private void asset(WebExchange ex, String path) throws IOException {
        sendResource(ex, 200, path);
    }

    private static void sendResource(WebExchange ex, int status, String path) throws IOException {
        Http.resource(ex, status, ConsoleServer.class.getClassLoader(), "console", path);
    }

    @Override
    public void close() {
        server.close();
    }
}
