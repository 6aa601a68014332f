package org.campusedge.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.campusedge.api.Device;
import org.campusedge.api.Location;
import org.campusedge.api.Point;
import org.campusedge.api.Profile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryLoaderTest {

    private static RegistryLoader loader;

    @TempDir
    Path dir;
    private TestFiles files;

    @BeforeAll
    static void compileSchemas() {
        loader = new RegistryLoader();
    }

    @BeforeEach
    void setUp() {
        files = new TestFiles(dir);
    }

    private LoadResult load() {
        return loader.load(files.profiles, files.inventory);
    }

    /** Asserts exactly one error, and that it reads "FILE: FIELD: REASON" with a reason containing the hint. */
    private static void assertOneError(LoadResult r, String file, String field, String reasonHint) {
        assertEquals(1, r.errors().size(), () -> "errors: " + r.errors());
        assertError(r, file, field, reasonHint);
    }

    private static void assertError(LoadResult r, String file, String field, String reasonHint) {
        String prefix = file + ": " + field + ": ";
        assertTrue(r.errors().stream().anyMatch(e -> e.startsWith(prefix) && e.substring(prefix.length()).contains(reasonHint)),
                () -> "no error '" + prefix + "..." + reasonHint + "...' in " + r.errors());
    }

    @Test
    void goodFilesLoadIntoTheModel() {
        LoadResult r = load();

        assertTrue(r.ok(), () -> "errors: " + r.errors());
        assertEquals("sch-test", r.schoolId());
        assertEquals("Test Middle School", r.school().nameEn());
        assertEquals(1200, r.school().enrolment());
        assertEquals(ZoneId.of("Asia/Shanghai"), r.school().timezone(), "the default time zone");
        assertEquals(List.of("cam", "lab-kit"), List.copyOf(r.profiles().keySet()), "sorted by file name");

        Profile kit = r.profiles().get("lab-kit");
        assertEquals("lab", kit.family());
        assertEquals("coap-senml", kit.protocol());
        assertEquals(Duration.ofMinutes(2), kit.offlineAfter());
        assertEquals(List.of("lab.reading"), kit.events());
        assertEquals(new Point("ph", "pH", Point.Type.NUMBER, 0.0, 14.0, null), kit.point("ph").orElseThrow());
        assertEquals(Point.Type.BOOLEAN, kit.point("lid").orElseThrow().type());
        assertNull(r.profiles().get("cam").offlineAfter());

        assertEquals(List.of("lab-chem-1-s1", "lab-chem-1-s2", "cam-gate-1"), List.copyOf(r.devices().keySet()));
        Device s1 = r.devices().get("lab-chem-1-s1");
        assertEquals("sch-test", s1.schoolId());
        assertEquals("lab", s1.family());
        assertEquals("lab-kit", s1.profileId());
        assertEquals(new Location("科学楼 Science Building", "3", "301", "bench-1"), s1.location());
        assertEquals("coap://10.0.0.11:5683", s1.address());
        assertEquals(Map.of("bench", "1", "calibrated", "true", "note", "ok"), s1.properties());
        assertEquals("camera", r.devices().get("cam-gate-1").family());
        assertEquals("301", r.devices().get("lab-chem-1-s2").location().room());
    }

    @Test
    void schemasComeFromTheBundleClassLoaderNotTheContextLoader() {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(new ClassLoader(null) { });
        try {
            assertTrue(new RegistryLoader().load(files.profiles, files.inventory).ok());
        } finally {
            t.setContextClassLoader(saved);
        }
    }

    @Test
    void typoedFieldIsAnUnknownField() {
        files.profile("lab-kit.yaml", TestFiles.PROFILE.replace("offlineAfter:", "ofline_after:"));
        assertOneError(load(), "profiles/lab-kit.yaml", "/ofline_after", "unknown field");
    }

    @Test
    void missingRequiredFieldIsNamed() {
        files.inventory(TestFiles.INVENTORY.replace("    profile: cam\n", ""));
        assertOneError(load(), "schools/test-school.yaml", "/devices/2/profile", "required field is missing");
    }

    @Test
    void badEnumPatternAndTypeAreReported() {
        files.profile("lab-kit.yaml", TestFiles.PROFILE
                .replace("family: lab", "family: laboratory")
                .replace("type: boolean", "type: bool")
                .replace("max: 14", "max: fourteen"));
        LoadResult r = load();
        assertEquals(3, r.errors().size(), () -> "errors: " + r.errors());
        assertError(r, "profiles/lab-kit.yaml", "/family", "enum");
        assertError(r, "profiles/lab-kit.yaml", "/points/2/type", "enum");
        assertError(r, "profiles/lab-kit.yaml", "/points/1/max", "number");
        assertFalse(r.profiles().containsKey("lab-kit"));
    }

    @Test
    void devicesOfABrokenProfileGetNoSecondError() {
        files.profile("lab-kit.yaml", TestFiles.PROFILE.replace("protocol: coap-senml\n", ""));
        assertOneError(load(), "profiles/lab-kit.yaml", "/protocol", "required field is missing");
    }

    @Test
    void badIdPatternNamesTheField() {
        files.inventory(TestFiles.INVENTORY.replace("id: cam-gate-1", "id: Cam_Gate_1"));
        assertOneError(load(), "schools/test-school.yaml", "/devices/2/id", "pattern");
    }

    @Test
    void duplicateProfileId() {
        files.profile("lab-kit2.yaml", TestFiles.PROFILE);
        LoadResult r = load();
        assertOneError(r, "profiles/lab-kit2.yaml", "/id", "duplicate profile id 'lab-kit', already defined in profiles/lab-kit.yaml");
        assertTrue(r.profiles().containsKey("lab-kit"), "the first definition is kept");
    }

    @Test
    void duplicateDeviceId() {
        files.inventory(TestFiles.INVENTORY.replace("id: cam-gate-1", "id: lab-chem-1-s1"));
        assertOneError(load(), "schools/test-school.yaml", "/devices/2/id", "duplicate device id 'lab-chem-1-s1', already at /devices/0/id");
    }

    @Test
    void unknownProfile() {
        files.inventory(TestFiles.INVENTORY.replace("profile: cam", "profile: camera-x"));
        assertOneError(load(), "schools/test-school.yaml", "/devices/2/profile", "unknown profile 'camera-x'");
    }

    @Test
    void minGreaterThanMax() {
        files.profile("lab-kit.yaml", TestFiles.PROFILE.replace("min: -40", "min: 140"));
        assertOneError(load(), "profiles/lab-kit.yaml", "/points/0/min", "min 140 is greater than max 135");
    }

    @Test
    void duplicatePointNameAndRangeOnBoolean() {
        files.profile("lab-kit.yaml", TestFiles.PROFILE
                .replace("name: ph", "name: temperature")
                .replace("type: boolean", "type: boolean\n    max: 1"));
        LoadResult r = load();
        assertEquals(2, r.errors().size(), () -> "errors: " + r.errors());
        assertError(r, "profiles/lab-kit.yaml", "/points/1/name", "duplicate point name 'temperature', already at /points/0");
        assertError(r, "profiles/lab-kit.yaml", "/points/2/max", "a range only applies to number points");
    }

    @Test
    void badDurationAndTimezone() {
        files.profile("lab-kit.yaml", TestFiles.PROFILE.replace("PT2M", "2 minutes"));
        files.inventory(TestFiles.INVENTORY.replace("  enrolment: 1200", "  enrolment: 1200\n  timezone: Asia/Shangai"));
        LoadResult r = load();
        assertEquals(2, r.errors().size(), () -> "errors: " + r.errors());
        assertError(r, "profiles/lab-kit.yaml", "/offlineAfter", "pattern");
        assertError(r, "schools/test-school.yaml", "/school/timezone", "unknown time zone 'Asia/Shangai'");
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() {
        files.profile("cam.yml", "id: cam\nfamily: camera\n  protocol: [http\n");
        LoadResult r = load();
        assertEquals(1, r.errors().size(), () -> "errors: " + r.errors());
        assertTrue(r.errors().get(0).matches("profiles/cam\\.yml: line \\d+, column \\d+: not valid YAML: .+"), r.errors()::toString);
    }

    @Test
    void duplicateYamlKeyIsAnError() {
        files.profile("cam.yml", TestFiles.PROFILE_2 + "family: lab\n");
        LoadResult r = load();
        assertEquals(1, r.errors().size(), () -> "errors: " + r.errors());
        assertTrue(r.errors().get(0).startsWith("profiles/cam.yml: line "), r.errors()::toString);
        assertTrue(r.errors().get(0).contains("Duplicate field 'family'"), r.errors()::toString);
    }

    @Test
    void emptyAndMissingFiles() {
        files.profile("cam.yml", "# nothing yet\n");
        LoadResult r = loader.load(files.profiles, files.inventory.resolveSibling("nope.yaml"));
        assertEquals(2, r.errors().size(), () -> "errors: " + r.errors());
        assertError(r, "profiles/cam.yml", "/", "file is empty");
        assertError(r, "schools/nope.yaml", "/", "file does not exist");
        assertNull(r.school());
    }

    @Test
    void missingProfilesDirectory() {
        LoadResult r = loader.load(dir.resolve("profiles-missing"), files.inventory);
        assertError(r, "profiles-missing", "/", "profiles directory does not exist");
    }

    @Test
    void allProblemsOfAFileComeOutInOneGo() {
        files.inventory(TestFiles.INVENTORY
                .replace("enrolment: 1200", "enrolment: many")
                .replace("profile: cam", "profile: nope")
                .replace("id: lab-chem-1-s2", "id: lab-chem-1-s1"));
        LoadResult r = load();
        assertEquals(3, r.errors().size(), () -> "errors: " + r.errors());
        assertError(r, "schools/test-school.yaml", "/school/enrolment", "integer");
        assertError(r, "schools/test-school.yaml", "/devices/1/id", "duplicate device id");
        assertError(r, "schools/test-school.yaml", "/devices/2/profile", "unknown profile 'nope'");
    }
}
