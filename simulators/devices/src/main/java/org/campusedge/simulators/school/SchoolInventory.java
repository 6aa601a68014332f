package org.campusedge.simulators.school;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The devices of a school inventory file that the simulators play, by family. */
public record SchoolInventory(String schoolId, String schoolName, List<String> labSensors) {

    /** Reads {@code device-profiles/schools/*.yaml}; lab sensors are the devices of a {@code lab-*} profile. */
    public static SchoolInventory read(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        List<String> lab = new ArrayList<>();
        for (JsonNode d : root.path("devices")) {
            if (d.path("profile").asText().startsWith("lab-")) {
                lab.add(d.path("id").asText());
            }
        }
        return new SchoolInventory(root.path("school").path("id").asText(), root.path("school").path("name").asText(), lab);
    }
}
