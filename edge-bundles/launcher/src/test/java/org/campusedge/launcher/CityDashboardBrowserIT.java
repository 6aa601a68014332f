package org.campusedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.camera.AlertDocuments;
import org.campusedge.simulators.camera.Camera;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The city dashboard in a real browser (Debian's headless Chromium driven by playwright-core,
 * cloud-bridge/city-dashboard/src/test/browser/dashboard.test.mjs) with a school's gateway, the Hono
 * sandbox and the dashboard running: login, energy, the school's open CRITICAL alarm, device health,
 * the English switch, and an emergency broadcast whose answer comes back. Screenshots in
 * target/screenshots/city-*.png.
 */
class CityDashboardBrowserIT {

    private static final String SCHOOL = "sch-city-ui";

    @TempDir
    Path dir;

    @Test
    void theBureauSeesTheSchoolAndBroadcastsFromTheBrowser() throws Exception {
        Path tests = Path.of("../../cloud-bridge/city-dashboard/src/test/browser").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(tests.resolve("node_modules/playwright-core")),
                "playwright-core is not installed in " + tests + "; run .ci/install-test-tools");
        try (CloudFixture cloud = CloudFixture.start(dir.resolve("city"), List.of(SCHOOL));
             BroadcastController pa = new BroadcastController(List.of("playground", "teaching-1f"), 200)) {
            assertNotNull(cloud.adminPassword, "the dashboard did not print its first admin password");
            URI api = pa.start(0);
            List<String> settings = CloudFixture.concat(CloudFixture.school(dir, SCHOOL, api), cloud.gatewaySettings(SCHOOL, 2));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), settings.toArray(String[]::new))) {
                pa.reportTo(URI.create("http://127.0.0.1:" + gw.httpPort() + "/campus/broadcast/pa-main"));
                Camera fence = new Camera("cam-fence-north-1", URI.create("http://127.0.0.1:" + gw.httpPort()), false, HttpClient.newHttpClient());
                assertEquals(200, fence.post(new AlertDocuments.Alert("linedetection", true, 1, 1, OffsetDateTime.now(ZoneOffset.ofHours(8)),
                        1, "10.20.8.12", null, "Line crossing alarm")));
                Path screenshots = Path.of("target/screenshots").toAbsolutePath();
                ProcessBuilder pb = new ProcessBuilder("node", "dashboard.test.mjs").directory(tests.toFile()).redirectErrorStream(true);
                pb.environment().put("CITY_URL", cloud.city.url());
                pb.environment().put("ADMIN_PASSWORD", cloud.adminPassword);
                pb.environment().put("SCHOOL", SCHOOL);
                pb.environment().put("SCREENSHOTS", screenshots.toString());
                Process node = pb.start();
                String output;
                try {
                    boolean ended = node.waitFor(180, TimeUnit.SECONDS);
                    output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(ended, "the browser test did not finish in 180 s:\n" + output);
                } finally {
                    node.destroyForcibly();
                }
                System.out.println(output);
                assertEquals(0, node.exitValue(), output);
                assertTrue(output.contains("ALL PASSED"), output);
                assertTrue(pa.played().stream().anyMatch(p -> p.what().contains("立即到操场集合")), "the PA did not play it: " + pa.played());
                for (String shot : List.of("city-energy.png", "city-safety.png", "city-health.png", "city-broadcast.png")) {
                    assertTrue(Files.size(screenshots.resolve(shot)) > 2_000, shot + " is missing or empty");
                }
            }
        }
    }
}
