package org.campusedge.camel.camera;

/**
 * The fields of one ISAPI {@code EventNotificationAlert} the gateway uses, whichever encoding it
 * came in. Strings are as the camera sent them (trimmed); absent fields are null.
 *
 * @param eventType       e.g. {@code VMD}, {@code linedetection}, {@code fielddetection}, {@code shelteralarm}
 * @param eventState      {@code active} or {@code inactive}
 * @param dateTime        ISO-8601 with or without an offset
 * @param activePostCount how many times the camera has posted this alarm; a re-sent post repeats it
 */
public record CameraAlert(String eventType, String eventState, String dateTime, String channelId, String regionId,
                          String activePostCount, String ipAddress, String macAddress, String description,
                          String snapshotUrl) {
}
