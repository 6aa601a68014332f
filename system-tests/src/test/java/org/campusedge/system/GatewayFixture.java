package org.campusedge.system;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.MediaTypeRegistry;

/** What the integration tests share: starting the built distribution, posting, reading its SQLite file. */
final class GatewayFixture {

    static {
        // Californium's client reads its defaults from these modules
        org.eclipse.californium.core.config.CoapConfig.register();
        org.eclipse.californium.elements.config.UdpConfig.register();
    }

    private GatewayFixture() {
    }

    /**
     * The distribution under test: the one this build made, or another one named by the environment
     * variable CAMPUS_TEST_DISTRIBUTION (to run the attacks against an earlier build, say).
     */
    static Path distribution() {
        String other = System.getenv("CAMPUS_TEST_DISTRIBUTION");
        if (other != null && !other.isBlank()) {
            return Path.of(other);
        }
        String p = System.getProperty("campus.distribution");
        return p != null ? Path.of(p) : GatewayProcess.defaultDistribution();
    }

    /** A gateway with its own home under {@code dir}, CoAP on a free port, and extra settings. */
    static GatewayProcess start(Path dir, String... settings) throws Exception {
        List<String> all = new ArrayList<>(List.of("camel.coapPort=0", "camel.coapsPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0", "registry.reloadIntervalSeconds=1"));
        all.addAll(List.of(settings));
        return GatewayProcess.start(distribution(), dir, all, List.of("-Xmx256m"));
    }

    /**
     * Posts a pack as the kit does: over coaps, proving who it is with the key the gateway issued it
     * (a device without a key, e.g. one not in the inventory, posts over plain CoAP).
     */
    static CoapResponse post(GatewayProcess gw, String device, String payload) throws Exception {
        String secret = gw.deviceKeys().secret(device);
        return secret == null ? postPlain(gw, device, payload) : postAs(gw, device, secret, device, payload);
    }

    /** A post over plain CoAP: what an old kit, or anyone on the LAN without a key, sends. */
    static CoapResponse postPlain(GatewayProcess gw, String device, String payload) throws Exception {
        CoapClient c = new CoapClient("coap://127.0.0.1:" + gw.coapPort() + "/campus/lab/" + device);
        c.setTimeout(10_000L);
        try {
            return c.post(payload.getBytes(StandardCharsets.UTF_8), MediaTypeRegistry.APPLICATION_SENML_JSON);
        } finally {
            c.shutdown();
        }
    }

    /** A post over coaps with PSK identity {@code identity} and key {@code secret}, to device {@code device}'s resource; null when unanswered. */
    static CoapResponse postAs(GatewayProcess gw, String identity, String secret, String device, String payload) throws Exception {
        return postAs(gw, "127.0.0.1", identity, secret, device, payload);
    }

    /** As {@link #postAs(GatewayProcess, String, String, String, String)}, from a loopback address of its own. */
    static CoapResponse postAs(GatewayProcess gw, String from, String identity, String secret, String device, String payload)
            throws Exception {
        // a refused handshake is never answered: 5 s is how long a test waits to be sure
        return org.campusedge.simulators.net.CoapsClient.post(new java.net.InetSocketAddress(from, 0), identity, secret,
                java.net.URI.create("coaps://127.0.0.1:" + gw.coapsPort() + "/campus/lab/" + device), payload, 5_000L);
    }

