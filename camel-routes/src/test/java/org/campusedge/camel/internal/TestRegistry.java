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

    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private long generation;

    static Device labDevice(String id) {
        return new Device(id, "sch-test", LAB.id(), "lab", new Location("Science", "2", "Chem 1", null), null, null);
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
    @Override public Optional<Profile> profile(String id) { return LAB.id().equals(id) ? Optional.of(LAB) : Optional.empty(); }
    @Override public Collection<Profile> profiles() { return List.of(LAB); }
    @Override public List<String> loadErrors() { return List.of(); }
    @Override public long generation() { return generation; }

    @Override
    public AutoCloseable addListener(Listener l) {
        listeners.add(l);
        return () -> listeners.remove(l);
    }
}
