package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.campusedge.simulators.broadcast.BroadcastController;
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
    private static final String QUIET = "sch-city-quiet";

    @TempDir
    Path dir;

    @Test
    void theBureauSeesTheSchoolAndBroadcastsFromTheBrowser() throws Exception {
        Path tests = Path.of("../cloud-bridge/city-dashboard/src/test/browser").toAbsolutePath().normalize();
        try (CloudFixture cloud = CloudFixture.start(dir.resolve("city"), List.of(SCHOOL));
             BroadcastController pa = new BroadcastController(List.of("playground", "teaching-1f"), 200)) {
            assertNotNull(cloud.adminPassword, "the dashboard did not print its first admin password");
            URI api = pa.start(0);
            List<String> settings = CloudFixture.concat(CloudFixture.school(dir, SCHOOL, api), cloud.gatewaySettings(SCHOOL, 2));
            try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), settings.toArray(String[]::new))) {
                pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
                pa.reportTo(URI.create("http://127.0.0.1:" + gw.httpPort() + "/campus/broadcast/pa-main"));
                GatewayFixture.intrusion(gw, "cam-fence-north-1");
                // a second school the city knows, whose gateway last spoke two hours ago after reporting 600 kWh today for its
                // 1,200 pupils: written into the city's database file as its ingest would have (no gateway of its own runs here)
                long now = System.currentTimeMillis();
                try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + cloud.cityDb);
                     java.sql.Statement st = c.createStatement()) {
                    st.executeUpdate("INSERT INTO schools (id, name, district, enrolment, gateway, last_seen_ms, connected) VALUES ('"
                            + QUIET + "', '江城区第二小学', '江城区', 1200, 'gw-" + QUIET + "', " + (now - 7_200_000L) + ", 1)");
                    st.executeUpdate("INSERT INTO energy (school, building, period_start, period_end, kwh, peak_kw) VALUES ('"
                            + QUIET + "', 'teaching', " + (now - 60_000L) + ", " + now + ", 600, 80)");
                }
                BrowserScript.run(tests, "dashboard.test.mjs", java.util.Map.of("CITY_URL", cloud.city.url(),
                        "ADMIN_PASSWORD", cloud.adminPassword, "SCHOOL", SCHOOL, "QUIET_SCHOOL", QUIET));
                assertTrue(pa.played().stream().anyMatch(p -> p.what().contains("立即到操场集合")), "the PA did not play it: " + pa.played());
                BrowserScript.assertScreenshots("city-energy.png", "city-safety.png", "city-health.png", "city-broadcast.png", "city-quiet.png",
                        "city-phone.png");
            }
        }
    }
}
