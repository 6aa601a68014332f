package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.campusedge.api.EventQuery;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.simulators.lab.LabSensor;
import org.campusedge.simulators.lab.ObservableLabSensors;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Observing lab kits over coaps: the gateway is the DTLS client and presents each kit's id and secret,
 * so only a kit that holds its key completes the handshake. A device at a kit's address that does not
 * hold it (a wrong key, another kit's) delivers nothing, is counted, and the good kit keeps reporting;
 * once set up with its key it is observed without a restart.
 */
class LabObserveDtlsTest {

    @TempDir
    Path dir;

    private EventStoreFile store;
    private StandaloneBus bus;
    private CamelGateway gateway;
    private ObservableLabSensors kits;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (kits != null) {
            kits.close();
        }
        bus.close();
        store.close();
    }

    private long readings(String device) {
        return store.count(EventQuery.all(0).withDevice(device).withKind("lab.reading"));
    }

    @Test
    void onlyAKitHoldingItsKeyIsObserved() throws Exception {
        MemoryCredentials keys = new MemoryCredentials();
        keys.put("lab-watch-1", "watch-one-key-0123456789");
        keys.put("lab-watch-2", "watch-two-key-0123456789");
        // what each kit was set up with: kit 1 its key; at kit 2's address, a device with kit 1's key (not its own)
        Map<String, String> onKit = new ConcurrentHashMap<>(Map.of("lab-watch-1", "watch-one-key-0123456789",
                "lab-watch-2", "watch-one-key-0123456789"));
        kits = new ObservableLabSensors(List.of(new LabSensor("lab-watch-1", false, 1, System.currentTimeMillis()),
                new LabSensor("lab-watch-2", true, 2, System.currentTimeMillis())), 7, 200);
        Map<String, Integer> ports = kits.startSecured(Map.of(), onKit::get);
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 20_000, 200_000);
        bus = StandaloneBus.over(store);
        TestRegistry registry = new TestRegistry();
        for (String kit : List.of("lab-watch-1", "lab-watch-2")) {
            registry.put(TestRegistry.observedLabDevice(kit, "coaps://127.0.0.1:" + ports.get(kit) + "/lab/" + kit));
        }
        gateway = new CamelGateway(bus, registry, CamelGateway.Settings.loopback(dir.resolve("card-secret")), getClass().getClassLoader(),
                CamelGatewayComponent.templatesIn(Path.of("templates")), org.campusedge.api.Watchdog.loggingOnly(), keys);
        gateway.start();

        assertTrue(Await.eventually(15, () -> readings("lab-watch-1") >= 7 * 5), "the kit with its key was not observed over coaps");
        assertTrue(Await.eventually(20, () -> gateway.counters().of("lab-watch-2").rejected() >= 1),
                "the failed handshakes were not counted: " + gateway.counters().of("lab-watch-2"));
        assertEquals(0, readings("lab-watch-2"), "readings taken from a device that does not hold the kit's key");
        assertTrue(gateway.counters().of("lab-watch-2").lastError().contains("did not complete the DTLS handshake"),
                gateway.counters().of("lab-watch-2").lastError());
        long one = readings("lab-watch-1");
        assertTrue(Await.eventually(10, () -> readings("lab-watch-1") >= one + 7 * 5), "the good kit stopped reporting meanwhile");

        onKit.put("lab-watch-2", "watch-two-key-0123456789"); // the installer sets the kit up with its own key
        assertTrue(Await.eventually(45, () -> readings("lab-watch-2") >= 7 * 3), "the kit was not observed once it had its key");

        // the admin revokes kit 1's key (stolen): its DTLS session ends at once and no new one can be made
        keys.put("lab-watch-1", null);
        Thread.sleep(1_000);
        long revoked = readings("lab-watch-1");
        Thread.sleep(3_000);
        assertEquals(revoked, readings("lab-watch-1"), "a kit whose key was revoked is still observed");
    }
}
