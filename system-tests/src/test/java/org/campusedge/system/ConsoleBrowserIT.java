package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.campusedge.simulators.energy.EnergyMeterServer;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.lab.LabSensor;
import org.campusedge.simulators.lab.LabSensorSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The school console in a real browser: Debian's headless Chromium driven by playwright-core
 * (edge-bundles/console/src/test/browser/console.test.mjs) against the running gateway. The admin
 * of the first start creates a guard and a teacher; the guard sees a night-time intrusion's alarm
 * arrive without reloading and acknowledges it; the teacher sees live lab values change and is
 * refused the security page; the energy page charts today's consumption of the simulated meters.
 * Screenshots land in target/screenshots.
 */
class ConsoleBrowserIT {

    private static final Pattern ADMIN_PASSWORD = Pattern.compile("user 'admin', password (\\S+)");

    @TempDir
    Path dir;

    @Test
    void securityAndTeacherScenariosInHeadlessChromium() throws Exception {
        Path tests = Path.of("../edge-bundles/console/src/test/browser").toAbsolutePath().normalize();
        Path calendar = dir.resolve("no-school.yaml");
        // no school hours (every moment is night); the biology lab booked now for teacher-zhao's lesson, and for teacher-li's
        // two days from now: a teacher watches a lab in her own lessons only, unless the admin grants it
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneId.of("Asia/Shanghai"));
        java.time.LocalTime from = now.toLocalTime().minusHours(1).isAfter(now.toLocalTime()) ? java.time.LocalTime.MIN
                : now.toLocalTime().minusHours(1);
        java.time.LocalTime to = now.toLocalTime().plusHours(1).isBefore(now.toLocalTime()) ? java.time.LocalTime.of(23, 59)
                : now.toLocalTime().plusHours(1);
        java.time.format.DateTimeFormatter hm = java.time.format.DateTimeFormatter.ofPattern("HH:mm");
        String today = now.getDayOfWeek().name().toLowerCase(java.util.Locale.ROOT);
        String later = now.plusDays(2).getDayOfWeek().name().toLowerCase(java.util.Locale.ROOT);
        Files.writeString(calendar, "# no school hours: every moment is night\nschoolHours: {}\nlabTimetables:\n"
                + "  \"401 生物实验室 Biology Lab\":\n"
                + "    - {days: [" + today + "], time: \"" + from.format(hm) + "-" + to.format(hm) + "\", class: 初一(4)班 生物, teachers: [teacher-zhao]}\n"
                + "    - {days: [" + later + "], time: \"08:00-09:40\", class: 初一(2)班 生物, teachers: [teacher-li]}\n");
        // the example school, with its meters behind the Milo simulator instead of the school's energy server
        EnergyMeterServer meters = new EnergyMeterServer(List.of(new EnergyMeterServer.Meter("meter-teaching-1", "teaching", 180),
                new EnergyMeterServer.Meter("meter-science-1", "science", 120), new EnergyMeterServer.Meter("meter-canteen-1", "canteen", 150),
                new EnergyMeterServer.Meter("meter-dormitory-1", "dormitory", 200)), () -> java.time.LocalTime.of(11, 0), 500).secured();
        meters.start(EnergyMeterServer.freePort());
        // the perimeter camera's picture endpoint (ISAPI, Digest with the camera's key) on its inventory address
        java.util.concurrent.atomic.AtomicReference<GatewayProcess> running = new java.util.concurrent.atomic.AtomicReference<>();
        org.campusedge.simulators.camera.SnapshotServer camera = new org.campusedge.simulators.camera.SnapshotServer("cam-fence-north-1",
                id -> running.get() == null ? null : running.get().deviceKeys().secret(id));
        Path school = dir.resolve("school.yaml");
        Files.writeString(school, Files.readString(GatewayFixture.distribution().resolve("device-profiles/schools/example-school.yaml"))
                .replace("opc.tcp://10.20.6.5:4840/campus-energy", meters.endpointUrl())
                .replace("address: http://10.20.8.12\n", "address: " + camera.base() + "\n"));
        try (meters; camera; GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "rules.calendarFile=" + calendar,
                "registry.inventoryFile=" + school, "health.checkIntervalSeconds=1")) {
            // the installer sets up the energy server's user with the password the gateway issued; its certificate
            // is trusted by the admin in the browser (console.test.mjs)
            meters.users(java.util.Map.of("ems-campus-energy", gw.deviceKeys().secret("ems-campus-energy")));
            running.set(gw);
            Matcher m = ADMIN_PASSWORD.matcher(gw.console());
            assertTrue(m.find(), "the first start did not print the admin's password:\n" + gw.console());
            // HTTPS: the fingerprint is printed with the password; plain HTTP only redirects; the HTTPS port speaks no HTTP
            Matcher fp = Pattern.compile("HTTPS certificate made, SHA-256 fingerprint ([0-9A-F:]{95})").matcher(gw.console());
            assertTrue(fp.find(), "no certificate fingerprint at the first start:\n" + gw.console());
            assertTrue(gw.consoleUrl().startsWith("https://"), gw.consoleUrl());
            int redirectPort = Integer.parseInt(gw.status().getProperty("console.redirect.port"));
            java.net.http.HttpResponse<String> plain = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + redirectPort + "/login?next=%2Fsecurity.html")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(301, plain.statusCode());
            assertEquals("https://127.0.0.1:" + gw.consolePort() + "/login?next=%2Fsecurity.html", plain.headers().firstValue("Location").orElse(""));
            assertTrue(plain.headers().firstValue("Set-Cookie").isEmpty(), "the redirect set a cookie");
            java.net.http.HttpResponse<String> secure = java.net.http.HttpClient.newBuilder().sslContext(gw.consoleTrust()).build()
                    .send(java.net.http.HttpRequest.newBuilder(URI.create(gw.consoleUrl() + "/login")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, secure.statusCode(), "the console's own certificate (data/console-tls.crt) is not the one it serves");
            assertTrue(secure.headers().firstValue("Strict-Transport-Security").orElse("").contains("max-age="), secure.headers().toString());
            // the first password is also in an owner-only file (a gateway under systemd would leave it only in the journal)
            Path firstPassword = gw.home().resolve("data/console-admin-password");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(firstPassword)));
            assertTrue(Files.readString(firstPassword).startsWith("admin\t" + m.group(1) + "\n"));
            // the folders with the school's data are owner-only, whatever the umask the gateway was started with
            for (String folder : new String[] {"data", "conf", "logs", "run"}) {
                assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(gw.home().resolve(folder))), folder);
            }
            // a lost admin password is recovered on the box: the command line gives admin a new one, the running console takes it
            Process reset = new ProcessBuilder(GatewayFixture.distribution().resolve("bin/campus-edge").toString(), "console-password",
                    "--file", gw.home().resolve("data/console-users").toString(), "admin").redirectErrorStream(true).start();
            assertTrue(reset.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            String said = new String(reset.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            Matcher recovered = Pattern.compile("admin \\(admin\\): new password (\\S+)").matcher(said);
            assertTrue(recovered.find(), said);
            String adminPassword = recovered.group(1);
            assertEquals("/login?failed=1", consoleLogin(gw, "admin", m.group(1)), "the lost password still works");
            assertEquals("/admin.html", consoleLogin(gw, "admin", adminPassword), "the recovered password does not work");
            List<LabSensor> physics = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                physics.add(new LabSensor("lab-phys-1-s" + i, false, i, System.currentTimeMillis()));
            }
            // a chemistry bench's pH probe reads 13 for 8 s: the lab's WARNING, which its teachers see and the guards do not
            String chem = "lab-chem-1-s1";
            for (int i = 0; i < 8; i++) {
                assertEquals(org.eclipse.californium.core.coap.CoAP.ResponseCode.CHANGED, GatewayFixture.postAs(gw, chem,
                        gw.deviceKeys().secret(chem), chem, "[{\"n\":\"ph\",\"v\":13.0}]").getCode());
                Thread.sleep(1000);
            }
            assertTrue(GatewayFixture.eventually(15, () -> !GatewayFixture.rows(gw.storePath(), "SELECT 1 FROM event_log WHERE kind = 'alarm.raised'"
                    + " AND json_extract(attributes, '$.rule') = 'lab-ph-out-of-range'").isEmpty()), "no pH alarm was raised");
            String labAlarm = GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.alarm') FROM event_log"
                    + " WHERE kind = 'alarm.raised' AND json_extract(attributes, '$.rule') = 'lab-ph-out-of-range'").get(0);
            // a student's conductivity probe the kit's profile lacks: kept, and listed on the admin page for the profile
            String chem2 = "lab-chem-1-s2";
            assertEquals(org.eclipse.californium.core.coap.CoAP.ResponseCode.CHANGED, GatewayFixture.postAs(gw, chem2,
                    gw.deviceKeys().secret(chem2), chem2, "[{\"n\":\"ph\",\"v\":7.0},{\"n\":\"conductivity\",\"u\":\"mS/cm\",\"v\":1.2}]").getCode());
            String newKey;
            try (LabSensorSimulator sensors = new LabSensorSimulator(URI.create("coaps://127.0.0.1:" + gw.coapsPort()), physics, gw.deviceKeys())) {
                sensors.start(7, 300);
                String output = BrowserScript.run(tests, "console.test.mjs", java.util.Map.of("CONSOLE_URL", gw.consoleUrl(),
                        "ADMIN_PASSWORD", adminPassword, "DEVICE_HTTP", "http://127.0.0.1:" + gw.httpPort(),
                        "CAMERA_KEY", gw.deviceKeys().secret("cam-fence-north-1"),
                        "LAB_ROOM", "201 物理实验室 Physics Lab", "CHEM_ROOM", "301 化学实验室 Chemistry Lab", "BIO_ROOM", "401 生物实验室 Biology Lab", "LAB_ALARM", labAlarm,
                        "SNAPSHOT_URL", camera.base() + org.campusedge.simulators.camera.SnapshotServer.PICTURE,
                        "CAMERA_CONFIG_URL", camera.base() + org.campusedge.simulators.camera.SnapshotServer.CONFIGURATION));
                // the console fetched the picture the camera reported, with the camera's key, and nothing else from it
                assertTrue(camera.served() >= 1, "no snapshot was fetched from the camera");
                assertEquals(0, camera.refused(), "the console's Digest login was refused by the camera");
                assertEquals(0, camera.configurationAsked(), "the console fetched the camera's configuration for someone");
                BrowserScript.assertScreenshots("admin.png", "security-alarm.png", "security-acknowledged.png", "security-phone.png",
                        "security-page-2.png", "lab.png", "lab-projector.png", "lab-recording.png", "lab-alarm.png", "lab-closed.png", "lab-lesson.png", "teacher-refused.png",
                        "energy.png", "lab-phone.png", "security-en.png");
                // the key the page showed is the one the gateway now holds for the kit, and it never reached the log
                Matcher k = Pattern.compile("NEW_KEY lab-bio-1-s1 (\\S+)").matcher(output);
                assertTrue(k.find(), output);
                newKey = k.group(1);
                assertEquals(newKey, gw.deviceKeys().secret("lab-bio-1-s1"));
            }
            // every failed login and every change to an account is in the audit log, never a password
            assertTrue(GatewayFixture.eventually(10, () -> audit(gw).contains("audit.password-reset|teacher-li|admin")), "audit: " + audit(gw));
            List<String> audit = audit(gw);
            assertTrue(audit.contains("audit.login-failed|guard-wang|"), audit.toString());
            assertTrue(audit.contains("audit.password-changed|guard-wang|guard-wang"), audit.toString());
            assertTrue(audit.contains("audit.user-removed|guard-wang|admin"), audit.toString());
            assertTrue(audit.contains("audit.user-saved|teacher-li|admin"), audit.toString());
            // the guesses the password check refused are each on record (those the throttle answered were never checked)
            assertTrue(audit.stream().filter(a -> a.startsWith("audit.login-failed|teacher-li")).count() >= 4, audit.toString());
            assertTrue(audit.contains("audit.login-failed|admin|"), "the lost admin password, tried once: " + audit);
            assertTrue(audit.contains("audit.login|admin|") && audit.contains("audit.login|guard-wang|"), "logins are on record: " + audit);
            assertTrue(audit.contains("audit.subject-export|null|admin") && audit.contains("audit.subject-erasure|null|admin"),
                    "the data-protection officer's requests are on record: " + audit);
            assertTrue(GatewayFixture.rows(gw.storePath(), "SELECT attributes FROM event_log WHERE kind GLOB 'audit.*'").stream()
                    .noneMatch(a -> a.contains("battery-staple-43") || a.contains("correct-horse-42") || a.contains(adminPassword)),
                    "a password reached the audit log");
            String log = Files.readString(Path.of(gw.status().getProperty("log")));
            assertTrue(!log.contains(m.group(1)) && !log.contains(adminPassword), "the admin's password reached the log file");
            assertTrue(!log.contains(newKey), "a device key reached the log file");
        }
    }

    private static List<String> audit(GatewayProcess gw) throws Exception {
        return GatewayFixture.rows(gw.storePath(), "SELECT kind, json_extract(attributes, '$.user'), ifnull(json_extract(attributes, '$.by'), '')"
                + " FROM event_log WHERE kind GLOB 'audit.*' ORDER BY received_at");
    }

    /** A console login as a browser's form posts it; where the console sends the browser (its path). */
    private static String consoleLogin(GatewayProcess gw, String user, String password) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newBuilder().sslContext(gw.consoleTrust()).build().send(
                java.net.http.HttpRequest.newBuilder(URI.create(gw.consoleUrl() + "/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("user=" + user + "&password="
                                + java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return r.headers().firstValue("Location").orElse("(no redirect: " + r.statusCode() + ")");
    }
}
