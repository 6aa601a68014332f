package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.campusedge.api.EventQuery;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.simulators.lab.LabSensor;
import org.campusedge.simulators.lab.ObservableLabSensors;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CoAP observe (RFC 7641) of lab sensors that serve their readings: notifications become stored
 * lab.reading events, and after the sensor reboots (its observers forgotten) the gateway registers
 * again by itself.
 */
class LabObserveTest {

    @TempDir
    Path dir;

    private EventStoreFile store;
    private StandaloneBus bus;
    private CamelGateway gateway;
    private ObservableLabSensors sensors;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (sensors != null) {
            sensors.close();
        }
        bus.close();
        store.close();
    }

    private long readings(String device) {
        return store.count(EventQuery.all(0).withDevice(device).withKind("lab.reading"));
    }


    @Test
    void notificationsAreStoredAndTheObservationSurvivesASensorReboot() throws Exception {
        sensors = new ObservableLabSensors(List.of(new LabSensor("lab-obs-1", false, 1, System.currentTimeMillis())), 7, 200);
        int port = sensors.start(0);
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 20_000, 200_000);
        bus = StandaloneBus.over(store);
        TestRegistry registry = new TestRegistry();
        registry.put(TestRegistry.observedLabDevice("lab-obs-1", "coap://127.0.0.1:" + port + "/lab/lab-obs-1"));
        gateway = new CamelGateway(bus, registry, CamelGateway.Settings.loopback(dir.resolve("card-secret")), getClass().getClassLoader(),
                CamelGatewayComponent.templatesIn(Path.of("templates")));
        gateway.start();
        assertTrue(gateway.routes().contains("lab-lab-obs-1"), gateway.routes().toString());

        assertTrue(Await.eventually(10, () -> readings("lab-obs-1") >= 7 * 5), "notifications did not arrive: " + readings("lab-obs-1"));

        sensors.stop(); // a reboot: the sensor forgets its observers
        long before = readings("lab-obs-1");
        sensors.start(port);
        assertTrue(Await.eventually(20, () -> readings("lab-obs-1") >= before + 7 * 5),
                "the gateway did not observe again after the reboot: " + readings("lab-obs-1") + " after " + before);
        // a pack is counted when its route has finished, a moment after its readings are stored
        assertTrue(Await.eventually(5, () -> gateway.counters().of("lab-obs-1").accepted() >= 10),
                "packs counted per device: " + gateway.counters().of("lab-obs-1").accepted());
    }
}
