package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.camel.family.DeviceFamily;
import org.campusedge.camel.family.Families;
import org.campusedge.camel.family.FamilyContext;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A family that cannot start is left out and closed; the other families' devices get their routes all the same. */
class FamilyIsolationTest {

    @TempDir
    Path dir;

    @Test
    void aFamilyWhoseBindFailsIsLeftOutAndClosedAndTheOthersRun() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        DeviceFamily broken = new DeviceFamily() {
            public String name() { return "camera"; }
            public Set<Capability> capabilities() { return EnumSet.of(Capability.PUSH); }
            public Set<String> protocols() { return Set.of("http-isapi"); }
            public Set<String> eventKinds() { return Set.of("camera.motion"); }
            public List<String> templates() { return List.of("camera.yaml"); }
            public void bind(FamilyContext c) { throw new IllegalArgumentException("camera.timeoutSeconds is not a number: 'five'"); }
            public void close() { closed.set(true); }
        };
        Map<String, DeviceFamily> families = new TreeMap<>(Families.found(getClass().getClassLoader()));
        families.put("camera", broken);
        TestRegistry registry = new TestRegistry();
        registry.put(TestRegistry.camera("cam-1"));
        registry.put(TestRegistry.labDevice("lab-1"));
        EventStoreFile store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
        try {
            StandaloneBus bus = StandaloneBus.over(store);
            CamelGateway gateway = new CamelGateway(bus, registry, CamelGateway.Settings.loopback(dir.resolve("card-secret")),
                    getClass().getClassLoader(), CamelGatewayComponent.templatesIn(Path.of("templates")),
                    org.campusedge.api.Watchdog.loggingOnly(), null, families, pid -> Map.of());
            try {
                gateway.start();
                assertTrue(gateway.routes().contains("lab-lab-1"), gateway.routes().toString());
                assertTrue(gateway.routes().stream().noneMatch(r -> r.startsWith("camera-")), gateway.routes().toString());
                assertTrue(closed.get(), "the half-bound family was not closed");
                assertEquals(null, gateway.routeErrors().get("camera-cam-1"), "a left-out family's devices are not route errors");
            } finally {
                gateway.close();
                bus.close();
            }
        } finally {
            store.close();
        }
    }
}
