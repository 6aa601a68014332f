package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventQuery;
import org.campusedge.api.Severity;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.simulators.camera.AlertDocuments;
import org.campusedge.simulators.camera.Camera;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The camera template end to end in one JVM: the simulator's camera posting over real HTTP to the
 * gateway's device server, the real Camel route, bus and SQLite store.
 */
class CameraRouteTest {

    @TempDir
    Path dir;

    private EventStoreFile store;
    private StandaloneBus bus;
    private CamelGateway gateway;
    private final HttpClient http = HttpClient.newHttpClient();
    private Camera perimeter;
    private Camera corridor;

    @BeforeEach
    void start() throws Exception {
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
        bus = StandaloneBus.over(store);
        TestRegistry registry = new TestRegistry();
        registry.put(TestRegistry.camera("cam-fence-1"));
        registry.put(TestRegistry.camera("cam-hall-2"));
        gateway = new CamelGateway(bus, registry, CamelGateway.Settings.loopback(dir.resolve("card-secret")),
                getClass().getClassLoader(), CamelGatewayComponent.templatesIn(Path.of("templates")));
        gateway.start();
        URI base = URI.create("http://127.0.0.1:" + gateway.httpPort());
        perimeter = new Camera("cam-fence-1", base, false);
        corridor = new Camera("cam-hall-2", base, true);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        bus.close();
        store.close();
    }

    private static AlertDocuments.Alert alert(String type, boolean active, Integer region, int post) {
        return new AlertDocuments.Alert(type, active, 1, region, OffsetDateTime.of(2026, 11, 20, 22, 31, 5, 0,
                ZoneOffset.ofHours(8)), post, "10.30.0.7", "http://cam/pic/" + post + ".jpg", type + " alarm");
    }

    private List<CampusEvent> stored(String device) {
        return store.query(EventQuery.all(100).withDevice(device));
    }

    @Test
    void alertsOfBothEncodingsBecomeDurableCameraEventsBeforeThe200() {
        assertEquals(200, perimeter.post(alert("fielddetection", true, 2, 1)));
        assertEquals(200, corridor.post(alert("VMD", true, null, 1)));
        assertEquals(200, perimeter.post(alert("shelteralarm", true, null, 2)));

        List<CampusEvent> fence = stored("cam-fence-1");
        assertEquals(2, fence.size(), "200 came before the alert was durable");
        CampusEvent intrusion = fence.stream().filter(e -> e.kind().equals("camera.intrusion")).findFirst().orElseThrow();
        assertEquals("camera.intrusion", intrusion.kind());
        assertEquals(Severity.WARNING, intrusion.severity());
        assertEquals("2", intrusion.attributes().get("region"));
        assertEquals("1", intrusion.attributes().get("channel"));
        assertEquals("http://cam/pic/1.jpg", intrusion.attributes().get("snapshotUrl"));
        assertEquals(OffsetDateTime.of(2026, 11, 20, 22, 31, 5, 0, ZoneOffset.ofHours(8)).toInstant(), intrusion.occurredAt());
        assertTrue(fence.stream().anyMatch(e -> e.kind().equals("camera.tamper")), fence.toString());
        assertEquals("camera.motion", stored("cam-hall-2").get(0).kind());
    }

    @Test
    void heartbeatsKeepTheCameraSeenButStoreNothingAndResendsAreStoredOnce() {
        assertEquals(200, perimeter.post(alert("videoloss", false, null, 1)));
        assertEquals(200, perimeter.post(alert("heartBeat", true, null, 2)));
        assertEquals(0, stored("cam-fence-1").size());
        assertTrue(gateway.counters().of("cam-fence-1").lastSeen() != null);

        AlertDocuments.Alert crossing = alert("linedetection", true, 1, 3);
        assertEquals(200, perimeter.post(crossing));
        assertEquals(200, perimeter.post(crossing)); // the camera did not hear the first answer
        assertEquals(1, stored("cam-fence-1").size(), "a re-sent alert was stored twice");
        assertEquals(200, perimeter.post(alert("linedetection", false, 1, 4)));
        assertEquals(1, stored("cam-fence-1").stream().filter(e -> e.severity() == Severity.INFO).count());
    }

    @Test
    void badDocumentsGetA4xxWithAReasonCountedAgainstThatCameraAndTheOthersAreStillServed() throws Exception {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<EventNotificationAlert><eventType>&x;</eventType></EventNotificationAlert>";
        assertEquals(400, perimeter.postRaw(xxe.getBytes(StandardCharsets.UTF_8), "application/xml"));
        assertTrue(perimeter.lastRefusal().contains("DOCTYPE"), perimeter.lastRefusal());
        assertEquals(400, perimeter.postRaw("<EventNotificationAlert><eventType>VMD".getBytes(StandardCharsets.UTF_8),
                "application/xml"));
        assertEquals(400, perimeter.postRaw("{\"eventType\":42,\"eventState\":[]}".getBytes(StandardCharsets.UTF_8),
                "application/json"));
        assertEquals(415, perimeter.postRaw(new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2}, "image/jpeg"));
        assertEquals(413, perimeter.postRaw(new byte[200 * 1024], "application/xml"));
        assertEquals(400, perimeter.postRaw("{\"eventType\":\"VMD\",\"dateTime\":\"yesterday\"}".getBytes(StandardCharsets.UTF_8),
                "application/json"));

        assertEquals(200, corridor.post(alert("VMD", true, null, 1)), "the other camera is still served");
        assertEquals(200, perimeter.post(alert("VMD", true, null, 9)), "the same camera is still served");
        assertEquals(6, gateway.counters().of("cam-fence-1").rejected());
        assertEquals(0, gateway.counters().of("cam-hall-2").rejected());
        assertEquals(2, store.count(EventQuery.all(0)), "only the good alerts were stored");
    }

    @Test
    void unknownCamerasAndWrongMethodsAreAnsweredPlainly() throws Exception {
        Camera stranger = new Camera("cam-not-listed", URI.create("http://127.0.0.1:" + gateway.httpPort()), false);
        assertEquals(404, stranger.post(alert("VMD", true, null, 1)));
        assertTrue(stranger.lastRefusal().contains("inventory"), stranger.lastRefusal());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort()
                + "/campus/camera/cam-fence-1")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
    }
}
