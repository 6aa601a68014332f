package org.campusedge.city;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.campusedge.sandbox.HonoSandbox;
import org.campusedge.sandbox.Registry;
import org.campusedge.sandbox.SandboxConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard against the Hono sandbox: a raw AMQP gateway sends through the sandbox's device side, the
 * dashboard reads the sandbox's northbound API with Hono's application client.
 */
class CityDashboardIT {

    static final String TENANT = "chengdu";
    static final String PASSWORD = "gw-secret-1";

    @TempDir
    Path dir;
    HonoSandbox sandbox;
    CityDashboard dashboard;
    TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        Registry registry = Registry.builder()
                .tenant(TENANT)
                .gateway("gw-s1", PASSWORD, List.of("s1.*"))
                .gateway("gw-s2", PASSWORD, List.of())
                .north("city", "city-secret")
                .build();
        // AMQPS on both sides: the sandbox's self-signed certificate is the test CA the dashboard and the gateway trust
        org.campusedge.net.TlsIdentity.loadOrCreate(dir.resolve("sandbox.p12"), dir.resolve("sandbox-ca.crt"), "Hono sandbox test CA");
        sandbox = HonoSandbox.start(SandboxConfig.builder().registry(registry)
                .tls(dir.resolve("sandbox.p12"), new String(org.campusedge.net.TlsIdentity.STORE_PASSWORD)).build());
        Files.writeString(dir.resolve("users"), "");
        new Users(dir.resolve("users")).put("bureau", "bureau-password".toCharArray(), Users.Role.OPERATOR);
        dashboard = CityDashboard.start(CityConfig.builder()
                .honoHost(sandbox.host()).honoPort(sandbox.northPort()).honoUser("city").honoPassword("city-secret")
                .tenant(TENANT).jdbcUrl("jdbc:sqlite:" + dir.resolve("city.db")).httpPort(0)
                .usersFile(dir.resolve("users")).commandTimeout(Duration.ofSeconds(3))
                .honoTls(true).honoTrustStore(dir.resolve("sandbox-ca.crt")).build());
        waitFor("the dashboard's consumers", Duration.ofSeconds(20), dashboard::connected);
        gateway = TestGateway.connect(sandbox.host(), sandbox.devicePort(), TENANT, "s1", PASSWORD, dir.resolve("sandbox-ca.crt"));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(String what, Duration limit, Check check) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /**
     * TLS to Hono, the dashboard's side: a Hono endpoint whose certificate the dashboard was not told to
     * trust (a machine in the middle, or the wrong server) never gets the dashboard's login, while the
     * real one, trusted, keeps the dashboard connected; a plain-AMQP client gets nowhere with the TLS port.
     */
    @Test
    void aHonoWhoseCertificateIsNotTrustedNeverGetsThePassword() throws Exception {
        assertTrue(dashboard.connected(), "the dashboard that trusts the sandbox's certificate is connected over AMQPS");
        org.campusedge.net.TlsIdentity.loadOrCreate(dir.resolve("other.p12"), dir.resolve("other.crt"), "someone else");
        long before = sandbox.stats().logins();
        try (CityDashboard fooled = CityDashboard.start(CityConfig.builder()
                .honoHost(sandbox.host()).honoPort(sandbox.northPort()).honoUser("city").honoPassword("city-secret")
                .tenant(TENANT).jdbcUrl("jdbc:sqlite:" + dir.resolve("fooled.db")).httpPort(0)
                .usersFile(dir.resolve("users")).honoTls(true).honoTrustStore(dir.resolve("other.crt")).build());
             CityDashboard plain = CityDashboard.start(CityConfig.builder()
                .honoHost(sandbox.host()).honoPort(sandbox.northPort()).honoUser("city").honoPassword("city-secret")
                .tenant(TENANT).jdbcUrl("jdbc:sqlite:" + dir.resolve("plain.db")).httpPort(0)
                .usersFile(dir.resolve("users")).honoTls(false).build())) {
            Thread.sleep(6_000); // a few connection attempts of each (the client retries every few seconds)
            assertFalse(fooled.connected(), "connected to a Hono whose certificate it does not trust");
            assertFalse(plain.connected(), "a plain-AMQP client got through the AMQPS port");
            assertEquals(before, sandbox.stats().logins(), "a login reached the server although the TLS handshake failed");
            assertTrue(dashboard.connected(), "the trusting dashboard lost its link meanwhile");
        }
    }

