package org.campusedge.city;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** CloudEvents as CLOUD-MESSAGES.md describes them, for the tests. */
final class Events {

    static final String CE = "application/cloudevents+json";

    private Events() {
    }

    static String event(String id, String type, String school, String subject, Instant time, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/campus-edge/" + school + "\",\"type\":\""
                + type + "\"," + (subject == null ? "" : "\"subject\":\"" + subject + "\",") + "\"time\":\"" + time
                + "\",\"datacontenttype\":\"application/json\",\"school\":\"" + school + "\",\"data\":" + data + "}";
    }

    static String schoolInfo(String school, Integer enrolment) {
        return "\"school\":{\"id\":\"" + school + "\",\"name\":\"第" + school + "中学\",\"district\":\"锦江区\",\"enrolment\":"
                + enrolment + "}";
    }

    static String period(Instant start) {
        return "\"periodStart\":\"" + start + "\",\"periodEnd\":\"" + start.plusSeconds(300) + "\"";
    }

    static String summaryId(String school, String suffix, Instant start) {
        return school + "/" + suffix + "/" + start.getEpochSecond();
    }

    static String energy(String school, Instant start, double kwh, Integer enrolment) {
        return event(summaryId(school, "energy", start), CloudEvent.ENERGY, school, null, start.plusSeconds(300),
                "{" + period(start) + "," + schoolInfo(school, enrolment) + ",\"buildings\":[{\"building\":\"科学楼 Science Building\","
                        + "\"kwh\":" + kwh + ",\"peakKw\":40.1,\"meters\":4},{\"building\":\"Library\",\"kwh\":1.5,\"peakKw\":null,"
                        + "\"meters\":1}],\"totalKwh\":" + (kwh + 1.5) + "}");
    }

    static String alarms(String school, Instant start) {
        return event(summaryId(school, "alarms", start), CloudEvent.ALARMS, school, null, start.plusSeconds(300),
                "{" + period(start) + "," + schoolInfo(school, 800) + ","
                        + "\"raised\":[{\"rule\":\"camera.intrusion\",\"severity\":\"CRITICAL\",\"count\":2}],"
                        + "\"cleared\":[{\"rule\":\"camera.intrusion\",\"severity\":\"CRITICAL\",\"count\":1}],"
                        + "\"open\":[{\"rule\":\"camera.intrusion\",\"severity\":\"CRITICAL\",\"count\":1,\"oldestSince\":\"" + start + "\"},"
                        + "{\"rule\":\"meter.offline\",\"severity\":\"WARNING\",\"count\":3,\"oldestSince\":\"" + start + "\"}],"
                        + "\"drillAlarmsRaised\":0}");
    }

    static String health(String school, Instant start, int cameraOnline, int cameraOffline) {
        return event(summaryId(school, "health", start), CloudEvent.HEALTH, school, null, start.plusSeconds(300),
                "{" + period(start) + "," + schoolInfo(school, 800) + ",\"families\":[{\"family\":\"camera\",\"online\":"
                        + cameraOnline + ",\"offline\":" + cameraOffline + "},{\"family\":\"meter\",\"online\":12,\"offline\":0}],"
                        + "\"offline\":[\"cam-gate-2\"]}");
    }

    static String attendance(String school, Instant start) {
        return event(summaryId(school, "attendance", start), CloudEvent.ATTENDANCE, school, null, start.plusSeconds(300),
                "{" + period(start) + "," + schoolInfo(school, 800) + ",\"gates\":[{\"gate\":\"card-gate-east\",\"in\":412,\"out\":3},"
                        + "{\"gate\":\"card-gate-west\",\"in\":20,\"out\":1}],\"in\":432,\"out\":4,\"denied\":1}");
    }

    static String lab(String school, Instant start) {
        return event(summaryId(school, "lab", start), CloudEvent.LAB, school, null, start.plusSeconds(300),
                "{" + period(start) + "," + schoolInfo(school, 800) + ",\"readings\":5230,\"activeKits\":9,\"recordings\":2}");
    }

    /** An alarm transition as this release's gateways send it: the role that changed it, no person. */
    static String alarm(String school, String eventId, String alarmId, String state, Instant raisedAt, Instant at, String byRole) {
        // a raise carries the event that raised it and its hops so far, as the gateway sends it
        String raise = state.equals("raised") ? ",\"trigger\":\"ev-" + alarmId + "\",\"hops\":{\"occurred\":\"" + raisedAt
                + "\",\"raised\":\"" + raisedAt + "\"}" : "";
        return alarmWith(school, eventId, alarmId, state, raisedAt, at, "\"byRole\":" + (byRole == null ? "null" : "\"" + byRole + "\"") + raise);
    }

    /** As gateways before roles-not-people sent it: the staff login and their note. */
    static String olderAlarm(String school, String eventId, String alarmId, String state, Instant raisedAt, Instant at, String by, String note) {
        return alarmWith(school, eventId, alarmId, state, raisedAt, at, "\"by\":\"" + by + "\",\"note\":\"" + note + "\"");
    }

    private static String alarmWith(String school, String eventId, String alarmId, String state, Instant raisedAt, Instant at, String who) {
        return event(eventId, CloudEvent.ALARM, school, "cam-gate-1", at,
                "{\"alarmId\":\"" + alarmId + "\",\"state\":\"" + state + "\",\"rule\":\"night-intrusion\",\"severity\":\"CRITICAL\","
                        + "\"kind\":\"camera.intrusion\",\"deviceId\":\"cam-gate-1\",\"building\":\"校门 Main Gate\","
                        + "\"message\":\"person at the gate\",\"raisedAt\":\"" + raisedAt + "\"," + who + "}");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
