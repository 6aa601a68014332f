package org.campusedge.city;

import static org.campusedge.city.CityDashboardIT.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.campusedge.kafka.BrokerProcess;
import org.campusedge.sandbox.HonoSandbox;
import org.campusedge.sandbox.Registry;
import org.campusedge.sandbox.SandboxConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard on Hono's Kafka-based messaging: a real Kafka broker (its own process), the sandbox in Kafka mode
 * producing with Hono's Kafka senders, the dashboard consuming the tenant's topics as a consumer group and sending
 * its commands through Hono's command topics.
 */
class CityDashboardKafkaIT {

    private static final java.util.concurrent.atomic.AtomicInteger TENANTS = new java.util.concurrent.atomic.AtomicInteger();
    /** A tenant of its own per test: the broker (and so each tenant's topics) lives as long as the class. */
    final String tenant = "chengdu-" + TENANTS.incrementAndGet();
    static final String PASSWORD = "gw-secret-1";

    @TempDir
    static Path kafkaDir;
    static BrokerProcess broker;

    @TempDir
    Path dir;
    HonoSandbox sandbox;
    final java.util.Deque<AutoCloseable> open = new java.util.ArrayDeque<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = BrokerProcess.start(kafkaDir.resolve("broker"), 4);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void stop() {
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.push(c);
        return c;
    }

    private void startSandbox(String... schools) {
        Registry.Builder r = Registry.builder().tenant(tenant);
        for (String s : schools) {
            r.gateway("gw-" + s, PASSWORD, List.of(s + ".*"));
        }
        sandbox = track(HonoSandbox.start(SandboxConfig.builder().registry(r.build()).kafka(broker.bootstrap()).build()));
    }

    private CityDashboard dashboard(String name, String jdbcUrl, String group) throws Exception {
        return dashboard(name, jdbcUrl, group, Duration.ofSeconds(5), null);
    }

    private CityDashboard dashboard(String name, String jdbcUrl, String group, Duration commandTimeout, Duration retry)
            throws Exception {
        if (!Files.exists(dir.resolve("users"))) {
            Files.writeString(dir.resolve("users"), "");
        }
        CityDashboard d = track(CityDashboard.start(CityConfig.builder()
                .kafka(broker.bootstrap()).kafkaGroup(group)
                .tenant(tenant).jdbcUrl(jdbcUrl).httpPort(0)
                .usersFile(dir.resolve("users-" + name)).commandTimeout(commandTimeout).broadcastRetry(retry).build()));
        waitFor("the dashboard's Kafka consumers", Duration.ofSeconds(60), d::connected);
        return d;
    }

    private TestGateway gateway(String school) throws Exception {
        return track(TestGateway.connect(sandbox.host(), sandbox.devicePort(), tenant, school, PASSWORD, null));
    }

    @Test
    void messagesThroughKafkaLandInTheDatabaseOnceEach() throws Exception {
        startSandbox("s1");
        CityDashboard d = dashboard("a", "jdbc:sqlite:" + dir.resolve("city.db"), "city-" + System.nanoTime());
        TestGateway gw = gateway("s1");
        Instant start = Instant.now().minusSeconds(600);
        String energy = Events.energy("s1", start, 12.5, 900);
        gw.sendAccepted("telemetry", energy);
        gw.sendAccepted("event//s1.cam-gate-1", Events.alarm("s1", "ev-1", "al-1", "raised", start, start, null));
        gw.sendAccepted("telemetry", energy); // a re-send: counted, not stored twice
        assertTrue(gw.send("telemetry", "application/json", "{}") instanceof Accepted);
        gw.sendAccepted("telemetry", "{broken");
        // records nobody's adapter wrote, straight onto the tenant's topics: no headers, no key, binary junk
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> raw = new org.apache.kafka.clients.producer.KafkaProducer<>(
                java.util.Map.of("bootstrap.servers", broker.bootstrap()), new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>("hono.telemetry." + tenant, null, new byte[] {0, (byte) 0xff, 7}))
                    .get(10, TimeUnit.SECONDS);
            org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> lying = new org.apache.kafka.clients.producer.ProducerRecord<>(
                    "hono.event." + tenant, "gw-s1".getBytes(), Events.bytes(Events.alarm("s9", "ev-x", "al-x", "raised", start, start, null)));
            lying.headers().add("content-type", Events.CE.getBytes()).add("device_id", "gw-s1".getBytes());
            raw.send(lying).get(10, TimeUnit.SECONDS); // s1's gateway speaking for s9: refused
        }
        gw.sendAccepted("telemetry", Events.health("s1", start, 58, 2)); // after the garbage: the consumer goes on

