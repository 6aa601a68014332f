package org.campusedge.city;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web dashboard without Hono (its port refuses connections): first-start admin, login with CSRF, the
 * session cookie, the API behind it, the static page's ids.
 */
class WebServerTest {

    @TempDir
    Path dir;
    CityDashboard dashboard;
    String adminPassword;
    HttpClient http;

    @BeforeEach
    void start() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CityConfig config = CityConfig.builder().honoPort(closedPort).tenant("chengdu")
                .jdbcUrl("jdbc:sqlite:" + dir.resolve("city.db")).httpPort(0).usersFile(dir.resolve("users")).build();
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            dashboard = CityDashboard.start(config);
        } finally {
            System.setOut(out);
        }
        // a client that trusts the dashboard's own certificate, and nothing else
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .sslContext(org.campusedge.net.TlsIdentity.trusting(dashboard.tlsCertificate())).build();
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("HTTPS certificate made, SHA-256 fingerprint"),
                "the first start prints the certificate's fingerprint");
        Matcher m = Pattern.compile("password: (\\S+)").matcher(captured.toString(StandardCharsets.UTF_8));
        assertTrue(m.find(), "the first admin password is printed");
        adminPassword = m.group(1);
    }

    @AfterEach
    void stop() {
        dashboard.close();
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1))).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String cookie, String csrf, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json");
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return http.send(b.POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookieOf(HttpResponse<?> r) {
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        return set.substring(0, set.indexOf(';'));
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void firstStartCreatesAdminOnceAndNeverAgain() throws Exception {
        String file = Files.readString(dir.resolve("users"));
        assertTrue(file.startsWith("admin:ADMIN:210000:"), file);
        assertFalse(file.contains(adminPassword));
        assertTrue(new Users(dir.resolve("users")).file().check("admin", adminPassword.toCharArray()).isPresent());
        assertTrue(new Users(dir.resolve("users")).createAdminIfNone().isEmpty());
    }

    @Test
    void loginNeedsTheCsrfTokenAndTheRightPassword() throws Exception {
        assertEquals(401, get("/api/energy", null).statusCode());
        HttpResponse<String> session = get("/api/session", null);
        String anon = cookieOf(session);
        assertTrue(session.headers().firstValue("Set-Cookie").orElseThrow().contains("HttpOnly"));
        assertTrue(session.headers().firstValue("Set-Cookie").orElseThrow().contains("SameSite=Strict"));
        assertTrue(session.headers().firstValue("Set-Cookie").orElseThrow().contains("; Secure"), "the cookie travels over HTTPS only");
        assertTrue(session.headers().firstValue("Strict-Transport-Security").orElse("").contains("max-age=31536000"));
        assertTrue(dashboard.url().startsWith("https://"), dashboard.url());
        // plain HTTP to the dashboard's port gets no page
        java.net.http.HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(java.io.IOException.class, () -> plain.send(HttpRequest.newBuilder(URI.create(dashboard.url()
                .replace("https:", "http:") + "api/session")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
        String csrf = json(session).get("csrf").asText();
        assertTrue(json(session).get("user").isNull());
        String login = "{\"user\":\"admin\",\"password\":\"" + adminPassword + "\"}";
        assertEquals(403, post("/api/login", anon, null, login).statusCode());
        assertEquals(403, post("/api/login", anon, "wrong", login).statusCode());
        assertEquals(401, post("/api/login", anon, csrf, "{\"user\":\"admin\",\"password\":\"nope-nope-nope\"}").statusCode());
        HttpResponse<String> ok = post("/api/login", anon, csrf, login);
        assertEquals(200, ok.statusCode());
        String cookie = cookieOf(ok);
        assertFalse(cookie.equals(anon), "a new session id after the login");
        String csrf2 = json(ok).get("csrf").asText();
        // the anonymous session is gone
        assertEquals(401, get("/api/energy", anon).statusCode());

        HttpResponse<String> energy = get("/api/energy?range=7d", cookie);
        assertEquals(200, energy.statusCode());
        assertEquals(7, json(energy).get("trend").size());
        for (String view : new String[] {"/api/safety", "/api/health", "/api/quiet", "/api/schools", "/api/commands", "/api/overview"}) {
            assertEquals(200, get(view, cookie).statusCode(), view);
        }
        assertFalse(json(get("/api/overview", cookie)).get("connected").asBoolean());
        assertEquals("chengdu", json(get("/api/overview", cookie)).get("tenant").asText());

        // every POST needs the session's token
        String order = "{\"text\":\"test\",\"schools\":[\"s1\"]}";
        assertEquals(403, post("/api/broadcast", cookie, null, order).statusCode());
        assertEquals(403, post("/api/broadcast", cookie, csrf, order).statusCode());
        assertEquals(400, post("/api/broadcast", cookie, csrf2, "{\"text\":\"\"}").statusCode());
        assertEquals(400, post("/api/broadcast", cookie, csrf2, "{\"text\":\"x\",\"priority\":101}").statusCode());
        HttpResponse<String> sent = post("/api/broadcast", cookie, csrf2, order);
        assertEquals(202, sent.statusCode());
        String batch = json(sent).get("batch").asText();
        HttpResponse<String> results = get("/api/broadcast/" + batch, cookie);
        assertEquals(200, results.statusCode());
        assertEquals("s1", json(results).get("results").get(0).get("school").asText());
        assertEquals("admin", dashboard.database().commands().ofBatch(batch).get(0).issuedBy(), "the audit names who sent it");

        assertEquals(200, post("/api/logout", cookie, csrf2, "{}").statusCode());
        assertEquals(401, get("/api/energy", cookie).statusCode());
    }

    /**
     * A POST refused before its body matters (a wrong CSRF token) must not stall the next request on the same
     * kept-alive TLS connection: the JDK server did, now and then under load, when the body was left unread
     * (CI saw a 10 s timeout; 60 rounds beside two busy loops failed two runs in three before the body was read first).
     */
    @Test
    void aRefusedPostLeavesTheConnectionUsable() throws Exception {
        String[] admin = login("admin", adminPassword);
        for (int i = 0; i < 60; i++) {
            assertEquals(403, post("/api/broadcast", admin[0], "wrong", "{\"text\":\"test\",\"schools\":[\"s1\"]}").statusCode());
            assertEquals(400, post("/api/broadcast", admin[0], admin[1], "{\"text\":\"\"}").statusCode(), "round " + i);
        }
    }

    /** Logs in; returns the session cookie and its CSRF token. */
    private String[] login(String user, String password) throws Exception {
        HttpResponse<String> session = get("/api/session", null);
        HttpResponse<String> ok = post("/api/login", cookieOf(session), json(session).get("csrf").asText(),
                "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        return new String[] {cookieOf(ok), json(ok).get("csrf").asText()};
    }

    /**
     * Roles: a viewer looks and cannot broadcast; an operator broadcasts and asks status but cannot
     * push rules or manage users; only an admin does those.
     */
    @Test
    void aViewerCannotBroadcastAndAnOperatorCannotPushRules() throws Exception {
        String[] admin = login("admin", adminPassword);
        assertEquals(200, post("/api/users", admin[0], admin[1],
                "{\"name\":\"viewer-zhang\",\"password\":\"viewer-password-1\",\"role\":\"viewer\"}").statusCode());
        assertEquals(200, post("/api/users", admin[0], admin[1],
                "{\"name\":\"operator-li\",\"password\":\"operator-password-1\",\"role\":\"operator\"}").statusCode());
        assertEquals(400, post("/api/users", admin[0], admin[1],
                "{\"name\":\"x\",\"password\":\"long-enough-pw\",\"role\":\"superuser\"}").statusCode());
        String order = "{\"text\":\"test\",\"schools\":[\"s1\"]}";

        String[] viewer = login("viewer-zhang", "viewer-password-1");
        assertEquals("viewer", json(get("/api/session", viewer[0])).get("role").asText());
        assertEquals(200, get("/api/energy", viewer[0]).statusCode());
        HttpResponse<String> refused = post("/api/broadcast", viewer[0], viewer[1], order);
        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("a viewer may not do this"), refused.body());
        assertEquals(403, post("/api/schools/s1/status", viewer[0], viewer[1], "{}").statusCode());
        assertEquals(403, get("/api/users", viewer[0]).statusCode());
        assertEquals(403, post("/api/users", viewer[0], viewer[1],
                "{\"name\":\"viewer-zhang\",\"password\":\"now-i-am-admin\",\"role\":\"admin\"}").statusCode());

        String[] operator = login("operator-li", "operator-password-1");
        assertEquals(202, post("/api/broadcast", operator[0], operator[1], order).statusCode());
        assertEquals(403, post("/api/schools/s1/rules", operator[0], operator[1], "{\"name\":\"x\",\"yaml\":\"rules: []\"}")
                .statusCode());
        assertEquals(403, post("/api/users", operator[0], operator[1],
                "{\"name\":\"operator-li\",\"password\":\"now-i-am-admin\",\"role\":\"admin\"}").statusCode());
        assertEquals("viewer", json(get("/api/users", admin[0])).get("viewer-zhang").asText());
        assertEquals(0, dashboard.database().commands().recent(50).stream().filter(c -> "viewer-zhang".equals(c.issuedBy())).count(),
                "the viewer's broadcast was sent");
    }

    @Test
    void aBroadcastWithoutHonoFailsPerSchoolAndIsRecorded() throws Exception {
        BroadcastResult r = dashboard.broadcast(new BroadcastOrder("停课通知", null, null, 10, java.util.List.of("s1", "s2")));
        var rows = r.completion().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(2, rows.size());
        for (CommandRecord c : rows) {
            assertTrue(c.done());
            assertEquals("failed", c.status(), c.toString());
            assertEquals(503, c.code());
            assertNotNull(c.answeredAtMs());
            assertTrue(c.body().contains("停课通知"));
        }
        assertEquals(2, dashboard.database().commands().ofBatch(r.batch()).size());
    }

    @Test
    void thePageHasTheIdsTheBrowserTestsUse() throws Exception {
        HttpResponse<String> page = get("/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("default-src 'self'"));
        for (String id : new String[] {"login-form", "energy-table", "alarms-table", "health-table", "quiet-schools",
                                       "broadcast-form", "broadcast-results", "lang"}) {
            assertTrue(page.body().contains("id=\"" + id + "\""), id);
        }
        assertEquals(200, get("/app.js", null).statusCode());
        assertEquals(200, get("/style.css", null).statusCode());
        HttpResponse<String> escape = get("/../pom.xml", null); // Jetty refuses the path itself (400); a file outside is never read
        assertTrue(escape.statusCode() == 400 || escape.statusCode() == 404, escape.statusCode() + " " + escape.body());
        assertFalse(escape.body().contains("<project"), escape.body());
        assertEquals(404, get("/pom.xml", null).statusCode());
        assertTrue(get("/app.js", null).body().contains("'zh-CN'"));
    }

    /**
     * The attacks the console's server already met, now on the dashboard: connections that never finish their
     * headers (the JDK server the dashboard ran on gave each one of its 8 threads for 30 s), an oversized body,
     * and a client opening anonymous sessions in a loop. Meanwhile the bureau's operator logs in and reads.
     */
    @Test
    void slowHeadersHugeBodiesAndASessionFloodLeaveTheOperatorServed() throws Exception {
        javax.net.ssl.SSLSocketFactory tls = org.campusedge.net.TlsIdentity.trusting(dashboard.tlsCertificate()).getSocketFactory();
        java.util.List<java.net.Socket> slow = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 24; i++) {
                javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.createSocket("127.0.0.1", dashboard.httpPort());
                s.startHandshake();
                s.getOutputStream().write("GET /api/session HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush(); // and never the rest
                slow.add(s);
            }
            long started = System.nanoTime();
            HttpResponse<String> session = get("/api/session", null);
            assertEquals(200, session.statusCode(), "the operator was not served beside 24 slow connections");
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "the operator waited for the slow connections");
            String cookie = cookieOf(session);
            String csrf = json(session).get("csrf").asText();
            try {
                HttpResponse<String> huge = post("/api/login", cookie, csrf, "{\"user\":\"admin\",\"password\":\"" + "x".repeat(200_000)
                        + "\"}");
                assertEquals(413, huge.statusCode(), "a 200 KB login was taken: " + huge.body());
            } catch (java.io.IOException closedMidBody) {
                // the server answered 413 and closed while the client was still sending: the TCP reset can take the answer
                // with it (seen once in CI). Refused either way; that the server still serves is checked below.
            }
            for (int i = 0; i < 2_000; i++) { // anonymous sessions, as fast as one client gets them
                java.net.http.HttpResponse<String> r = get("/api/session", null);
                if (r.statusCode() != 200) { // the per-source rate stepped in: that is a bound too
                    assertEquals(503, r.statusCode(), r.body());
                    assertTrue(r.body().contains("too many requests"), r.body());
                    break;
                }
            }
            Thread.sleep(1_500); // the operator shares 127.0.0.1 with the flood here: its rate refills (50 a second)
            HttpResponse<String> again = get("/api/session", null);
            HttpResponse<String> ok = post("/api/login", cookieOf(again), json(again).get("csrf").asText(),
                    "{\"user\":\"admin\",\"password\":\"" + adminPassword + "\"}");
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(200, get("/api/overview", cookieOf(ok)).statusCode());
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
    }

    /** The bureau's monitoring: with the token file's token, or as an admin; nobody else, a viewer included. */
    @Test
    void metricsAndHealthForTheScraperAndTheAdminOnly() throws Exception {
        String token = Files.readString(dir.resolve("city-metrics-token")).strip();
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + "metrics")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode(), scrape.body());
        assertTrue(scrape.body().contains("campus_edge_city_messages_total{outcome=\"received\"} 0"), scrape.body());
        assertTrue(scrape.body().contains("campus_edge_city_hono_connected 0"), "Hono is not there in this test: " + scrape.body());
        assertTrue(scrape.body().contains("jvm_memory_used_bytes{area=\"heap\"}"));
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + "health")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"status\":\"DEGRADED\""), health.body());
        for (String wrong : new String[] {null, "Bearer " + token.substring(1), "Bearer " + token + token, token, "Basic YWRtaW46YWRtaW4="}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(dashboard.url() + "metrics")).timeout(Duration.ofSeconds(10));
            if (wrong != null) {
                b.header("Authorization", wrong);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), String.valueOf(wrong));
            assertFalse(r.body().contains("campus_edge_city"), r.body());
        }
        // a viewer looks at the dashboard, not at the machine; the admin does
        HttpResponse<String> session = get("/api/session", null);
        HttpResponse<String> admin = post("/api/login", cookieOf(session), json(session).get("csrf").asText(),
                "{\"user\":\"admin\",\"password\":\"" + adminPassword + "\"}");
        String adminCookie = cookieOf(admin);
        assertEquals(200, get("/metrics", adminCookie).statusCode());
        assertEquals(200, post("/api/users", adminCookie, json(admin).get("csrf").asText(),
                "{\"name\":\"viewer-zhao\",\"password\":\"viewer-password-1\",\"role\":\"viewer\"}").statusCode());
        HttpResponse<String> s2 = get("/api/session", null);
        HttpResponse<String> viewer = post("/api/login", cookieOf(s2), json(s2).get("csrf").asText(),
                "{\"user\":\"viewer-zhao\",\"password\":\"viewer-password-1\"}");
        assertEquals(200, viewer.statusCode(), viewer.body());
        assertEquals(403, get("/metrics", cookieOf(viewer)).statusCode());
        assertEquals(403, get("/health", cookieOf(viewer)).statusCode());
    }
}
