package org.campusedge.city;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One CloudEvent as a school gateway sends it (structured mode, see CLOUD-MESSAGES.md).
 *
 * @param id      the de-duplication key
 * @param type    e.g. {@code org.campusedge.summary.energy.v1}
 * @param school  the school id (the {@code school} extension, else the tail of {@code source})
 * @param subject the device id of an alarm, or null
 * @param timeMs  the {@code time} attribute in epoch milliseconds, or null when absent
 * @param data    the {@code data} object (never null, possibly empty)
 * @param json    the whole event as received
 */
record CloudEvent(String id, String type, String school, String subject, Long timeMs, JsonNode data, String json) {

    static final String ENERGY = "org.campusedge.summary.energy.v1";
    static final String ALARMS = "org.campusedge.summary.alarms.v1";
    static final String HEALTH = "org.campusedge.summary.health.v1";
    static final String ATTENDANCE = "org.campusedge.summary.attendance.v1";
    static final String LAB = "org.campusedge.summary.lab.v1";
    static final String ALARM = "org.campusedge.alarm.v1";
}