        CityDatabase db = d.database();
        waitFor("three messages stored", Duration.ofSeconds(30), () -> db.count("messages") == 3);
        waitFor("the rest counted", Duration.ofSeconds(30), () -> d.stats().received() >= 9);
        StoredMessage alarm = db.message("ev-1").orElseThrow();
        assertEquals("s1.cam-gate-1", alarm.device());
        IngestStats s = d.stats();
        assertEquals(3, s.stored());
        assertEquals(1, s.duplicates());
        assertEquals(2, s.unsupported(), "the JSON without CloudEvent type and the junk record without any");
        assertEquals(2, s.malformed(), "the broken JSON and the school speaking for another");
        waitFor("the connect notification, through Kafka too", Duration.ofSeconds(10), () -> d.stats().connects() >= 1);
        assertEquals(0, d.stats().failures());
    }

    @Test
    void aBroadcastIsAnsweredThroughHonosCommandTopics() throws Exception {
        startSandbox("s1", "s2", "s3", "s4");
        CityDashboard d = dashboard("a", "jdbc:sqlite:" + dir.resolve("city.db"), "city-" + System.nanoTime());
        Instant t = Instant.now().minusSeconds(300);
        for (String s : List.of("s1", "s2", "s3")) {
            gateway(s).sendAccepted("telemetry", Events.lab(s, t));
        }
        try (TestGateway s4 = TestGateway.connect(sandbox.host(), sandbox.devicePort(), tenant, "s4", PASSWORD, null)) {
            s4.sendAccepted("telemetry", Events.lab("s4", t)); // known to the city, then its link goes down
        }
        waitFor("four schools known", Duration.ofSeconds(30), () -> d.database().count("schools") == 4);
        BroadcastResult r = d.broadcast(BroadcastOrder.cityWide("请各班级立即进行消防演练"));
        List<CommandRecord> rows = r.completion().get(30, TimeUnit.SECONDS);
        assertEquals(List.of("s1", "s2", "s3", "s4"), rows.stream().map(CommandRecord::school).toList());
        for (CommandRecord row : rows.subList(0, 3)) {
            assertEquals("answered", row.status(), row.toString());
            assertEquals(200, row.code(), row.toString());
        }
        // no link to s4: Hono's delivery failure response (503, {"error": ...}) through the response topic. Hono's
        // Kafka client hands it over as the same error a gateway's own JSON answer gives, so it is recorded so.
        CommandRecord s4 = rows.get(3);
        assertEquals(503, s4.code(), s4.toString());
        assertTrue(s4.response().startsWith("{\"error\":"), s4.toString());
    }

    /**
     * Two dashboard instances in one consumer group on one PostgreSQL database split the schools' partitions
     * between them; when one stops, the other takes its partitions and stores what follows. Every message is in
     * the database once.
     */
    @Test
    void twoInstancesShareTheSchoolsAndOneTakesOverWhenTheOtherStops() throws Exception {
        try (LocalPostgres pg = LocalPostgres.temporary()) {
            List<String> schools = List.of("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8");
            startSandbox(schools.toArray(String[]::new));
            String group = "city-" + System.nanoTime();
            CityDashboard a = dashboard("a", pg.jdbcUrl(), group);
            CityDashboard b = dashboard("b", pg.jdbcUrl(), group);
            java.util.Map<String, TestGateway> gateways = new java.util.LinkedHashMap<>();
            for (String s : schools) {
                gateways.put(s, gateway(s));
            }
            Instant base = Instant.now().minus(Duration.ofDays(2));
            send(gateways, base, 0, 25);
            waitFor("200 messages stored", Duration.ofSeconds(60), () -> a.database().count("messages") == 200);
            long storedByA = a.stats().stored();
            long storedByB = b.stats().stored();
            assertTrue(storedByA > 0 && storedByB > 0, "both instances stored a share: " + storedByA + " + " + storedByB);
            assertEquals(200, storedByA + storedByB, "each message stored by one instance");

            open.remove(a);
            a.close(); // leaves the group: b gets a's partitions
            send(gateways, base, 25, 25);
            waitFor("400 messages stored", Duration.ofSeconds(60), () -> b.database().count("messages") == 400);
            assertEquals(200, b.stats().stored() - storedByB, "b stored all of the second round");
            assertEquals(0, a.stats().failures() + b.stats().failures());
            assertEquals(8, b.database().count("schools"));
        }
    }

    /** Each school's gateway sends {@code n} lab summaries, one per 5 minutes from {@code from}, in order. */
    private static void send(java.util.Map<String, TestGateway> gateways, Instant base, int from, int n) throws Exception {
        for (int i = from; i < from + n; i++) {
            for (var e : gateways.entrySet()) {
                e.getValue().sendAccepted("telemetry", Events.lab(e.getKey(), base.plusSeconds(300L * i)));
            }
        }
    }

    /**
     * An emergency broadcast is not lost on a school whose link is down: it is tried again until it expires. A school
     * back within the expiry gets it and confirms; one back after it never gets it, and is shown so.
     */
    @Test
    void aSchoolDownDuringABroadcastPlaysItWhenBackWithinTheExpiryAndNotAfter() throws Exception {
        startSandbox("s1", "s2", "s3");
        CityDashboard d = dashboard("a", "jdbc:sqlite:" + dir.resolve("city.db"), "city-" + System.nanoTime(),
                Duration.ofSeconds(2), Duration.ofSeconds(3));
        Instant t = Instant.now().minusSeconds(300);
        gateway("s1").sendAccepted("telemetry", Events.lab("s1", t));
        for (String s : List.of("s2", "s3")) {
            try (TestGateway down = TestGateway.connect(sandbox.host(), sandbox.devicePort(), tenant, s, PASSWORD, null)) {
                down.sendAccepted("telemetry", Events.lab(s, t));
            }
        }
        waitFor("three schools known", Duration.ofSeconds(30), () -> d.database().count("schools") == 3);

        BroadcastResult r = d.broadcast(BroadcastOrder.cityWide("紧急疏散演练").standingFor(Duration.ofSeconds(20)));
        long expiresAt = d.database().commands().expiry(r.batch()).orElseThrow();
        waitFor("s1 confirmed at once", Duration.ofSeconds(10), () -> shown(d, r.batch(), "s1").equals("confirmed"));
        waitFor("s2 tried again while its link is down", Duration.ofSeconds(15), () -> target(d, r.batch(), "s2").attempts() >= 2);
        assertEquals("pending", shown(d, r.batch(), "s2"));

        TestGateway s2 = gateway("s2"); // back within the expiry
        waitFor("s2 confirmed once back", Duration.ofSeconds(15), () -> shown(d, r.batch(), "s2").equals("confirmed"));
        assertTrue(System.currentTimeMillis() < expiresAt, "the test's timing: s2 came back within the expiry");
        assertEquals(1, s2.commands.size(), "s2 played it once");
        String jws = new String(((org.apache.qpid.proton.amqp.messaging.Data) s2.commands.get(0).getBody()).getValue().getArray(),
                java.nio.charset.StandardCharsets.US_ASCII);
        long exp = Json.MAPPER.readTree(java.util.Base64.getUrlDecoder().decode(jws.split("\\.")[1])).get("exp").asLong();
        assertTrue(exp * 1000 <= expiresAt, "a late try is signed to expire with the broadcast: " + exp + " vs " + expiresAt);

        waitFor("the broadcast to expire", Duration.ofSeconds(30), () -> System.currentTimeMillis() > expiresAt + 500);
        TestGateway s3 = gateway("s3"); // back after the expiry
        Thread.sleep(6_000); // two retry intervals: nothing may come
        assertEquals(0, s3.commands.size(), "s3 came back after the expiry and must not get it");
        assertEquals("expired", shown(d, r.batch(), "s3"), "shown as never got it");
        assertTrue(target(d, r.batch(), "s3").attempts() >= 3, "s3 was tried while it was down");
        assertEquals("confirmed", shown(d, r.batch(), "s1"));
    }

    private static BroadcastTarget target(CityDashboard d, String batch, String school) throws Exception {
        return d.database().commands().targets(batch).stream().filter(x -> x.school().equals(school)).findFirst().orElseThrow();
    }

    private static String shown(CityDashboard d, String batch, String school) throws Exception {
        return target(d, batch, school).shown(System.currentTimeMillis());
    }
}
