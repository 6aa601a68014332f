package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.ControlRequest;
import org.campusedge.api.ControlResult;
import org.campusedge.api.EventQuery;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.simulators.energy.EnergyMeterServer;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The energy template against the Milo meter simulator on loopback: subscription to SQLite, the
 * server dying and coming back on the same port, breaker writes, and a faulty meter's bad values.
 */
class EnergyRouteTest {

    @TempDir
    Path dir;

    private EventStoreFile store;
    private StandaloneBus bus;
    private CamelGateway gateway;
    private EnergyMeterServer meters;
    private int port;

    @BeforeEach
    void start() throws Exception {
        meters = new EnergyMeterServer(List.of(new EnergyMeterServer.Meter("meter-a", "teaching", 180),
                new EnergyMeterServer.Meter("meter-b", "canteen", 150)), () -> LocalTime.of(10, 0), 200);
        port = EnergyMeterServer.freePort();
        meters.start(port);
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
        bus = StandaloneBus.over(store);
        TestRegistry registry = new TestRegistry();
        registry.put(TestRegistry.meter("meter-a", meters.endpointUrl(), EnergyMeterServer.nodesPattern("meter-a")));
        registry.put(TestRegistry.meter("meter-b", meters.endpointUrl(), EnergyMeterServer.nodesPattern("meter-b")));
        gateway = new CamelGateway(bus, registry, CamelGateway.Settings.loopback(dir.resolve("card-secret")),
                getClass().getClassLoader(), CamelGatewayComponent.templatesIn(Path.of("templates")));
        gateway.start();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        bus.close();
        store.close();
        meters.close();
    }

    private long readings(String meter, String point) {
        return store.query(EventQuery.all(100_000).withDevice(meter)).stream()
                .filter(e -> e.kind().equals("energy.reading") && e.measurement().name().equals(point)).count();
    }


    @Test
    void dataChangesBecomeEnergyReadingsInTheProfilesUnits() throws Exception {
        assertTrue(Await.eventually(20, () -> readings("meter-a", "power") >= 3 && readings("meter-b", "voltage") >= 3),
                "readings: " + store.count(EventQuery.all(0)));
        CampusEvent power = store.query(EventQuery.all(1000).withDevice("meter-a")).stream()
                .filter(e -> e.measurement().name().equals("power")).findFirst().orElseThrow();
        assertEquals("kW", power.measurement().unit());
        assertTrue(power.measurement().value() > 100 && power.measurement().value() < 200, power.toString());
        assertEquals("Switch room", power.location().room());
    }

    @Test
    void theSubscriptionComesBackAfterTheServerDiesAndRestarts() throws Exception {
        assertTrue(Await.eventually(20, () -> readings("meter-a", "power") >= 2));
        meters.stop();
        Thread.sleep(1500); // the session notices the server is gone
        long before = readings("meter-a", "power");
        meters.start(port); // a new server process: it knows nothing of the old subscription
        assertTrue(Await.eventually(60, () -> readings("meter-a", "power") >= before + 3),
                "no readings after the restart: " + before + " -> " + readings("meter-a", "power"));
    }

    @Test
    void aBreakerWriteReachesTheMeterAndIsOnRecord() throws Exception {
        assertTrue(Await.eventually(20, () -> readings("meter-a", "power") >= 1), "no session yet");
        ControlResult r = gateway.controls().write(new ControlRequest("meter-a", "breaker", false, "rule:night-energy"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(ControlResult.Outcome.DONE, r.outcome(), r.toString());
        assertEquals(List.of(new EnergyMeterServer.BreakerWrite("meter-a", false)), meters.breakerWrites());
        assertTrue(Await.eventually(10, () -> store.query(EventQuery.all(1000).withDevice("meter-a")).stream()
                .filter(e -> e.kind().equals("energy.reading") && e.measurement().name().equals("power"))
                .reduce((a, b) -> b).map(e -> e.measurement().value() == 0.0).orElse(false)), "power did not drop to 0");
        CampusEvent audit = store.query(EventQuery.all(10_000).withDevice("meter-a")).stream()
                .filter(e -> e.kind().equals("energy.control")).findFirst().orElseThrow();
        assertEquals("rule:night-energy", audit.attributes().get("requestedBy"));
        assertEquals("done", audit.attributes().get("outcome"));

        assertEquals(ControlResult.Outcome.REFUSED, gateway.controls().write(new ControlRequest("meter-a", "power", 0.0, "x"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS).outcome(), "a read-only point was written");
        assertEquals(ControlResult.Outcome.REFUSED, gateway.controls().write(new ControlRequest("meter-a", "breaker", "off", "x"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS).outcome(), "a string went to a boolean");
        meters.stop();
        assertTrue(Await.eventually(20, () -> {
            try {
                return gateway.controls().write(new ControlRequest("meter-a", "breaker", true, "x")).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS).outcome() == ControlResult.Outcome.UNREACHABLE;
            } catch (Exception e) {
                return false;
            }
        }), "a write to a dead server was not reported unreachable");
    }

    @Test
    void aFaultyMeterIsCountedAndTheOthersKeepReporting() throws Exception {
        assertTrue(Await.eventually(20, () -> readings("meter-a", "power") >= 1 && readings("meter-b", "power") >= 1));
        meters.fault("meter-a", "ActivePower", "bad");
        meters.fault("meter-a", "Voltage", "wrong-type");
        assertTrue(Await.eventually(20, () -> gateway.counters().of("meter-a").rejected() >= 4),
                "rejected: " + gateway.counters().of("meter-a"));
        String error = gateway.counters().of("meter-a").lastError();
        assertTrue(error.contains("Bad_SensorFailure") || error.contains("must be a finite number"), error);
        long b = readings("meter-b", "power");
        long aEnergy = readings("meter-a", "energy");
        assertTrue(Await.eventually(20, () -> readings("meter-b", "power") > b + 2 && readings("meter-a", "energy") > aEnergy),
                "the healthy meter and points stopped");
        assertEquals(0, gateway.counters().of("meter-b").rejected());
    }
}
