package org.campusedge.system;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.campusedge.city.CityConfig;
import org.campusedge.city.CityDashboard;
import org.campusedge.sandbox.HonoSandbox;
import org.campusedge.sandbox.Registry;
import org.campusedge.sandbox.SandboxConfig;

/**
 * The city side of the cloud tests, in this JVM: the Hono sandbox (its registry: one Hono gateway per
 * school, acting for that school's devices) and the city dashboard reading its northbound API into a
 * SQLite file. Gateways run as processes of the built distribution, pointed at the sandbox.
 */
final class CloudFixture implements AutoCloseable {

    static final String TENANT = "jiangcheng";

    final HonoSandbox sandbox;
    final CityDashboard city;
    final Path cityDb;
    private final Path dir;
    /** The dashboard's first admin password, as it printed it (once) on standard output. */
    final String adminPassword;

    private CloudFixture(HonoSandbox sandbox, CityDashboard city, Path cityDb, String adminPassword, Path dir) {
        this.dir = dir;
        this.sandbox = sandbox;
        this.city = city;
        this.cityDb = cityDb;
        this.adminPassword = adminPassword;
    }

    static CloudFixture start(Path dir, List<String> schools) throws Exception {
        return start(dir, schools, null);
    }

    /**
     * As {@link #start(Path, List)}; with {@code kafka} (a broker's bootstrap address) the sandbox's northbound and the
     * dashboard are on Hono's Kafka messaging instead of AMQP.
     */
    static CloudFixture start(Path dir, List<String> schools, String kafka) throws Exception {
        Registry.Builder r = Registry.builder().tenant(TENANT);
        for (String s : schools) {
            r.gateway("gw-" + s, "pw-" + s, List.of(s + ".*"));
        }
        Registry registry = r.north("city-dashboard", "city-secret").build();
        Files.createDirectories(dir);
        // AMQPS on both sides, with the sandbox's own certificate as the test CA the gateways and the dashboard trust
        Path ca = dir.resolve("hono-sandbox-ca.crt");
        org.campusedge.net.TlsIdentity.loadOrCreate(dir.resolve("hono-sandbox-tls.p12"), ca, "Campus Edge Hono sandbox (test CA)");
        SandboxConfig.Builder sandboxConfig = SandboxConfig.builder().registry(registry).north("city-dashboard", "city-secret")
                .tls(dir.resolve("hono-sandbox-tls.p12"), new String(org.campusedge.net.TlsIdentity.STORE_PASSWORD));
        if (kafka != null) {
            sandboxConfig.kafka(kafka);
        }
        HonoSandbox sandbox = HonoSandbox.start(sandboxConfig.build());
        Path db = dir.resolve("city.db");
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(new org.campusedge.system.CloudFixture.Tee(out, printed), true, "UTF-8"));
            CityConfig.Builder cityConfig = CityConfig.builder().honoHost("127.0.0.1").honoPort(kafka != null ? 5671 : sandbox.northPort())
                    .honoUser("city-dashboard").honoPassword("city-secret").tenant(TENANT).jdbcUrl("jdbc:sqlite:" + db)
                    .httpPort(0).usersFile(dir.resolve("city-users")).honoTls(true).honoTrustStore(ca);
            if (kafka != null) {
                cityConfig.kafka(kafka).kafkaGroup("city-" + System.nanoTime());
            }
            CityDashboard city = CityDashboard.start(cityConfig.build());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("user 'admin' with password: (\\S+)")
                    .matcher(printed.toString(java.nio.charset.StandardCharsets.UTF_8));
            return new CloudFixture(sandbox, city, db, m.find() ? m.group(1) : null, dir);
        } catch (Exception e) {
            sandbox.close();
            throw e;
        } finally {
            System.setOut(out);
        }
    }

    /** The gateway settings that link a school's gateway to the sandbox, summarising every {@code periodSeconds}. */
    List<String> gatewaySettings(String school, int periodSeconds) throws java.io.IOException {
        // the Hono password in an owner-only file of its own, as a school keeps it (not in gateway.properties)
        Path password = dir.resolve("cloud-password-" + school);
        Files.writeString(password, "pw-" + school + "\n");
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return List.of("cloud.host=127.0.0.1", "cloud.port=" + sandbox.devicePort(), "cloud.tls=true",
                "cloud.trustStorePath=" + dir.resolve("hono-sandbox-ca.crt"), "cloud.tenant=" + TENANT,
                "cloud.passwordFile=" + password, "cloud.summaryPeriodSeconds=" + periodSeconds, "cloud.sendTimeoutSeconds=3",
                "cloud.cityKeyFile=" + city.signer().publicKeyFile());
    }

    /**
     * A school's inventory (a perimeter camera, a corridor camera, the PA controller at {@code pa}), the
     * example school's rules and a calendar without school hours, so that an intrusion raises the
     * CRITICAL night alarm at any time of day. Returns the gateway settings for them.
     */
    static List<String> school(Path dir, String schoolId, URI pa) throws Exception {
        Files.createDirectories(dir);
        Path school = dir.resolve(schoolId + ".yaml");
        Files.writeString(school, """
                school:
                  id: %s
                  name: 云测试学校 %s
                  district: 江城区
                  enrolment: 1200
                devices:
                  - id: cam-fence-north-1
                    profile: camera-isapi
                    location:
                      building: 北围墙 North Fence
                      zone: perimeter
                  - id: cam-fence-north-2
                    profile: camera-isapi
                    location:
                      building: 北围墙 North Fence
                      zone: perimeter
                  - id: pa-main
                    profile: broadcast-controller
                    location:
                      building: 行政楼 Administration Building
                    address: %s
                """.formatted(schoolId, schoolId, pa));
        List<String> settings = new ArrayList<>(List.of("registry.inventoryFile=" + school, "rules.reloadIntervalSeconds=1"));
        settings.addAll(GatewayFixture.nightRules(dir, schoolId + "-rules"));
        return settings;
    }

    /**
     * The settings of a school's gateway in {@code home} linked to this city (summaries every
     * {@code periodSeconds}), its PA controller at {@code pa}, and its people told through
     * {@code robots} (conf/notifications.yaml; no escalation within 10 minutes).
     */
    String[] notifiedSchool(Path dir, Path home, String schoolId, URI pa, org.campusedge.simulators.notify.RobotReceiver robots,
                            int periodSeconds) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/notifications.yaml"), robots.notificationsYaml(600));
        return concat(school(dir, schoolId, pa), gatewaySettings(schoolId, periodSeconds)).toArray(String[]::new);
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Message ids at the city for a school, by CloudEvent type. */
    Map<String, Set<String>> idsByType(String school) throws Exception {
        Map<String, Set<String>> out = new HashMap<>();
        for (String row : GatewayFixture.rows(cityDb, "SELECT type, id FROM messages WHERE school = '" + school + "'")) {
            String[] p = row.split("\\|", 2);
            out.computeIfAbsent(p[0], k -> new TreeSet<>()).add(p[1]);
        }
        return out;
    }

    /** The ids of the CRITICAL alarm events in a gateway's store, in the order they happened. */
    static List<String> criticalAlarmIds(Path store) throws Exception {
        return GatewayFixture.rows(store, "SELECT id FROM event_log WHERE kind LIKE 'alarm.%'"
                + " AND json_extract(attributes, '$.alarmSeverity') = 'CRITICAL' ORDER BY occurred_at, id");
    }

    /** Messages still waiting in a gateway's outbox (both lanes). */
    static long outboxDepth(Path gatewayHome) throws Exception {
        Path db = gatewayHome.resolve("data/outbox.db");
        return Files.exists(db) ? Long.parseLong(GatewayFixture.rows(db, "SELECT count(*) FROM outbox").get(0)) : 0;
    }

    /** Writes to two streams: what the dashboard prints still reaches the test's output. */
    static final class Tee extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        Tee(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }

    @Override
    public void close() {
        try {
            city.close();
        } finally {
            sandbox.close();
        }
    }
}