    @Test
    void messagesFromAGatewayLandInTheDatabase() throws Exception {
        Instant start = Instant.now().minusSeconds(600);
        String energy = Events.energy("s1", start, 12.5, 900);
        long before = System.currentTimeMillis();
        gateway.sendAccepted("telemetry", energy);
        // acknowledged only once stored: the row is there as soon as the gateway has its outcome
        String energyId = Events.summaryId("s1", "energy", start);
        assertTrue(dashboard.database().message(energyId).isPresent());
        long receivedAt = dashboard.database().receivedAt(energyId).getAsLong();
        assertTrue(receivedAt >= before && receivedAt <= System.currentTimeMillis());

        gateway.sendAccepted("event//s1.cam-gate-1", Events.alarm("s1", "ev-1", "al-1", "raised", start, start, null));
        gateway.sendAccepted("telemetry", Events.health("s1", start, 58, 2));
        // a re-send is accepted and counted, not stored twice
        gateway.sendAccepted("telemetry", energy);
        // bodies the dashboard cannot use are accepted (nothing to retry) and counted
        assertTrue(gateway.send("telemetry", "application/json", "{}") instanceof Accepted);
        gateway.sendAccepted("telemetry", "{broken");

        CityDatabase db = dashboard.database();
        StoredMessage alarm = db.message("ev-1").orElseThrow();
        assertEquals("s1.cam-gate-1", alarm.device());
        assertEquals(CloudEvent.ALARM, alarm.type());
        assertEquals(3, db.count("messages"));
        assertEquals(2, db.count("energy"));
        assertEquals(1, db.count("alarms"));
        assertEquals(2, db.count("health"));
        assertEquals(1L, db.countsByType().get(CloudEvent.ENERGY));
        IngestStats s = dashboard.stats();
        assertEquals(3, s.stored());
        assertEquals(1, s.duplicates());
        assertEquals(1, s.unsupported());
        assertEquals(1, s.malformed());
        // the gateway's command link produced Hono's empty notification: connected
        waitFor("the connect notification", Duration.ofSeconds(10), () -> dashboard.stats().connects() >= 1);
        assertEquals(1, db.query("SELECT connected FROM schools WHERE id = 's1'", rs -> rs.getInt(1)).get(0));
        gateway.close();
        gateway = null;
        waitFor("the disconnect notification", Duration.ofSeconds(10), () -> dashboard.stats().disconnects() >= 1);
        assertEquals(0, db.query("SELECT connected FROM schools WHERE id = 's1'", rs -> rs.getInt(1)).get(0));
        assertEquals(0, dashboard.stats().failures());
    }

