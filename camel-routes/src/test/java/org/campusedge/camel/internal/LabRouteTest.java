package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventQuery;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.store.files.EventStoreFile;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab template end to end inside one JVM: real Californium client and server, the real Camel
 * context with the YAML template from camel-routes/templates, the real bus and SQLite store.
 */
class LabRouteTest {

    @TempDir
    Path dir;

    private EventStoreFile store;
    private StandaloneBus bus;
    private TestRegistry registry;
    private CamelGateway gateway;

    @BeforeEach
    void start() throws Exception {
        start(200_000);
    }

    private void start(int maxQueuedEvents) throws Exception {
        store = store(dir.resolve("events.db"), maxQueuedEvents);
        bus = StandaloneBus.over(store);
        registry = new TestRegistry();
        registry.put(TestRegistry.labDevice("lab-chem-1-s1"));
        gateway = new CamelGateway(bus, registry,
                CamelGateway.Settings.loopback(dir.resolve("card-secret")),
                getClass().getClassLoader(), CamelGatewayComponent.templatesIn(Path.of("templates")));
        gateway.start();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        bus.close();
        store.close();
    }

    private void restart(int maxQueuedEvents) throws Exception {
        stop();
        java.nio.file.Files.deleteIfExists(dir.resolve("events.db"));
        start(maxQueuedEvents);
    }

