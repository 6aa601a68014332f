package org.campusedge.registry.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small data root (profiles/ and schools/) in a temp directory, for the loader and registry tests. */
final class TestFiles {

    static final String PROFILE = """
            id: lab-kit
            family: lab
            protocol: coap-senml
            description: test kit
            offlineAfter: PT2M
            points:
              - name: temperature
                unit: Cel
                type: number
                min: -40
                max: 135
              - name: ph
                unit: pH
                type: number
                min: 0
                max: 14
              - name: lid
                type: boolean
            events: [lab.reading]
            """;

    static final String PROFILE_2 = """
            id: cam
            family: camera
            protocol: http-isapi
            events: [camera.intrusion, camera.tamper]
            """;

    static final String INVENTORY = """
            school:
              id: sch-test
              name: 测试中学
              nameEn: Test Middle School
              district: 测试区
              enrolment: 1200
            devices:
              - id: lab-chem-1-s1
                profile: lab-kit
                location: {building: 科学楼 Science Building, floor: 3, room: "301", zone: bench-1}
                address: coap://10.0.0.11:5683
                properties: {bench: 1, calibrated: true, note: ok}
              - id: lab-chem-1-s2
                profile: lab-kit
                location: {building: 科学楼 Science Building, floor: "3F", room: 301}
              - id: cam-gate-1
                profile: cam
                location: {building: Gate}
            """;

    final Path root;
    final Path profiles;
    final Path inventory;

    TestFiles(Path root) {
        this.root = root;
        this.profiles = root.resolve("profiles");
        this.inventory = root.resolve("schools").resolve("test-school.yaml");
        try {
            Files.createDirectories(profiles);
            Files.createDirectories(inventory.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        profile("lab-kit.yaml", PROFILE);
        profile("cam.yml", PROFILE_2);
        inventory(INVENTORY);
    }

    TestFiles profile(String name, String text) {
        write(profiles.resolve(name), text);
        return this;
    }

    TestFiles inventory(String text) {
        write(inventory, text);
        return this;
    }

    /** Writes and moves the modification time on, so a poll sees the change even within one clock tick. */
    static void write(Path file, String text) {
        try {
            boolean existed = Files.exists(file);
            var before = existed ? Files.getLastModifiedTime(file).toMillis() : 0L;
            Files.writeString(file, text, StandardCharsets.UTF_8);
            if (existed) {
                Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                        Math.max(before + 1000, System.currentTimeMillis())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
