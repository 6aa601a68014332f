package org.campusedge.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secrets file, the command line that edits it, and the service that reads it, on a real file. */
class DeviceCredentialsTest {

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private Run cli(Path file, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CredentialsCommand.run(new SecretsFile(file), args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void addRotateRevokeShowAndListOnAnOwnerOnlyFile() throws Exception {
        Path file = dir.resolve("conf/device-secrets");
        Run add = cli(file, "add", "lab-1");
        assertEquals(0, add.status(), add.err());
        String first = new SecretsFile(file).read().secrets().get("lab-1").value();
        assertEquals(24, first.length());
        assertTrue(add.out().contains(first));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        assertEquals(1, cli(file, "add", "lab-1").status(), "add over an existing credential must be refused");
        assertEquals(0, cli(file, "rotate", "lab-1").status());
        String second = new SecretsFile(file).read().secrets().get("lab-1").value();
        assertNotEquals(first, second);
        assertTrue(cli(file, "show", "lab-1").out().contains(second));

        assertEquals(0, cli(file, "revoke", "lab-1").status());
        assertEquals(SecretsFile.REVOKED, new SecretsFile(file).read().secrets().get("lab-1").value());
        assertEquals(1, cli(file, "show", "lab-1").status());
        assertEquals(1, cli(file, "rotate", "lab-1").status(), "a revoked credential cannot be rotated, only added anew");
        Run list = cli(file, "list");
        assertTrue(list.out().contains("lab-1\trevoked"), list.out());
        assertFalse(list.out().contains(second), "list printed a secret");
        assertEquals(0, cli(file, "add", "lab-1").status(), "add issues a new credential after a revoke");

        assertEquals(2, cli(file, "add", "Lab 1; rm -rf /").status());
        assertEquals(2, cli(file, "explode", "lab-1").status());
    }

    @Test
    void aFileOthersCanReadIsMadeOwnerOnlyAndBadLinesAreReportedWithoutTheirContent() throws Exception {
        Path file = dir.resolve("device-secrets");
        Files.writeString(file, "# comment\nlab-1\tAAAAAAAAAAAAAAAAAAAAAAAA\t2026-12-01T00:00:00Z\nlab-2 short\nlab-3\tsecret with spaces and more\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        SecretsFile s = new SecretsFile(file);
        assertTrue(s.ensureOwnerOnly());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        SecretsFile.Content c = s.read();
        assertEquals(Set.of("lab-1"), c.secrets().keySet());
        assertEquals(2, c.problems().size(), c.problems().toString());
        assertTrue(c.problems().stream().noneMatch(p -> p.contains("short") || p.contains("spaces")), "a problem echoed the line");
        // a typo must not lose a key: an edit keeps the lines it cannot read as they are
        assertEquals(0, cli(file, "add", "lab-9").status());
        String after = Files.readString(file);
        assertTrue(after.contains("lab-2 short") && after.contains("lab-3\tsecret with spaces and more") && after.contains("lab-1\t"), after);
    }

    @Test
    void theServiceIssuesKeysToTheInventoryAndTellsListenersOfRotationAndRevocation() throws Exception {
        Path file = dir.resolve("device-secrets");
        FileDeviceCredentials creds = new FileDeviceCredentials(file, 1, new FixedRegistry(List.of(
                new org.campusedge.api.Device("lab-1", "sch", "lab-sensor-kit", "lab", null, null, null),
                new org.campusedge.api.Device("lab-old", "sch", "lab-sensor-kit", "lab", null, null, null, true))));
        try {
            assertTrue(creds.secret("lab-1").isPresent(), "no key issued to an inventory device");
            assertFalse(creds.secret("lab-old").isPresent(), "a key issued to a device marked security: none");
            List<Set<String>> told = new CopyOnWriteArrayList<>();
            creds.addListener(told::add);
            String before = creds.secret("lab-1").get().value();

            assertEquals(0, cli(file, "rotate", "lab-1").status());
            assertTrue(creds.reloadIfChanged());
            assertNotEquals(before, creds.secret("lab-1").get().value());
            assertEquals(List.of(Set.of("lab-1")), told);

            assertEquals(0, cli(file, "revoke", "lab-1").status());
            assertTrue(creds.reloadIfChanged());
            assertFalse(creds.secret("lab-1").isPresent());
            assertEquals(2, told.size());
            assertFalse(creds.reloadIfChanged(), "reloaded an unchanged file");
        } finally {
            creds.deactivate();
        }
    }

    /** A registry holding a fixed inventory. */
    private record FixedRegistry(List<org.campusedge.api.Device> list) implements org.campusedge.api.DeviceRegistry {
        @Override
        public String schoolId() {
            return "sch";
        }

        @Override
        public java.util.Optional<org.campusedge.api.Device> device(String id) {
            return list.stream().filter(d -> d.id().equals(id)).findFirst();
        }

        @Override
        public java.util.Collection<org.campusedge.api.Device> devices() {
            return list;
        }

        @Override
        public java.util.Optional<org.campusedge.api.Profile> profile(String id) {
            return java.util.Optional.empty();
        }

        @Override
        public java.util.Collection<org.campusedge.api.Profile> profiles() {
            return List.of();
        }

        @Override
        public List<String> loadErrors() {
            return List.of();
        }

        @Override
        public long generation() {
            return 1;
        }

        @Override
        public AutoCloseable addListener(Listener listener) {
            return () -> { };
        }
    }
}
