package org.campusedge.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.DeviceRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDeviceRegistryTest {

    @TempDir
    Path dir;
    private TestFiles files;
    private final List<FileDeviceRegistry> started = new ArrayList<>();

    @BeforeEach
    void setUp() {
        files = new TestFiles(dir);
    }

    @AfterEach
    void tearDown() {
        started.forEach(FileDeviceRegistry::deactivate);
    }

    private FileDeviceRegistry start(int reloadSeconds) {
        FileDeviceRegistry r = new FileDeviceRegistry(config(files.profiles, files.inventory, reloadSeconds));
        started.add(r);
        return r;
    }

    static FileDeviceRegistry.Config config(Path profiles, Path inventory, int reloadSeconds) {
        return new FileDeviceRegistry.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return FileDeviceRegistry.Config.class;
            }

            @Override
            public String profilesDir() {
                return profiles.toString();
            }

            @Override
            public String inventoryFile() {
                return inventory.toString();
            }

            @Override
            public int reloadIntervalSeconds() {
                return reloadSeconds;
            }
        };
    }

    @Test
    void activatesWithTheFilesInForce() {
        FileDeviceRegistry r = start(60);

        assertEquals(1, r.generation());
        assertEquals(List.of(), r.loadErrors());
        assertEquals("sch-test", r.schoolId());
        assertEquals(3, r.devices().size());
        assertEquals(2, r.profiles().size());
        assertEquals("lab", r.device("lab-chem-1-s1").orElseThrow().family());
        assertTrue(r.profile("cam").isPresent());
        assertTrue(r.device("nope").isEmpty());
    }

    @Test
    void badFirstLoadActivatesEmptyAndSaysWhy() {
        files.inventory(TestFiles.INVENTORY.replace("profile: cam", "profile: nope"));
        FileDeviceRegistry r = start(60);

        assertEquals(0, r.generation());
        assertEquals("", r.schoolId());
        assertTrue(r.devices().isEmpty());
        assertTrue(r.profiles().isEmpty());
        assertEquals(List.of("schools/test-school.yaml: /devices/2/profile: unknown profile 'nope'"), r.loadErrors());

        files.inventory(TestFiles.INVENTORY);
        assertTrue(r.reloadIfChanged());
        assertEquals(1, r.generation());
        assertEquals(List.of(), r.loadErrors());
        assertEquals(3, r.devices().size());
    }

    @Test
    void badReloadKeepsTheLastGoodVersion() {
        FileDeviceRegistry r = start(60);
        List<Long> notified = new CopyOnWriteArrayList<>();
        r.addListener(reg -> notified.add(reg.generation()));

        files.inventory(TestFiles.INVENTORY.replace("id: cam-gate-1", "id: lab-chem-1-s1"));
        assertTrue(r.reloadIfChanged());

        assertEquals(1, r.generation());
        assertEquals(3, r.devices().size(), "the last good inventory stays in force");
        assertTrue(r.device("cam-gate-1").isPresent());
        assertEquals(List.of("schools/test-school.yaml: /devices/2/id: duplicate device id 'lab-chem-1-s1', already at /devices/0/id"),
                r.loadErrors());
        assertEquals(List.of(), notified, "a failed reload tells no listener");

        assertFalse(r.reloadIfChanged(), "nothing changed since the failed load");
    }

    @Test
    void goodReloadOnChangeBumpsGenerationAndNotifiesListeners() throws Exception {
        FileDeviceRegistry r = start(1);
        CountDownLatch reloaded = new CountDownLatch(1);
        List<DeviceRegistry> seen = new CopyOnWriteArrayList<>();
        r.addListener(reg -> {
            seen.add(reg);
            reloaded.countDown();
        });
        // a listener that throws must not keep the others from hearing, nor stop the reloads
        r.addListener(reg -> {
            throw new IllegalStateException("listener bug");
        });

        files.inventory(TestFiles.INVENTORY.replace("  - id: cam-gate-1\n    profile: cam\n    location: {building: Gate}\n", ""));

        assertTrue(reloaded.await(10, TimeUnit.SECONDS), "the poller picked up the change");
        assertEquals(2, r.generation());
        assertEquals(List.of(r), seen);
        assertEquals(2, r.devices().size());
        assertTrue(r.device("cam-gate-1").isEmpty());
        assertEquals(List.of(), r.loadErrors());
    }

    @Test
    void addedAndRemovedProfileFilesCount() throws Exception {
        FileDeviceRegistry r = start(60);

        files.profile("extra.yaml", TestFiles.PROFILE_2.replace("id: cam", "id: extra"));
        assertTrue(r.reloadIfChanged());
        assertEquals(2, r.generation());
        assertTrue(r.profile("extra").isPresent());

        Files.delete(files.profiles.resolve("extra.yaml"));
        assertTrue(r.reloadIfChanged());
        assertEquals(3, r.generation());
        assertTrue(r.profile("extra").isEmpty());
    }

    @Test
    void closedListenerHearsNothing() throws Exception {
        FileDeviceRegistry r = start(60);
        List<Long> notified = new CopyOnWriteArrayList<>();
        AutoCloseable handle = r.addListener(reg -> notified.add(reg.generation()));

        r.reload();
        handle.close();
        r.reload();

        assertEquals(List.of(2L), notified);
        assertEquals(3, r.generation());
    }

    @Test
    void missingSettingFailsActivationWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FileDeviceRegistry(config(files.profiles, Path.of(" "), 5)));
        assertTrue(e.getMessage().contains("inventoryFile"), e.getMessage());
    }
}
