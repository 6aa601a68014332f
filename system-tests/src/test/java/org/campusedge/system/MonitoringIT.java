package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway watched from outside: a scraper with the token from {@code data/metrics-token} reads
 * {@code /metrics} on the console's port while a lab kit sends, and finds the figures moving; {@code
 * /health} says UP and lists the watched parts; without the token, with a wrong one, with garbage
 * or as a teacher nothing is shown, and the kit is stored meanwhile.
 */
class MonitoringIT {

    @TempDir
    Path dir;

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Test
    void aScraperWithTheTokenSeesTheFiguresMoveAndNobodyElseSeesThem() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir)) {
            ConsoleClient admin = ConsoleClient.admin(gw);
            String token = Files.readString(gw.home().resolve("data/metrics-token")).strip();
            assertTrue(token.length() >= 43, "a short token: " + token.length());
            assertEquals("[OWNER_READ, OWNER_WRITE]", new java.util.TreeSet<>(Files.getPosixFilePermissions(gw.home().resolve("data/metrics-token")))
                    .toString(), "others may read the scrape token");
            HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).sslContext(gw.consoleTrust()).build();
            long t0 = System.currentTimeMillis() / 1000 - 3_600;
            for (int i = 0; i < 5; i++) {
                assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-phys-1-s1", GatewayFixture.pack(t0, i, "lab-phys-1-s1")).getCode());
            }
            HttpResponse<String> first = get(http, gw, "/metrics", "Bearer " + token);
            assertEquals(200, first.statusCode(), first.body());
            assertTrue(first.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                    first.headers().toString());
            double labBefore = value(first.body(), "campus_edge_family_messages_total{family=\"lab\",outcome=\"accepted\"}");
            double writtenBefore = value(first.body(), "campus_edge_store_events_written_total");
            assertTrue(labBefore >= 5, "lab packs counted: " + labBefore);
            for (int i = 5; i < 10; i++) {
                assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-phys-1-s1", GatewayFixture.pack(t0, i, "lab-phys-1-s1")).getCode());
            }
            HttpResponse<String> second = get(http, gw, "/metrics", "Bearer " + token);
            assertTrue(value(second.body(), "campus_edge_family_messages_total{family=\"lab\",outcome=\"accepted\"}") >= labBefore + 5,
                    "the lab's count did not move:\n" + grep(second.body(), "campus_edge_family_messages"));
            assertTrue(value(second.body(), "campus_edge_store_events_written_total") >= writtenBefore + 50,
                    "the store's count did not move:\n" + grep(second.body(), "campus_edge_store"));
            assertTrue(value(second.body(), "campus_edge_device_messages_total{device=\"lab-phys-1-s1\",family=\"lab\",outcome=\"accepted\"}") >= 10,
                    grep(second.body(), "lab-phys-1-s1"));
            assertTrue(value(second.body(), "jvm_memory_used_bytes{area=\"heap\"}") > 0, "no heap figure");
            assertTrue(value(second.body(), "campus_edge_store_commit_seconds_total") > 0, grep(second.body(), "campus_edge_store"));
            assertTrue(second.body().contains("campus_edge_connections_open{connector="), grep(second.body(), "connections"));
            assertTrue(second.body().contains("campus_edge_bus_delivered_total{subscriber=\"console\"}"), grep(second.body(), "bus"));
            System.out.printf("/metrics: %d lines, %d bytes; lab accepted %.0f -> %.0f%n", second.body().lines().count(),
                    second.body().length(), labBefore, value(second.body(), "campus_edge_family_messages_total{family=\"lab\",outcome=\"accepted\"}"));

            HttpResponse<String> openMetrics = send(http, gw, "/metrics", "Bearer " + token, "application/openmetrics-text; version=1.0.0");
            assertTrue(openMetrics.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
            assertTrue(openMetrics.body().strip().endsWith("# EOF"), "an OpenMetrics answer ends with # EOF");

            HttpResponse<String> health = get(http, gw, "/health", "Bearer " + token);
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
            assertTrue(health.body().contains("\"name\":\"store writer\""), "the watched parts are listed: " + health.body());
            assertTrue(admin.get("/health").contains("\"status\":\"UP\""), "an admin's session sees the health too");

            // the attacks: no credential, a wrong token of the right length, the token and more, another scheme, garbage
            String wrong = token.charAt(0) == 'A' ? "B" + token.substring(1) : "A" + token.substring(1);
            for (String authorization : new String[] {null, "Bearer " + wrong, "Bearer " + token + "x", "Bearer", "Basic YWRtaW46YWRtaW4=",
                                                      "Bearer " + "\u0000".repeat(8), "x".repeat(8_000), token}) {
                for (String path : new String[] {"/metrics", "/health"}) {
                    HttpResponse<String> r = get(http, gw, path, authorization);
                    assertTrue(r.statusCode() == 401 || r.statusCode() == 400, path + " with " + shorten(authorization) + ": " + r.statusCode());
                    assertTrue(!r.body().contains("campus_edge_") && !r.body().contains("\"status\""), "figures leaked: " + r.body());
                }
            }
            // a teacher is a person of the school, but not the one who watches the gateway
            assertEquals(200, admin.post("/api/users", "name=teacher-li&role=teacher&password=correct-horse-42"));
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(gw.consoleUrl() + "/login")).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("user=teacher-li&password=" + URLEncoder.encode("correct-horse-42", StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            String teacher = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            HttpResponse<String> asTeacher = http.send(HttpRequest.newBuilder(URI.create(gw.consoleUrl() + "/metrics")).timeout(TIMEOUT)
                    .header("Cookie", teacher).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, asTeacher.statusCode(), asTeacher.body());

            // a scraper pointed at the plain port is not redirected (it would send its token again, in clear)
            int plainPort = Integer.parseInt(gw.status().getProperty("console.redirect.port"));
            HttpClient plain = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
            for (String path : new String[] {"/metrics", "/health"}) {
                HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plainPort + path)).timeout(TIMEOUT)
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, r.statusCode(), path + " on the plain port: " + r.headers());
                assertTrue(r.headers().firstValue("Location").isEmpty(), "redirected: " + r.headers());
            }

            // the kit was served throughout, and the scraper still is
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-phys-1-s1", GatewayFixture.pack(t0, 10, "lab-phys-1-s1")).getCode());
            assertEquals(200, get(http, gw, "/metrics", "Bearer " + token).statusCode());
        }
    }

    private static HttpResponse<String> get(HttpClient http, GatewayProcess gw, String path, String authorization) throws Exception {
        return send(http, gw, path, authorization, null);
    }

    private static HttpResponse<String> send(HttpClient http, GatewayProcess gw, String path, String authorization, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.consoleUrl() + path)).timeout(TIMEOUT);
        if (authorization != null) {
            b.header("Authorization", authorization.replace("\u0000", "%00"));
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one sample line ({@code name{labels} value}), or -1 when there is none. */
    private static double value(String scrape, String sample) {
        Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String grep(String scrape, String what) {
        return String.join("\n", scrape.lines().filter(l -> l.contains(what)).toList());
    }

    private static String shorten(String s) {
        return s == null ? "(none)" : s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