    /** Rows of a query against the gateway's SQLite file, each row's columns joined by '|'. */
    static List<String> rows(Path db, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** Something an integration test waits for. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls every 100 ms until the check holds or {@code seconds} have passed; says whether it held. */
    /** The gateway's device report (run/devices.tsv) as device id to its columns, empty until first written. */
    static java.util.Map<String, java.util.Map<String, String>> deviceReport(GatewayProcess gw) throws java.io.IOException {
        Path file = gw.home().resolve("run/devices.tsv");
        java.util.Map<String, java.util.Map<String, String>> out = new java.util.HashMap<>();
        if (!java.nio.file.Files.exists(file)) {
            return out;
        }
        List<String> lines = java.nio.file.Files.readAllLines(file, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split("\t", -1);
        for (String line : lines.subList(1, lines.size())) {
            String[] cols = line.split("\t", -1);
            java.util.Map<String, String> row = new java.util.HashMap<>();
            for (int i = 0; i < header.length && i < cols.length; i++) {
                row.put(header[i], cols[i]);
            }
            out.put(cols[0], row);
        }
        return out;
    }

    /** Writes an inventory of one school with only its broadcast controller, pa-main, at {@code api}. */
    static Path schoolWithController(Path file, String schoolId, java.net.URI api) throws java.io.IOException {
        java.nio.file.Files.writeString(file, """
                school:
                  id: %s
                  name: 广播测试学校
                  district: 江城区
                  enrolment: 600
                devices:
                  - id: pa-main
                    profile: broadcast-controller
                    location:
                      building: 行政楼 Administration Building
                    address: %s
                """.formatted(schoolId, api));
        return file;
    }

    /**
     * The example school's rules copied to {@code dir/rulesFolder} and a calendar without school hours,
     * so that a perimeter intrusion raises the CRITICAL night alarm at any time of day; returns the
     * gateway settings that put them in force.
     */
    static List<String> nightRules(Path dir, String rulesFolder) throws java.io.IOException {
        Path rules = java.nio.file.Files.createDirectories(dir.resolve(rulesFolder));
        java.nio.file.Files.copy(distribution().resolve("device-profiles/rules/example-school.yaml"), rules.resolve("example-school.yaml"));
        Path calendar = dir.resolve("no-school.yaml");
        java.nio.file.Files.writeString(calendar, "# a calendar without school hours: every moment is night\nschoolHours: {}\n");
        return List.of("rules.rulesDir=" + rules, "rules.calendarFile=" + calendar);
    }

    /** A perimeter camera's line-crossing alarm, posted to the gateway as the camera does; fails unless answered 200. */
    static void intrusion(GatewayProcess gw, String camera) throws Exception {
        org.campusedge.simulators.camera.Camera c = new org.campusedge.simulators.camera.Camera(camera,
                java.net.URI.create("http://127.0.0.1:" + gw.httpPort()), false).withSecret(gw.deviceKeys().secret(camera));
        int status = c.post(new org.campusedge.simulators.camera.AlertDocuments.Alert("linedetection", true, 1, 1,
                java.time.OffsetDateTime.now(java.time.ZoneOffset.ofHours(8)), 1, "10.20.8.12", null, "Line crossing alarm"));
        if (status != 200) {
            throw new AssertionError("the gateway answered the camera's alarm with " + status);
        }
    }

    /** Runs {@code bin/campus-edge credentials ARGS} on the gateway's secrets file, as an admin does; its output, or fails. */
    static String credentials(GatewayProcess gw, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("credentials", "--file", gw.home().resolve("conf/device-secrets").toString()));
        all.addAll(List.of(args));
        return campusEdge(0, all.toArray(String[]::new));
    }

    /** Runs {@code bin/campus-edge ARGS} of the distribution and returns its output; fails unless it exits with {@code exit} within 120 s. */
    static String campusEdge(int exit, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(distribution().resolve("bin/campus-edge").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/campus-edge " + String.join(" ", args) + " did not finish");
        }
        if (p.exitValue() != exit) {
            throw new AssertionError("bin/campus-edge " + String.join(" ", args) + " exited " + p.exitValue() + ", not " + exit + ": " + said);
        }
        return said;
    }

    /** True as soon as the check holds (Awaitility, polling every 100 ms on this thread), false when it still does not after {@code seconds}. */
    static boolean eventually(int seconds, Check check) throws Exception {
        if (seconds <= 0) {
            return check.holds(); // no time to wait: one look (Awaitility wants a deadline after its first poll)
        }
        try {
            org.awaitility.Awaitility.await().pollInSameThread().pollDelay(java.time.Duration.ZERO)
                    .pollInterval(java.time.Duration.ofMillis(100)).atMost(java.time.Duration.ofSeconds(seconds))
                    .until(check::holds);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    /**
     * A libcoap command (coap-client, coap-server) as Debian's libcoap3-bin installs it, or the one
     * named by COAP_CLIENT / COAP_SERVER. Fails, not skips, when it is missing.
     */
    static String libcoap(String name) {
        String env = System.getenv(name.toUpperCase().replace('-', '_'));
        for (String candidate : new String[] {env, "/usr/bin/" + name + "-notls", "/usr/bin/" + name,
                "/usr/bin/" + name + "-openssl", "/usr/bin/" + name + "-gnutls"}) {
            if (candidate != null && java.nio.file.Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return org.junit.jupiter.api.Assertions.fail("libcoap's " + name
                + " is not installed; run .ci/install-test-tools (Debian package libcoap3-bin)");
    }

    /** The last {@code max} warnings and errors of a gateway's log, for a failing test to show. */
    static String problems(GatewayProcess gw, int max) {
        try {
            List<String> bad = java.nio.file.Files.readAllLines(gw.home().resolve("logs/gateway.log"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
            return String.join("\n", bad.subList(Math.max(0, bad.size() - max), bad.size()));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * A pack of ten temperature readings at 10 ms steps with base time {@code t0 + seq} seconds, so every
     * stored row tells its pack (the crash, watchdog and back-pressure tests count them).
     */
    static String pack(long t0, long seq, String device) {
        StringBuilder sb = new StringBuilder("[{\"bn\":\"urn:dev:").append(device).append(":\",\"bt\":").append(t0 + seq)
                .append(",\"bu\":\"Cel\",\"n\":\"temperature\",\"v\":21.5}");
        for (int i = 1; i < 10; i++) {
            sb.append(",{\"n\":\"temperature\",\"t\":0.0").append(i).append(",\"v\":2").append(i).append(".5}");
        }
        return sb.append(']').toString();
    }

    /** Fails unless every acknowledged pack made by {@link #pack} with {@code t0} has its ten readings in the store. */
    static void assertEveryAcknowledgedPackStored(Path db, long t0, java.util.Collection<Long> acknowledged) throws Exception {
        java.util.Map<Long, Integer> rowsPerPack = new java.util.HashMap<>();
        for (String row : rows(db, "SELECT occurred_at / 1000, count(*) FROM events WHERE kind = 'lab.reading' GROUP BY 1")) {
            String[] f = row.split("\\|");
            rowsPerPack.put(Long.parseLong(f[0]) - t0, Integer.parseInt(f[1]));
        }
        for (long seq : acknowledged) {
            org.junit.jupiter.api.Assertions.assertEquals(10, rowsPerPack.getOrDefault(seq, 0),
                    "pack " + seq + " was acknowledged but is not (all) stored");
        }
    }

    static long count(Path db, String where) throws Exception {
        return Long.parseLong(rows(db, "SELECT count(*) FROM events" + (where.isEmpty() ? "" : " WHERE " + where)).get(0));
    }
}
