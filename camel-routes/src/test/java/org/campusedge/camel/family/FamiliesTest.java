package org.campusedge.camel.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Location;
import org.campusedge.api.Profile;
import org.junit.jupiter.api.Test;

/** The families the bundle ships are whole, and what would make one fail quietly later is said at start. */
class FamiliesTest {

    @Test
    void theShippedFamiliesAreFoundAndWhole() throws Exception {
        Map<String, DeviceFamily> found = Families.found(getClass().getClassLoader());
        assertEquals(Set.of("lab", "camera", "card", "broadcast", "energy", "nvr"), found.keySet());
        Set<String> templates;
        try (Stream<Path> files = Files.list(Path.of("templates"))) {
            templates = files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        for (DeviceFamily f : found.values()) {
            assertEquals(List.of(), Families.problems(f, templates), f.name());
        }
        // every template belongs to a family: none left over that nothing loads
        assertEquals(templates, found.values().stream().flatMap(f -> f.templates().stream()).collect(Collectors.toSet()));
    }

    @Test
    void aFamilyThatWouldFailQuietlyIsNamedWithWhy() {
        DeviceFamily broken = new DeviceFamily() {
            public String name() { return "door"; }
            public Set<Capability> capabilities() { return EnumSet.of(Capability.PUSH, Capability.COMMAND); }
            public Set<String> protocols() { return Set.of("http-door"); }
            public Set<String> eventKinds() { return Set.of("door.opened", "lock.jammed"); }
            public List<String> templates() { return List.of("door.yaml"); }
            public void bind(FamilyContext c) { }
        };
        List<String> problems = Families.problems(broken, Set.of("camera.yaml"));
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("door.yaml is missing"), problems.toString());
        assertTrue(problems.get(1).contains("no door-command.yaml"), problems.toString());
        assertTrue(problems.get(2).contains("lock.jammed"), problems.toString());
    }

    @Test
    void profilesThatNameAnotherProtocolOrEventsTheFamilyNeverMakesAreReported() {
        Profile wrong = new Profile("camera-odd", "camera", "rtsp", "odd", List.of(), List.of("camera.motion", "camera.smoke"),
                Duration.ofMinutes(2));
        Profile orphan = new Profile("lift-x", "lift", "modbus", "lift", List.of(), List.of("lift.stuck"), Duration.ofMinutes(2));
        DeviceRegistry registry = registry(List.of(wrong, orphan), List.of(
                new Device("cam-1", "s", "camera-odd", "camera", Location.UNKNOWN, null, Map.of()),
                new Device("cam-2", "s", "camera-odd", "camera", Location.UNKNOWN, null, Map.of()),
                new Device("lift-1", "s", "lift-x", "lift", Location.UNKNOWN, null, Map.of())));
        List<String> problems = Families.profileProblems(registry, Families.found(getClass().getClassLoader()));
        assertEquals(3, problems.size(), "once per profile, not per device: " + problems);
        assertTrue(problems.stream().anyMatch(p -> p.contains("protocol rtsp")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("camera.smoke")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("no device family 'lift'")), problems.toString());
    }

    private static DeviceRegistry registry(List<Profile> profiles, List<Device> devices) {
        return new DeviceRegistry() {
            @Override public String schoolId() { return "s"; }
            @Override public Optional<Device> device(String id) { return devices.stream().filter(d -> d.id().equals(id)).findFirst(); }
            @Override public Collection<Device> devices() { return devices; }
            @Override public Optional<Profile> profile(String id) { return profiles.stream().filter(p -> p.id().equals(id)).findFirst(); }
            @Override public Collection<Profile> profiles() { return profiles; }
            @Override public List<String> loadErrors() { return List.of(); }
            @Override public long generation() { return 1; }
            @Override public AutoCloseable addListener(Listener l) { return () -> { }; }
        };
    }
}