    private CoapResponse post(String device, String payload, int format) throws Exception {
        CoapClient client = new CoapClient("coap://127.0.0.1:" + gateway.coapPort() + "/campus/lab/" + device);
        try {
            return client.post(payload.getBytes(StandardCharsets.UTF_8), format);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aSenmlPackBecomesDurableLabReadingsBeforeTheDeviceHears204() throws Exception {
        String pack = "[{\"bn\":\"urn:dev:lab-chem-1-s1:\",\"bt\":1763800000,\"n\":\"temperature\",\"u\":\"Cel\",\"v\":23.5},"
                + "{\"n\":\"humidity\",\"v\":41},{\"n\":\"ph\",\"u\":\"pH\",\"v\":6.8,\"t\":1.5}]";
        CoapResponse r = post("lab-chem-1-s1", pack, MediaTypeRegistry.APPLICATION_SENML_JSON);
        assertEquals(ResponseCode.CHANGED, r.getCode());

        List<CampusEvent> stored = store.query(EventQuery.all(10).withDevice("lab-chem-1-s1"));
        assertEquals(3, stored.size(), "2.04 came before the events were durable");
        // ids come from the device's time and data: the two readings of the same instant sort by their hash, not the pack
        java.util.Map<String, CampusEvent> byPoint = new java.util.HashMap<>();
        stored.forEach(e -> byPoint.put(e.measurement().name(), e));
        assertEquals(23.5, byPoint.get("temperature").measurement().value());
        assertEquals("Cel", byPoint.get("temperature").measurement().unit());
        assertEquals("%RH", byPoint.get("humidity").measurement().unit(), "a missing unit means the profile's unit");
        assertEquals(6.8, byPoint.get("ph").measurement().value());
        assertEquals(1763800001500L, byPoint.get("ph").occurredAt().toEpochMilli());
        assertEquals("ph", stored.get(2).measurement().name(), "a later reading sorts later");
        assertEquals("lab.reading", stored.get(0).kind());
        assertEquals("Chem 1", stored.get(0).location().room());
        assertEquals(1, gateway.counters().of("lab-chem-1-s1").accepted());
    }

    @Test
    void aPackSentAgainAfterTheDeduplicationForgotItIsStoredOnce() throws Exception {
        long now = System.currentTimeMillis() / 1000; // a kit with its clock set: ids follow its times
        String pack = "[{\"bn\":\"urn:dev:lab-chem-1-s1:\",\"bt\":" + now + ",\"n\":\"temperature\",\"u\":\"Cel\",\"v\":23.5},"
                + "{\"n\":\"humidity\",\"v\":41}]";
        // two separate requests (new message ids, as a kit retrying after a lost answer sends): both answered 2.04
        assertEquals(ResponseCode.CHANGED, post("lab-chem-1-s1", pack, MediaTypeRegistry.APPLICATION_SENML_JSON).getCode());
        assertEquals(ResponseCode.CHANGED, post("lab-chem-1-s1", pack, MediaTypeRegistry.APPLICATION_SENML_JSON).getCode());
        assertEquals(2, store.count(EventQuery.all(0).withDevice("lab-chem-1-s1")), "a re-sent pack was stored twice");

        // a kit whose clock was never set: its reading is kept, its id on the gateway's time (retention keeps it 30 days)
        registry.put(TestRegistry.labDevice("lab-chem-1-s2"));
        assertTrue(Await.eventually(10, () -> gateway.routes().contains("lab-lab-chem-1-s2")), "no route for the second kit");
        assertEquals(ResponseCode.CHANGED, post("lab-chem-1-s2", "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":20,\"t\":300000000}]",
                MediaTypeRegistry.APPLICATION_SENML_JSON).getCode());
        CampusEvent lost = store.query(EventQuery.all(1).withDevice("lab-chem-1-s2")).get(0);
        assertEquals(300_000_000_000L, lost.occurredAt().toEpochMilli()); // 1979: an absolute SenML time, a clock never set
        assertTrue(Math.abs(org.campusedge.api.EventIds.timestampOf(lost.id()) - System.currentTimeMillis()) < 60_000, lost.id());
    }

    @Test
    void badPacksGetAReasonAndTheRouteKeepsServing() throws Exception {
        CoapResponse garbage = post("lab-chem-1-s1", "{not json", MediaTypeRegistry.APPLICATION_JSON);
        assertEquals(ResponseCode.BAD_REQUEST, garbage.getCode());
        assertFalse(garbage.getResponseText().isBlank());
        assertFalse(garbage.getResponseText().contains("\n"));

        CoapResponse wrongUnit = post("lab-chem-1-s1", "[{\"n\":\"temperature\",\"u\":\"degF\",\"v\":70}]",
                MediaTypeRegistry.APPLICATION_SENML_JSON);
        assertEquals(ResponseCode.BAD_REQUEST, wrongUnit.getCode());
        assertTrue(wrongUnit.getResponseText().contains("degF"), wrongUnit.getResponseText());

        CoapResponse xml = post("lab-chem-1-s1", "<a/>", MediaTypeRegistry.APPLICATION_XML);
        assertEquals(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, xml.getCode());

        assertEquals(ResponseCode.NOT_FOUND, post("no-such-sensor", "[{\"n\":\"ph\",\"v\":7}]",
                MediaTypeRegistry.APPLICATION_SENML_JSON).getCode());

        CoapResponse ok = post("lab-chem-1-s1", "[{\"n\":\"ph\",\"v\":7}]", MediaTypeRegistry.APPLICATION_SENML_JSON);
        assertEquals(ResponseCode.CHANGED, ok.getCode());
        assertEquals(1, store.count(EventQuery.all(0)), "only the good pack was stored");
        assertEquals(3, gateway.counters().of("lab-chem-1-s1").rejected());
        assertTrue(gateway.counters().of("lab-chem-1-s1").lastError().contains("content format"));
    }

    @Test
    void outOfRangeValuesAreKeptAndMarked() throws Exception {
        assertEquals(ResponseCode.CHANGED, post("lab-chem-1-s1", "[{\"n\":\"ph\",\"v\":15.2}]",
                MediaTypeRegistry.APPLICATION_SENML_JSON).getCode());
        CampusEvent e = store.query(EventQuery.all(1)).get(0);
        assertEquals("out-of-range", e.attributes().get("quality"));
    }

    @Test
    void routesFollowTheInventoryWithoutARestart() throws Exception {
        String pack = "[{\"n\":\"temperature\",\"v\":20}]";
        assertEquals(ResponseCode.NOT_FOUND, post("lab-bio-1-s9", pack, MediaTypeRegistry.APPLICATION_SENML_JSON).getCode());
        registry.put(TestRegistry.labDevice("lab-bio-1-s9"));
        assertTrue(gateway.routes().contains("lab-lab-bio-1-s9"), gateway.routes().toString());
        assertEquals(ResponseCode.CHANGED, post("lab-bio-1-s9", pack, MediaTypeRegistry.APPLICATION_SENML_JSON).getCode());
        registry.remove("lab-bio-1-s9");
        assertEquals(ResponseCode.NOT_FOUND, post("lab-bio-1-s9", pack, MediaTypeRegistry.APPLICATION_SENML_JSON).getCode());
        assertEquals(ResponseCode.CHANGED, post("lab-chem-1-s1", pack, MediaTypeRegistry.APPLICATION_SENML_JSON).getCode());
    }

    @Test
    void aFullStoreQueueTellsTheSensorToRetryAndCountsItAsDeferred() throws Exception {
        restart(5); // fewer events may wait for the disk than one pack holds
        StringBuilder pack = new StringBuilder("[");
        for (int i = 0; i < 10; i++) {
            pack.append(i == 0 ? "" : ",").append("{\"n\":\"ph\",\"v\":7}");
        }
        CoapResponse r = post("lab-chem-1-s1", pack + "]", MediaTypeRegistry.APPLICATION_SENML_JSON);
        assertEquals(ResponseCode.SERVICE_UNAVAILABLE, r.getCode());
        assertEquals(1L, r.getOptions().getMaxAge());
        assertEquals(1, gateway.counters().of("lab-chem-1-s1").deferred());
        assertEquals(0, gateway.counters().of("lab-chem-1-s1").rejected(), "not the sensor's fault");
        assertEquals(0, store.count(EventQuery.all(0)));
    }

    @Test
    void aStoreThatCannotWriteGives500AndNeverAnAcknowledgement() throws Exception {
        store.close(); // the disk went away under the gateway
        CoapResponse r = post("lab-chem-1-s1", "[{\"n\":\"ph\",\"v\":7}]", MediaTypeRegistry.APPLICATION_SENML_JSON);
        assertEquals(ResponseCode.INTERNAL_SERVER_ERROR, r.getCode());
        assertTrue(r.getResponseText().contains("not stored"), r.getResponseText());
        assertTrue(gateway.counters().of("lab-chem-1-s1").lastError().contains("closed"));
    }

    static EventStoreFile store(Path file, int maxQueuedEvents) throws Exception {
        return EventStoreFile.open(file, "NORMAL", 20_000, maxQueuedEvents);
    }
}
