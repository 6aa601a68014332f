package org.campusedge.hono.internal;

import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * CloudEvents 1.0 in JSON structured mode, as cloud-bridge/CLOUD-MESSAGES.md describes them (and
 * cloud-bridge/schemas/ checks): the envelope every message to the city is wrapped in, made and
 * written by the CloudEvents Java SDK.
 */
final class CloudEvents {

    static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE;
    static final String SUMMARY = "org.campusedge.summary.";
    static final String ALARM = "org.campusedge.alarm.v1";
    /** The school, as an extension attribute besides {@code source}. */
    static final String SCHOOL = "school";

    private static final JsonFormat FORMAT = new JsonFormat();

    private CloudEvents() {
    }

    /**
     * @param id      the de-duplication key (the same on every re-send)
     * @param subject the device the event is about, or null
     * @param time    when it happened, or the end of a summary's period
     * @param data    the message's own fields (a JSON object)
     */
    static byte[] envelope(String id, String school, String type, String subject, Instant time, Map<String, Object> data) {
        CloudEventBuilder e = CloudEventBuilder.v1()
                .withId(id)
                .withSource(URI.create("/campus-edge/" + school))
                .withType(type)
                .withTime(time.atOffset(ZoneOffset.UTC))
                .withExtension(SCHOOL, school)
                .withData("application/json", Json.write(data));
        if (subject != null) {
            e.withSubject(subject);
        }
        return FORMAT.serialize(e.build());
    }
}
