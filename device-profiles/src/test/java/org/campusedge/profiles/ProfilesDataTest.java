package org.campusedge.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.campusedge.api.DataFiles;
import org.campusedge.api.Device;
import org.campusedge.api.Profile;
import org.campusedge.registry.internal.LoadResult;
import org.campusedge.registry.internal.RegistryLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Validates the shipped data with the registry's own loader, so a file that would be rejected on
 * a gateway fails the build instead.
 */
class ProfilesDataTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path PROFILES = ROOT.resolve("profiles");
    private static final Path SCHOOLS = ROOT.resolve("schools");

    private static RegistryLoader loader;

    @BeforeAll
    static void createLoader() {
        loader = new RegistryLoader();
    }

    private static List<Path> schoolFiles() throws IOException {
        try (Stream<Path> s = Files.list(SCHOOLS)) {
            return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everySchoolLoadsWithEveryProfileAndNoErrors() throws IOException {
        List<Path> schools = schoolFiles();
        assertFalse(schools.isEmpty(), "no school inventories in " + SCHOOLS);
        return schools.stream().map(school -> DynamicTest.dynamicTest(school.getFileName().toString(), () -> {
            LoadResult r = loader.load(PROFILES, school, ROOT);
            assertEquals(List.of(), r.errors());
            assertFalse(r.devices().isEmpty(), "a school without devices");
        }));
    }

    @Test
    void profileFilesFollowTheNamingConvention() throws IOException {
        LoadResult r = loader.load(PROFILES, SCHOOLS.resolve("example-school.yaml"), ROOT);
        List<Path> files = RegistryLoader.profileFiles(PROFILES);
        assertEquals(files.size(), r.profiles().size(), "every profile file loaded");
        for (Path f : files) {
            String stem = f.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            Profile p = r.profiles().get(stem);
            assertNotNull(p, () -> f + ": the profile id is the file name");
            assertTrue(stem.startsWith(p.family() + "-"), () -> f + ": profile files are named <family>-*.yaml");
        }
    }

    @Test
    void labSensorKitHasTheUsualProbes() {
        Profile kit = loader.load(PROFILES, SCHOOLS.resolve("example-school.yaml"), ROOT).profiles().get("lab-sensor-kit");
        assertNotNull(kit);
        assertEquals("coap-senml", kit.protocol());
        assertEquals(List.of("temperature", "humidity", "co2", "ph", "o2", "light", "pressure"),
                kit.points().stream().map(p -> p.name()).toList());
        assertEquals("pH", kit.point("ph").orElseThrow().unit());
        assertTrue(kit.point("ph").orElseThrow().inRange(7.0));
        assertFalse(kit.point("humidity").orElseThrow().inRange(101));
        assertEquals(List.of("lab.reading"), kit.events());
    }

    @Test
    void exampleSchoolHasItsLabsWithLocations() {
        LoadResult r = loader.load(PROFILES, SCHOOLS.resolve("example-school.yaml"), ROOT);
        assertEquals(List.of(), r.errors());
        assertEquals("sch-example-01", r.schoolId());
        assertTrue(r.school().enrolment() > 1000);

        Map<String, List<String>> byRoom = new TreeMap<>();
        List<Device> labKits = r.devices().values().stream().filter(d -> d.id().startsWith("lab-")).toList();
        for (Device d : labKits) {
            assertEquals("sch-example-01", d.schoolId());
            assertEquals("lab", d.family(), d.id());
            assertEquals("lab-sensor-kit", d.profileId(), d.id());
            assertEquals("科学楼 Science Building", d.location().building(), d.id());
            assertNotNull(d.location().floor(), d.id());
            assertNotNull(d.location().room(), d.id());
            byRoom.computeIfAbsent(d.location().room(), k -> new ArrayList<>()).add(d.id());
        }
        Map<String, Long> perLab = labKits.stream().map(Device::id)
                .collect(Collectors.groupingBy(id -> id.substring(0, id.lastIndexOf("-s")), TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("lab-bio-1", 4L, "lab-chem-1", 4L, "lab-phys-1", 4L), perLab);
        assertEquals(3, byRoom.size(), () -> "one room per lab: " + byRoom);
        assertTrue(r.devices().containsKey("lab-chem-1-s1"));
    }

    @Test
    void exampleSchoolHasCardReadersAtTheGatesCanteenLibraryAndALabDoor() {
        LoadResult r = loader.load(PROFILES, SCHOOLS.resolve("example-school.yaml"), ROOT);
        List<Device> readers = r.devices().values().stream().filter(d -> d.family().equals("card")).toList();
        assertEquals(List.of("canteen", "gate", "gate", "lab", "library"),
                readers.stream().map(d -> d.properties().get("place")).sorted().toList());
        readers.forEach(d -> assertEquals("card-reader", d.profileId(), d.id()));
    }

    @Test
    void everyRuleSetScheduleAndCalendarIsValidAndNamesDevicesOfTheExampleSchool() throws IOException {
        LoadResult school = loader.load(PROFILES, SCHOOLS.resolve("example-school.yaml"), ROOT);
        try (Stream<Path> files = Files.list(ROOT.resolve("rules"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                DataFiles.Checked rules = loader.readData(f, "rules.schema.json");
                assertEquals(List.of(), rules.problems(), f.toString());
                for (Object o : (List<?>) rules.content().get("rules")) {
                    Object actions = ((Map<?, ?>) o).get("actions");
                    for (Object a : actions == null ? List.of() : (List<?>) actions) {
                        Map<?, ?> action = (Map<?, ?>) a;
                        Map<?, ?> target = (Map<?, ?>) (action.containsKey("broadcast") ? action.get("broadcast") : action.get("control"));
                        Object device = target.containsKey("controller") ? target.get("controller") : target.get("device");
                        assertTrue(school.devices().containsKey(String.valueOf(device)), f + ": action names unknown device " + device);
                    }
                }
            }
        }
        try (Stream<Path> files = Files.list(ROOT.resolve("schedules"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                DataFiles.Checked schedule = loader.readData(f, "schedule.schema.json");
                assertEquals(List.of(), schedule.problems(), f.toString());
                assertTrue(school.devices().containsKey(String.valueOf(schedule.content().get("controller"))), f.toString());
            }
        }
        try (Stream<Path> files = Files.list(ROOT.resolve("calendars"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                assertEquals(List.of(), loader.readData(f, "calendar.schema.json").problems(), f.toString());
            }
        }
    }

    @Test
    void aBrokenRuleIsReportedWithFileFieldAndReason(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, "rules:\n  - id: hot\n    kind: threshold\n    severity: LOUD\n    match: {kinds: [lab.reading]}\n");
        List<String> problems = loader.readData(f, "rules.schema.json").problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("bad.yaml: /rules/0/severity: ")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("/rules/0/match/point")), "a threshold needs a point: " + problems);
    }

    @Test
    void exampleSchoolHasEveryFamily() {
        LoadResult r = loader.load(PROFILES, SCHOOLS.resolve("example-school.yaml"), ROOT);
        Map<String, Long> perFamily = r.devices().values().stream()
                .collect(Collectors.groupingBy(Device::family, TreeMap::new, Collectors.counting()));
        assertEquals(Set.of("lab", "card", "camera", "broadcast", "energy", "nvr"), perFamily.keySet(), perFamily.toString());
        r.devices().values().stream().filter(d -> d.family().equals("camera"))
                .forEach(d -> assertNotNull(d.properties().get("place"), d.id() + " needs a place for the simulator"));
        r.devices().values().stream().filter(d -> d.family().equals("broadcast") || d.family().equals("energy") || d.family().equals("nvr"))
                .forEach(d -> assertNotNull(d.address(), d.id() + ": the gateway connects out, it needs an address"));
    }
}
