package org.campusedge.city;

/**
 * A row of the {@code messages} table.
 *
 * @param school       the school
 * @param id           the CloudEvent id
 * @param type         the CloudEvent type
 * @param device       the Hono device the message came from (the gateway or the device of an alarm)
 * @param timeMs       the CloudEvent time, or null
 * @param receivedAtMs when the row was written
 * @param payload      the CloudEvent as received
 */
public record StoredMessage(String school, String id, String type, String device, Long timeMs, long receivedAtMs,
                            String payload) {
}
