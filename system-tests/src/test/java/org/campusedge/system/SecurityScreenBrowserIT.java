package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.campusedge.simulators.energy.EnergyMeterServer;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security page as a wall screen, in headless Chromium (edge-bundles/console/src/test/browser/
 * wallscreen.test.mjs): it shows whether its live feed is connected and how old its list is; when
 * the guard's session ends (a password change) or the gateway restarts under it, it says so at once
 * instead of showing a frozen list, and offers the way back in. The security office's wall screen
 * logs in with a link made on the admin page, shows without letting anything be changed, comes back
 * by itself after the restart, and is signed out when the admin revokes it. The gateway is restarted
 * on the same console port when the script asks for it.
 */
class SecurityScreenBrowserIT {

    private static final Pattern ADMIN_PASSWORD = Pattern.compile("user 'admin', password (\\S+)");

    @TempDir
    Path dir;

    @Test
    void theSecurityPageShowsAnEndedSessionAndAGatewayRestartInsteadOfAFrozenList() throws Exception {
        Path tests = Path.of("../edge-bundles/console/src/test/browser").toAbsolutePath().normalize();
        Path signals = Files.createDirectories(dir.resolve("signals"));
        String[] settings = {"console.port=" + EnergyMeterServer.freePort()};
        Path home = dir.resolve("gw");
        GatewayProcess first = GatewayFixture.start(home, settings);
        GatewayProcess[] running = {first};
        try {
            Matcher m = ADMIN_PASSWORD.matcher(first.console());
            assertTrue(m.find(), "the first start did not print the admin's password");
            String url = first.consoleUrl();
            CompletableFuture<String> browser = CompletableFuture.supplyAsync(() -> {
                try {
                    return BrowserScript.run(tests, "wallscreen.test.mjs", Map.of("CONSOLE_URL", url, "ADMIN_PASSWORD", m.group(1),
                            "SIGNALS", signals.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // the script asks for the restart once it has shown the session-end case
            while (!browser.isDone() && !Files.exists(signals.resolve("restart"))) {
                Thread.sleep(100);
            }
            if (Files.exists(signals.resolve("restart"))) {
                running[0].close();
                Thread.sleep(3_000); // away long enough for the page to notice
                running[0] = GatewayFixture.start(home, settings);
                assertEquals(url, running[0].consoleUrl(), "the console came back on another port");
                Files.writeString(signals.resolve("restarted"), "yes");
            }
            browser.get(200, TimeUnit.SECONDS);
            BrowserScript.assertScreenshots("security-session-ended.png", "security-reconnecting.png", "security-live.png",
                    "admin-screen-link.png", "wall-screen.png");
        } finally {
            running[0].close();
        }
    }
}
