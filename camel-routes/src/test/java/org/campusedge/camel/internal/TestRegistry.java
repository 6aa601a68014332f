package org.campusedge.camel.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Location;
import org.campusedge.api.Point;
import org.campusedge.api.Profile;

/** An inventory held in memory, for Camel-level tests that add and remove devices at will. */
final class TestRegistry implements DeviceRegistry {

    static final Profile LAB = new Profile("lab-sensor-kit", "lab", "coap-senml", "lab kit", List.of(
            new Point("temperature", "Cel", Point.Type.NUMBER, -20.0, 120.0, null),
            new Point("humidity", "%RH", Point.Type.NUMBER, 0.0, 100.0, null),
            new Point("ph", "pH", Point.Type.NUMBER, 0.0, 14.0, null),
            new Point("sash-open", null, Point.Type.BOOLEAN, null, null, null)),
            List.of("lab.reading"), Duration.ofMinutes(2));

    /** The lab kit with a two-second offlineAfter, so that an observation is renewed after one second. */
    static final Profile LAB_FAST = new Profile("lab-sensor-kit-fast", "lab", "coap-senml", "lab kit", List.of(
            new Point("temperature", "Cel", Point.Type.NUMBER, -40.0, 135.0, null),
            new Point("humidity", "%RH", Point.Type.NUMBER, 0.0, 100.0, null),
            new Point("co2", "ppm", Point.Type.NUMBER, 0.0, 10_000.0, null),
            new Point("ph", "pH", Point.Type.NUMBER, 0.0, 14.0, null),
            new Point("o2", "%", Point.Type.NUMBER, 0.0, 27.0, null),
            new Point("light", "lx", Point.Type.NUMBER, 0.0, 150_000.0, null),
            new Point("pressure", "Pa", Point.Type.NUMBER, 0.0, 210_000.0, null)),
            List.of("lab.reading"), Duration.ofSeconds(2));

    static final Profile CAMERA = new Profile("ip-camera", "camera", "http-isapi", "camera", List.of(),
            List.of("camera.motion", "camera.intrusion", "camera.tamper"), Duration.ofMinutes(5));

    static final Profile BROADCAST = new Profile("broadcast-controller", "broadcast", "http-pa", "PA", List.of(),
            List.of("broadcast.played", "broadcast.fault"), Duration.ofMinutes(10));

    static final Profile ENERGY = new Profile("energy-meter", "energy", "opcua", "meter", List.of(
            new Point("power", "kW", Point.Type.NUMBER, 0.0, 2000.0, null, "ActivePower", 200, false),
            new Point("energy", "kWh", Point.Type.NUMBER, 0.0, null, null, "Energy", 200, false),
            new Point("voltage", "V", Point.Type.NUMBER, 180.0, 260.0, null, "Voltage", 200, false),
            new Point("current", "A", Point.Type.NUMBER, 0.0, 4000.0, null, "Current", 200, false),
            new Point("breaker", null, Point.Type.BOOLEAN, null, null, null, "Breaker", null, true)),
            List.of("energy.reading", "energy.control"), Duration.ofMinutes(1));

    static final Profile NVR = new Profile("nvr-isapi", "nvr", "http-isapi-poll", "NVR", List.of(),
            List.of("nvr.status", "nvr.not-recording", "nvr.disk-fault", "nvr.retention-short"), Duration.ofSeconds(10));

    private static final List<Profile> PROFILES = List.of(LAB, LAB_FAST, CAMERA, BROADCAST, ENERGY, NVR);

    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private long generation;

    static Device labDevice(String id) {
        return new Device(id, "sch-test", LAB.id(), "lab", new Location("Science", "2", "Chem 1", null), null, null);
    }

    static Device observedLabDevice(String id, String address) {
        return new Device(id, "sch-test", LAB_FAST.id(), "lab", new Location("Science", "2", "Chem 1", null), address,
                Map.of("mode", "observe"));
    }

    static Device camera(String id) {
        return new Device(id, "sch-test", CAMERA.id(), "camera", new Location("Main", "1", null, "perimeter"), null, null);
    }

    static Device broadcastController(String id, String address) {
        return new Device(id, "sch-test", BROADCAST.id(), "broadcast", new Location("Admin", "1", "PA room", null), address, null);
    }

    static Device camera(String id, String zone) {
        return new Device(id, "sch-test", CAMERA.id(), "camera", new Location("Gate", null, null, zone), null, null);
    }

    /** A video recorder at {@code address}; {@code channels} as the inventory gives it ("1=cam-a,2=cam-b"). */
    static Device recorder(String id, String address, String channels) {
        return new Device(id, "sch-test", NVR.id(), "nvr", new Location("Security office", "1", "Control room", "office"), address,
                Map.of("channels", channels));
    }

    static Device meter(String id, String endpointUrl, String nodes) {
        return new Device(id, "sch-test", ENERGY.id(), "energy", new Location("Teaching", null, "Switch room", null),
                endpointUrl, Map.of("nodes", nodes));
    }

    void put(Device d) {
        devices.put(d.id(), d);
        changed();
    }

    void remove(String id) {
        devices.remove(id);
        changed();
    }

    private void changed() {
        generation++;
        listeners.forEach(l -> l.registryChanged(this));
    }

    @Override public String schoolId() { return "sch-test"; }
    @Override public Optional<Device> device(String id) { return Optional.ofNullable(id == null ? null : devices.get(id)); }
    @Override public Collection<Device> devices() { return new ArrayList<>(devices.values()); }
    @Override public Optional<Profile> profile(String id) {
        return PROFILES.stream().filter(p -> p.id().equals(id)).findFirst();
    }
    @Override public Collection<Profile> profiles() { return PROFILES; }
    @Override public List<String> loadErrors() { return List.of(); }
    @Override public long generation() { return generation; }

    @Override
    public AutoCloseable addListener(Listener l) {
        listeners.add(l);
        return () -> listeners.remove(l);
    }
}
