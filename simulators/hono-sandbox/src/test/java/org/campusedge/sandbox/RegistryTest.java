package org.campusedge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry: YAML loading with clear errors, the builder, logins and gateway authorisation. */
class RegistryTest {

    @TempDir
    Path dir;

    private Path write(final String yaml) throws IOException {
        final Path f = dir.resolve("reg.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void exampleFileLoads() throws IOException {
        final Path f = dir.resolve("example.yaml");
        try (InputStream in = getClass().getResourceAsStream("/sandbox-example.yaml")) {
            Files.copy(in, f);
        }
        final Registry r = Registry.load(f);
        assertEquals("city-dashboard", r.northUser());
        assertEquals("city-secret", r.northPassword());
        final DeviceIdentity gw = r.authenticate("gw-sch-01", "jiangcheng", "secret").orElseThrow();
        assertTrue(gw.gateway());
        assertTrue(r.mayActFor(gw, "cam-gate-1"), "prefix pattern");
        assertTrue(r.mayActFor(gw, "meter-1"));
        assertTrue(r.mayActFor(gw, "gw-sch-01"), "itself");
        assertFalse(r.mayActFor(gw, "meter-10"));
        assertFalse(r.mayActFor(gw, "sensor-9"));
        assertTrue(r.authenticate("sensor-9", "jiangcheng", "pw").isPresent());
        assertTrue(r.authenticate("gw-old", "disabled-district", "old").isEmpty(), "disabled tenant");
        assertTrue(r.authenticate("gw-sch-01", "jiangcheng", "wrong").isEmpty());
    }

    @Test
    void aPrefixPatternNeverReachesAnotherRegisteredGatewayOrDevice() {
        final Registry r = Registry.builder().tenant("t").gateway("gw-a", "pw", List.of("*")).gateway("gw-b", "pw", List.of())
                .device("sensor-1", "pw").gateway("gw-c", "pw", List.of("gw-b")).build();
        final DeviceIdentity a = r.authenticate("gw-a", "t", "pw").orElseThrow();
        assertTrue(r.mayActFor(a, "cam-1"), "an unregistered device the pattern covers");
        assertFalse(r.mayActFor(a, "gw-b"), "another gateway, only by name");
        assertFalse(r.mayActFor(a, "sensor-1"), "a device that connects by itself, only by name");
        assertTrue(r.mayActFor(r.authenticate("gw-c", "t", "pw").orElseThrow(), "gw-b"), "listed by name");
    }

    @Test
    void errorsNameFileFieldAndReason() throws IOException {
        assertError("tenants: []\n", "tenants: at least one tenant is required");
        assertError("tenants:\n  - enabled: true\n", "tenants[0].id: missing");
        assertError("tenants:\n  - id: a\n    gateways:\n      - id: g\n", "tenants[0].gateways[0].password: missing");
        assertError("tenants:\n  - id: a\n    enabled: maybe\n", "tenants[0].enabled: must be true or false");
        assertError("tenants:\n  - id: a\n    gateway: []\n", "tenants[0].gateway: unknown field");
        assertError("tenants:\n  - id: a\n    devices:\n      - {id: d, password: p}\n      - {id: d, password: q}\n",
                "tenants[0].devices[1]: duplicate device id 'd'");
        assertError("tenants:\n  - id: a\n    gateways:\n      - {id: g, password: p, devices: ['a*b']}\n",
                "tenants[0].gateways[0]: invalid device id or pattern 'a*b'");
        assertError("tenants: [\n", "(yaml): not valid YAML");
        final RegistryException missing = assertThrows(RegistryException.class,
                () -> Registry.load(dir.resolve("nope.yaml")));
        assertTrue(missing.getMessage().endsWith("nope.yaml: (file): not found"), missing.getMessage());
    }

    private void assertError(final String yaml, final String expected) throws IOException {
        final Path f = write(yaml);
        final RegistryException e = assertThrows(RegistryException.class, () -> Registry.load(f));
        assertTrue(e.getMessage().startsWith(f + ": " + expected), e.getMessage());
    }

    @Test
    void builderValidates() {
        assertThrows(RegistryException.class, () -> Registry.builder().gateway("g", "p", List.of()));
        assertThrows(RegistryException.class, () -> Registry.builder().tenant("t").device("d", ""));
        assertThrows(RegistryException.class, () -> Registry.builder().tenant("t").device("a/b", "p"));
        final Registry r = Registry.builder().tenant("t").gateway("gw", "s", List.of("x-*")).build();
        final DeviceIdentity gw = r.authenticate("gw", "t", "s").orElseThrow();
        assertTrue(r.mayActFor(gw, "x-1"));
        assertFalse(r.mayActFor(gw, "y-1"));
        assertEquals(null, r.northUser());
    }
}
