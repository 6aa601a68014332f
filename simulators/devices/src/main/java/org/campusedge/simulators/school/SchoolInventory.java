package org.campusedge.simulators.school;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.campusedge.simulators.camera.CameraSimulator;
import org.campusedge.simulators.card.CardReaderSimulator;

/**
 * The devices of a school inventory file that the simulators play, by family (from each device's
 * profile); lab sensors split into those that post and those the gateway observes.
 */
public record SchoolInventory(String schoolId, String schoolName, int enrolment, List<String> labSensors,
                              List<String> observedLabSensors,
                              List<CardReaderSimulator.Placement> cardReaders, List<CameraSimulator.Placement> cameras,
                              List<String> meters, List<String> controllers, List<String> recorders) {

    /** Reads {@code device-profiles/schools/*.yaml}: a device of a {@code lab-*} profile is a lab sensor, and so on. */
    public static SchoolInventory read(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        List<String> lab = new ArrayList<>();
        List<String> observed = new ArrayList<>();
        List<CardReaderSimulator.Placement> cards = new ArrayList<>();
        List<CameraSimulator.Placement> cameras = new ArrayList<>();
        List<String> meters = new ArrayList<>();
        List<String> controllers = new ArrayList<>();
        List<String> recorders = new ArrayList<>();
        for (JsonNode d : root.path("devices")) {
            String profile = d.path("profile").asText();
            String id = d.path("id").asText();
            String place = d.path("properties").path("place").asText("");
            if (profile.startsWith("lab-")) {
                (d.path("properties").path("mode").asText("push").equals("observe") ? observed : lab).add(id);
            } else if (profile.startsWith("card-")) {
                cards.add(new CardReaderSimulator.Placement(id, place.isEmpty() ? "gate" : place));
            } else if (profile.startsWith("camera-")) {
                cameras.add(new CameraSimulator.Placement(id, place.isEmpty() ? "corridor" : place));
            } else if (profile.startsWith("energy-")) {
                meters.add(id);
            } else if (profile.startsWith("broadcast-")) {
                controllers.add(id);
            } else if (profile.startsWith("nvr-")) {
                recorders.add(id);
            }
        }
        JsonNode school = root.path("school");
        return new SchoolInventory(school.path("id").asText(), school.path("name").asText(),
                school.path("enrolment").asInt(1000), lab, observed, cards, cameras, meters, controllers, recorders);
    }
}
