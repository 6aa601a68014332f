package org.campusedge.hono.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CloudEvents 1.0 in JSON structured mode, as cloud-bridge/CLOUD-MESSAGES.md describes them: the
 * envelope every message to the city is wrapped in.
 */
final class CloudEvents {

    static final String CONTENT_TYPE = "application/cloudevents+json";
    static final String SUMMARY = "org.campusedge.summary.";
    static final String ALARM = "org.campusedge.alarm.v1";

    private CloudEvents() {
    }

    /**
     * @param id      the de-duplication key (the same on every re-send)
     * @param subject the device the event is about, or null
     * @param time    when it happened, or the end of a summary's period
     */
    static byte[] envelope(String id, String school, String type, String subject, Instant time, Map<String, Object> data) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("specversion", "1.0");
        e.put("id", id);
        e.put("source", "/campus-edge/" + school);
        e.put("type", type);
        if (subject != null) {
            e.put("subject", subject);
        }
        e.put("time", Json.time(time));
        e.put("datacontenttype", "application/json");
        e.put("school", school);
        e.put("data", data);
        return Json.write(e);
    }
}
