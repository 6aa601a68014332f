package org.campusedge.cloud.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schemas load, accept the examples of CLOUD-MESSAGES.md and refuse what breaks the contract. */
class CloudMessageSchemasTest {

    private static final String SCHOOL = "\"school\":{\"id\":\"sch-1\",\"name\":\"第一中学\",\"nameEn\":null,\"district\":\"锦江区\",\"enrolment\":800}";
    private static final String PERIOD = "\"periodStart\":\"2026-11-23T01:00:00Z\",\"periodEnd\":\"2026-11-23T01:05:00Z\"";

    private static List<String> problems(String type, String data, String extra) {
        return CloudMessageSchemas.problems(("{\"specversion\":\"1.0\",\"id\":\"sch-1/x/1\",\"source\":\"/campus-edge/sch-1\",\"type\":\""
                + type + "\"," + extra + "\"time\":\"2026-11-23T01:05:00Z\",\"datacontenttype\":\"application/json\",\"school\":\"sch-1\","
                + "\"data\":" + data + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theDocumentedExamplesFit() {
        assertEquals(List.of(), problems("org.campusedge.summary.energy.v1", "{" + PERIOD + "," + SCHOOL
                + ",\"buildings\":[{\"building\":\"科学楼\",\"kwh\":12.5,\"peakKw\":40.1,\"meters\":4}],\"totalKwh\":12.5}", ""));
        assertEquals(List.of(), problems("org.campusedge.summary.alarms.v1", "{" + PERIOD + "," + SCHOOL
                + ",\"raised\":[{\"rule\":\"night-intrusion\",\"severity\":\"CRITICAL\",\"count\":2}],\"cleared\":[],"
                + "\"open\":[{\"rule\":\"night-intrusion\",\"severity\":\"CRITICAL\",\"count\":1,\"oldestSince\":\"2026-11-23T01:02:03Z\"}],"
                + "\"drillAlarmsRaised\":0,\"trail\":{\"seq\":1042,\"hash\":\"" + "9f".repeat(32) + "\"}}", ""));
        assertEquals(List.of(), problems("org.campusedge.alarm.v1", "{\"alarmId\":\"al-1\",\"state\":\"raised\",\"rule\":\"night-intrusion\","
                + "\"severity\":\"CRITICAL\",\"kind\":\"camera.intrusion\",\"deviceId\":\"cam-gate-1\",\"building\":\"校门\",\"message\":\"…\","
                + "\"raisedAt\":\"2026-11-23T01:02:03Z\",\"byRole\":null,\"trigger\":\"ev-1\",\"hops\":{\"occurred\":\"2026-11-23T01:02:03Z\"},"
                + "\"drill\":null,\"duringDrill\":null}", "\"subject\":\"cam-gate-1\","));
    }

    @Test
    void whatBreaksTheContractIsFound() {
        String lab = "{" + PERIOD + "," + SCHOOL + ",\"readings\":5230,\"activeKits\":9,\"recordings\":2}";
        assertEquals(List.of(), problems("org.campusedge.summary.lab.v1", lab, ""));
        // a field nobody documented, a count below zero, a time that is none, a person's login on an alarm, an unknown type
        assertFalse(problems("org.campusedge.summary.lab.v1", lab.replace("\"recordings\":2", "\"recordings\":2,\"teacher\":\"li\""), "").isEmpty());
        assertFalse(problems("org.campusedge.summary.lab.v1", lab.replace("5230", "-1"), "").isEmpty());
        assertFalse(problems("org.campusedge.summary.lab.v1", lab.replace("2026-11-23T01:00:00Z", "yesterday"), "").isEmpty());
        List<String> person = problems("org.campusedge.alarm.v1", "{\"alarmId\":\"al-1\",\"state\":\"acknowledged\",\"rule\":\"r\","
                + "\"severity\":\"CRITICAL\",\"kind\":null,\"deviceId\":null,\"building\":null,\"message\":null,\"raisedAt\":null,"
                + "\"byRole\":\"security\",\"by\":\"guard-wang\"}", "");
        assertTrue(person.toString().contains("by"), person.toString());
        assertFalse(problems("org.campusedge.summary.unknown.v1", "{}", "").isEmpty());
        assertFalse(CloudMessageSchemas.problems("{".getBytes(StandardCharsets.UTF_8)).isEmpty());
    }
}
