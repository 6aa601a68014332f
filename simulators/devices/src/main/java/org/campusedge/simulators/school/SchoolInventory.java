package org.campusedge.simulators.school;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.campusedge.simulators.card.CardReaderSimulator;

/** The devices of a school inventory file that the simulators play, by family. */
public record SchoolInventory(String schoolId, String schoolName, int enrolment, List<String> labSensors,
                              List<CardReaderSimulator.Placement> cardReaders) {

    /** Reads {@code device-profiles/schools/*.yaml}; lab sensors are the devices of a {@code lab-*} profile. */
    public static SchoolInventory read(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        List<String> lab = new ArrayList<>();
        List<CardReaderSimulator.Placement> cards = new ArrayList<>();
        for (JsonNode d : root.path("devices")) {
            String profile = d.path("profile").asText();
            if (profile.startsWith("lab-")) {
                lab.add(d.path("id").asText());
            } else if (profile.startsWith("card-")) {
                cards.add(new CardReaderSimulator.Placement(d.path("id").asText(),
                        d.path("properties").path("place").asText("gate")));
            }
        }
        JsonNode school = root.path("school");
        return new SchoolInventory(school.path("id").asText(), school.path("name").asText(),
                school.path("enrolment").asInt(1000), lab, cards);
    }
}
