package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.campusedge.api.EventQuery;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.simulators.net.CoapsClient;
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
 * The lab route over coaps inside one JVM: the real Camel context, Scandium on both ends, the real
 * bus and SQLite store. Which requests may speak for which kit, and a key changed while connected.
 */
class LabDtlsRouteTest {

    @TempDir
    Path dir;

    private EventStoreFile store;
    private StandaloneBus bus;
    private CamelGateway gateway;
    private final MemoryCredentials keys = new MemoryCredentials();

    @BeforeEach
    void start() throws Exception {
        store = LabRouteTest.store(dir.resolve("events.db"), 10_000);
        bus = StandaloneBus.over(store);
        TestRegistry registry = new TestRegistry();
        registry.put(TestRegistry.labDevice("lab-a"));
        registry.put(TestRegistry.labDevice("lab-b"));
        registry.put(new org.campusedge.api.Device("lab-old", "sch-test", TestRegistry.LAB.id(), "lab", null, null, null, true));
        // a kit that would be observed over plain CoAP although it is not marked security: none
        registry.put(TestRegistry.observedLabDevice("lab-watched", "coap://127.0.0.1:9/senml"));
        keys.put("lab-a", "aaaaaaaaaaaaaaaaaaaaaaaa");
        keys.put("lab-b", "bbbbbbbbbbbbbbbbbbbbbbbb");
        CamelGateway.Settings loopback = CamelGateway.Settings.loopback(dir.resolve("card-secret"));
        CamelGateway.Settings settings = new CamelGateway.Settings(loopback.coap().withSecurePort(0), loopback.maxPackRecords(),
                loopback.cardHost(), loopback.cardPort(), loopback.cardLimits(), loopback.cardSecretFile(), loopback.http(),
                loopback.controllerPollSeconds(), loopback.maxEventsPerDevicePerSecond(), loopback.opcuaPkiDir(), loopback.cardRotation());
        gateway = new CamelGateway(bus, registry, settings, getClass().getClassLoader(),
                CamelGatewayComponent.templatesIn(Path.of("templates")), org.campusedge.api.Watchdog.loggingOnly(), keys);
        gateway.start();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        bus.close();
        store.close();
    }

    private CoapResponse coaps(String identity, String key, String device, String payload) throws Exception {
        return CoapsClient.post(new InetSocketAddress("127.0.0.1", 0), identity, key,
                java.net.URI.create("coaps://127.0.0.1:" + gateway.coapsPort() + "/campus/lab/" + device), payload, 5_000L);
    }

    private CoapResponse plain(String device, String payload) throws Exception {
        CoapClient c = new CoapClient("coap://127.0.0.1:" + gateway.coapPort() + "/campus/lab/" + device);
        try {
            return c.post(payload.getBytes(StandardCharsets.UTF_8), MediaTypeRegistry.APPLICATION_SENML_JSON);
        } finally {
            c.shutdown();
        }
    }

    private long stored(String device) {
        return store.query(new EventQuery(null, null, device, "lab.reading", 1000)).size();
    }

    @Test
    void eachKitSpeaksOnlyForItselfAndOnlyWithItsCurrentKey() throws Exception {
        assertEquals(ResponseCode.CHANGED, coaps("lab-a", "aaaaaaaaaaaaaaaaaaaaaaaa", "lab-a", "[{\"n\":\"ph\",\"v\":7}]").getCode());
        assertEquals(ResponseCode.FORBIDDEN, coaps("lab-b", "bbbbbbbbbbbbbbbbbbbbbbbb", "lab-a", "[{\"n\":\"ph\",\"v\":8}]").getCode());
        assertNull(coaps("lab-a", "wrongwrongwrongwrongwron", "lab-a", "[{\"n\":\"ph\",\"v\":9}]"));
        assertEquals(ResponseCode.UNAUTHORIZED, plain("lab-a", "[{\"n\":\"ph\",\"v\":10}]").getCode());
        // an old kit marked security: none is taken over plain CoAP
        assertEquals(ResponseCode.CHANGED, plain("lab-old", "[{\"n\":\"ph\",\"v\":11}]").getCode());
        keys.put("lab-a", "cccccccccccccccccccccccc");
        assertNull(coaps("lab-a", "aaaaaaaaaaaaaaaaaaaaaaaa", "lab-a", "[{\"n\":\"ph\",\"v\":12}]"));
        assertEquals(ResponseCode.CHANGED, coaps("lab-a", "cccccccccccccccccccccccc", "lab-a", "[{\"n\":\"ph\",\"v\":13}]").getCode());
        assertEquals(2, stored("lab-a"));
        assertEquals(0, stored("lab-b"));
        assertEquals(1, stored("lab-old"));
    }

    @Test
    void aProtectedKitIsNotObservedOverPlainCoap() {
        String error = gateway.routeErrors().entrySet().stream().filter(e -> e.getKey().endsWith("lab-watched"))
                .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
        org.junit.jupiter.api.Assertions.assertNotNull(error, "a route observing a protected kit over plain CoAP was made: " + gateway.routes());
        org.junit.jupiter.api.Assertions.assertTrue(error.contains("security: none"), error);
    }
}
