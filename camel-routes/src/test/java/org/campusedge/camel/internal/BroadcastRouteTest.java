package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.BroadcastRequest;
import org.campusedge.api.BroadcastResult;
import org.campusedge.api.BroadcastResult.Outcome;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventQuery;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broadcast controller's two routes in one JVM against the PA simulator over real HTTP:
 * commands out (play, pre-emption by priority, stop, status, the controller down) and status in
 * (played, zone faults), each ending in the SQLite store.
 */
class BroadcastRouteTest {

    @TempDir
    Path dir;

    private EventStoreFile store;
    private StandaloneBus bus;
    private CamelGateway gateway;
    private BroadcastController pa;
    private TestRegistry registry;

    @BeforeEach
    void start() throws Exception {
        pa = new BroadcastController(List.of("teaching-1f", "teaching-2f", "playground"), 300);
        URI api = pa.start(0);
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
        bus = StandaloneBus.over(store);
        registry = new TestRegistry();
        registry.put(TestRegistry.broadcastController("pa-main", api.toString()));
        gateway = new CamelGateway(bus, registry, CamelGateway.Settings.loopback(dir.resolve("card-secret")),
                getClass().getClassLoader(), CamelGatewayComponent.templatesIn(Path.of("templates")));
        gateway.start();
        pa.reportTo(URI.create("http://127.0.0.1:" + gateway.httpPort() + "/campus/broadcast/pa-main"));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        bus.close();
        store.close();
        pa.close();
    }

    private BroadcastResult send(BroadcastRequest r) throws Exception {
        return gateway.broadcasts().send(r).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private List<CampusEvent> events(String kind) {
        return store.query(EventQuery.all(100).withDevice("pa-main")).stream().filter(e -> e.kind().equals(kind)).toList();
    }


    @Test
    void bothRoutesRunForAController() {
        assertTrue(gateway.routes().containsAll(List.of("broadcast-pa-main", "broadcast-command-pa-main")), gateway.routes().toString());
    }

    @Test
    void aPlayReachesTheZonesIsAuditedAndItsEndComesBackAsPlayed() throws Exception {
        BroadcastResult r = send(BroadcastRequest.play("pa-main", List.of("teaching-1f", "teaching-2f"), "bell-class-start",
                BroadcastRequest.SCHEDULE, "schedule:bell"));
        assertEquals(Outcome.ACCEPTED, r.outcome(), r.toString());
        assertNotNull(r.taskId());
        assertEquals(2, pa.played().size());
        assertEquals("announcement:bell-class-start", pa.played().get(0).what());

        CampusEvent audit = events("broadcast.requested").get(0);
        assertEquals("schedule:bell", audit.attributes().get("requestedBy"));
        assertEquals("teaching-1f,teaching-2f", audit.attributes().get("zones"));
        assertEquals(r.taskId(), audit.attributes().get("taskId"));
        assertTrue(Await.eventually(10, () -> events("broadcast.played").size() == 2), "played reports: " + events("broadcast.played"));
        assertEquals(r.taskId(), events("broadcast.played").get(0).attributes().get("taskId"));
    }

    @Test
    void anEmergencyPreemptsABellAndALowerPriorityIsRefusedWhileItPlays() throws Exception {
        send(BroadcastRequest.play("pa-main", List.of("playground"), "morning-exercise", BroadcastRequest.SCHEDULE, "schedule"));
        BroadcastResult evacuate = send(BroadcastRequest.say("pa-main", List.of("playground"), "请立即疏散 Evacuate now",
                BroadcastRequest.EMERGENCY, "rule:fire"));
        assertEquals(Outcome.ACCEPTED, evacuate.outcome());
        assertTrue(pa.played().get(1).preempted(), "the emergency did not pre-empt the exercise");
        BroadcastResult bell = send(BroadcastRequest.play("pa-main", List.of("playground"), "bell", BroadcastRequest.SCHEDULE, "schedule"));
        assertEquals(Outcome.REFUSED, bell.outcome());
        assertTrue(bell.zones().get("playground").startsWith("busy"), bell.toString());
        assertEquals("playground", send(BroadcastRequest.status("pa-main")).zones().keySet().stream()
                .filter(z -> z.equals("playground")).findFirst().orElse(""));
        assertEquals("playing", send(BroadcastRequest.status("pa-main")).zones().get("playground"));
        assertEquals("stopped", send(BroadcastRequest.stop("pa-main", List.of("playground"), "user:admin")).zones().get("playground"));
        assertEquals("idle", send(BroadcastRequest.status("pa-main")).zones().get("playground"));
    }

    @Test
    void zoneFaultsComeBackAsBroadcastFaults() throws Exception {
        pa.failZone("teaching-2f", "amplifier fault");
        BroadcastResult r = send(BroadcastRequest.play("pa-main", List.of("teaching-1f", "teaching-2f"), "bell", 10, "schedule"));
        assertEquals(Outcome.ACCEPTED, r.outcome());
        assertTrue(Await.eventually(10, () -> events("broadcast.fault").stream().anyMatch(e -> r.taskId().equals(e.attributes().get("taskId")))),
                "fault not reported: " + events("broadcast.fault"));
        CampusEvent fault = events("broadcast.fault").stream().filter(e -> r.taskId().equals(e.attributes().get("taskId")))
                .findFirst().orElseThrow();
        assertEquals("teaching-2f", fault.attributes().get("zone"));
        assertEquals("amplifier fault", fault.attributes().get("reason"));
    }

    @Test
    void aControllerThatIsDownIsReportedNotSilentlyDropped() throws Exception {
        pa.close();
        BroadcastResult r = send(BroadcastRequest.play("pa-main", List.of("playground"), "bell", 10, "schedule:bell"));
        assertEquals(Outcome.UNREACHABLE, r.outcome());
        CampusEvent fault = events("broadcast.fault").get(0);
        assertEquals("unreachable", fault.attributes().get("outcome"));
        assertEquals("schedule:bell", fault.attributes().get("requestedBy"));
        assertEquals(Outcome.REFUSED, send(BroadcastRequest.play("pa-nowhere", List.of(), "bell", 10, "x")).outcome());
    }

    @Test
    void statusPollsPutOnlyTheLossOfTheControllerOnRecord() throws Exception {
        assertEquals("idle", send(BroadcastRequest.status("pa-main")).zones().get("playground"));
        assertEquals(0, store.count(EventQuery.all(0)), "a successful poll is not an event");
        pa.close();
        for (int i = 0; i < 3; i++) {
            assertEquals(Outcome.UNREACHABLE, send(BroadcastRequest.status("pa-main")).outcome());
        }
        assertEquals(1, events("broadcast.fault").size(), "every failed poll was stored: " + events("broadcast.fault"));
    }

    @Test
    void badStatusReportsAreRefusedAndCounted() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI callback = URI.create("http://127.0.0.1:" + gateway.httpPort() + "/campus/broadcast/pa-main");
        for (String bad : new String[] {"{\"event\":\"exploded\",\"zone\":\"z\"}", "{\"event\":\"played\"}",
                "{\"event\":\"played\",\"zone\":\"z\",\"time\":\"noon\"}", "{\"event\":7,\"zone\":\"z\"}", "[]", "{"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(callback).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(bad)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), bad + " -> " + r.body());
        }
        assertEquals(6, gateway.counters().of("pa-main").rejected());
        assertEquals(0, store.count(EventQuery.all(0)));
    }
}