    @Test
    void aBroadcastRoundTripIsRecordedInCommands() throws Exception {
        gateway.sendAccepted("telemetry", Events.lab("s1", Instant.now().minusSeconds(300)));
        // s2 is known to the dashboard but its gateway is not connected
        try (TestGateway s2 = TestGateway.connect(sandbox.host(), sandbox.devicePort(), TENANT, "s2", PASSWORD, dir.resolve("sandbox-ca.crt"))) {
            s2.sendAccepted("telemetry", Events.lab("s2", Instant.now().minusSeconds(300)));
        }
        BroadcastResult r = dashboard.broadcast(BroadcastOrder.cityWide("请各班级立即进行消防演练"));
        assertEquals(List.of("s1", "s2"), r.schools());
        List<CommandRecord> rows = r.completion().get(20, TimeUnit.SECONDS);
        CommandRecord s1 = rows.get(0);
        assertEquals("s1", s1.school());
        assertEquals("answered", s1.status());
        assertEquals(200, s1.code());
        JsonNode response = Json.MAPPER.readTree(s1.response());
        assertEquals("accepted", response.get("outcome").asText());
        assertEquals("broadcast", response.get("command").asText());
        assertTrue(s1.answeredAtMs() >= s1.sentAtMs());
        CommandRecord s2 = rows.get(1);
        assertEquals("s2", s2.school());
        assertTrue(s2.status().equals("failed") || s2.status().equals("timeout"), s2.toString());
        assertEquals(rows, dashboard.database().commands().ofBatch(r.batch()));

        // what the gateway received
        assertEquals(1, gateway.commands.size());
        var command = gateway.commands.get(0);
        assertEquals("broadcast", command.getSubject());
        // a JWS signed with the bureau's key: its claims say which school, which command and who, around the body
        String jws = new String(((org.apache.qpid.proton.amqp.messaging.Data) command.getBody()).getValue().getArray(),
                StandardCharsets.US_ASCII);
        String[] parts = jws.split("\\.");
        assertEquals(3, parts.length, jws);
        java.security.Signature verify = java.security.Signature.getInstance("Ed25519");
        verify.initVerify(java.security.KeyFactory.getInstance("Ed25519").generatePublic(new java.security.spec.X509EncodedKeySpec(
                java.util.Base64.getMimeDecoder().decode(Files.readString(dashboard.signer().publicKeyFile())
                        .replaceAll("-----[A-Z ]+-----", "")))));
        verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(verify.verify(java.util.Base64.getUrlDecoder().decode(parts[2])), "not signed with the key the dashboard publishes");
        JsonNode claims = Json.MAPPER.readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("s1", claims.get("sub").asText());
        assertEquals("broadcast", claims.get("cmd").asText());
        assertTrue(claims.get("exp").asLong() > claims.get("iat").asLong());
        JsonNode body = claims.get("body");
        assertEquals("请各班级立即进行消防演练", body.get("text").asText());
        assertEquals("all", body.get("zones").get(0).asText());
        assertEquals(90, body.get("priority").asInt());

        CommandRecord status = dashboard.command("s1", "status", "{}").get(10, TimeUnit.SECONDS);
        assertEquals("answered", status.status());
        assertEquals(200, status.code());
        assertEquals(null, status.batch());
    }

    @Test
    void errorAnswersAndSilenceAreRecordedToo() throws Exception {
        CommandRecord rules = dashboard.command("s1", "rules", "{\"name\":\"city-rules\",\"yaml\":\"rules: [\"}")
                .get(10, TimeUnit.SECONDS);
        assertEquals("answered", rules.status());
        assertEquals(400, rules.code());
        assertEquals("invalid rule set", Json.MAPPER.readTree(rules.response()).get("error").asText());

        gateway.silent = true;
        long sent = System.currentTimeMillis();
        CommandRecord lost = dashboard.command("s1", "status", "{}").get(15, TimeUnit.SECONDS);
        assertEquals("timeout", lost.status(), lost.toString());
        assertTrue(lost.answeredAtMs() - sent >= 2_900, "after the 3 s command timeout");
        assertEquals(lost, dashboard.database().commands().byId(lost.id()).orElseThrow());
    }

    @Test
    void consumptionResumesAfterHonoWasDown() throws Exception {
        Instant start = Instant.now().minusSeconds(900);
        gateway.sendAccepted("telemetry", Events.lab("s1", start));
        gateway.close();
        gateway = null;

        sandbox.faults().down();
        waitFor("the consumers to notice", Duration.ofSeconds(15), () -> !dashboard.connected());
        sandbox.faults().up();
        waitFor("the consumers to come back", Duration.ofSeconds(30), dashboard::connected);

        gateway = TestGateway.connect(sandbox.host(), sandbox.devicePort(), TENANT, "s1", PASSWORD, dir.resolve("sandbox-ca.crt"));
        gateway.sendAccepted("telemetry", Events.lab("s1", start.plusSeconds(300)));
        gateway.sendAccepted("event//s1.cam-gate-1", Events.alarm("s1", "ev-9", "al-9", "raised", start, start, null));
        assertTrue(dashboard.database().message(Events.summaryId("s1", "lab", start.plusSeconds(300))).isPresent());
        assertTrue(dashboard.database().message("ev-9").isPresent());
        assertEquals(3, dashboard.database().count("messages"));
        // commands work again too
        CommandRecord status = dashboard.command("s1", "status", "{}").get(10, TimeUnit.SECONDS);
        assertEquals("answered", status.status());
        assertFalse(dashboard.stats().failures() > 0);
    }
}
