package org.campusedge.simulators.camera;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * ISAPI {@code EventNotificationAlert} documents as Hikvision-style cameras post them to an alarm
 * host, in the XML (ver20 namespace) and JSON encodings.
 */
public final class AlertDocuments {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    /** One alert's content. */
    public record Alert(String eventType, boolean active, int channel, Integer region, OffsetDateTime time,
                        int postCount, String ip, String snapshotUrl, String description) {
    }

    private AlertDocuments() {
    }

    public static String xml(Alert a) {
        StringBuilder b = new StringBuilder(600);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">\n")
                .append("<ipAddress>").append(a.ip()).append("</ipAddress>\n")
                .append("<portNo>80</portNo>\n<protocol>HTTP</protocol>\n")
                .append("<macAddress>44:19:b6:00:00:01</macAddress>\n")
                .append("<channelID>").append(a.channel()).append("</channelID>\n")
                .append("<dateTime>").append(TIME.format(a.time())).append("</dateTime>\n")
                .append("<activePostCount>").append(a.postCount()).append("</activePostCount>\n")
                .append("<eventType>").append(a.eventType()).append("</eventType>\n")
                .append("<eventState>").append(a.active() ? "active" : "inactive").append("</eventState>\n")
                .append("<eventDescription>").append(a.description()).append("</eventDescription>\n");
        if (a.region() != null) {
            b.append("<DetectionRegionList>\n<DetectionRegionEntry>\n<regionID>").append(a.region())
                    .append("</regionID>\n<sensitivityLevel>50</sensitivityLevel>\n</DetectionRegionEntry>\n</DetectionRegionList>\n");
        }
        if (a.snapshotUrl() != null) {
            b.append("<bkgUrl>").append(a.snapshotUrl()).append("</bkgUrl>\n");
        }
        return b.append("</EventNotificationAlert>\n").toString();
    }

    public static String json(Alert a) {
        StringBuilder b = new StringBuilder(400);
        b.append("{\"ipAddress\":\"").append(a.ip()).append("\",\"portNo\":80,\"protocol\":\"HTTP\",")
                .append("\"macAddress\":\"44:19:b6:00:00:01\",\"channelID\":").append(a.channel())
                .append(",\"dateTime\":\"").append(TIME.format(a.time())).append("\",\"activePostCount\":")
                .append(a.postCount()).append(",\"eventType\":\"").append(a.eventType())
                .append("\",\"eventState\":\"").append(a.active() ? "active" : "inactive")
                .append("\",\"eventDescription\":\"").append(a.description()).append('"');
        if (a.region() != null) {
            b.append(",\"DetectionRegionList\":[{\"regionID\":").append(a.region()).append(",\"sensitivityLevel\":50}]");
        }
        if (a.snapshotUrl() != null) {
            b.append(",\"bkgUrl\":\"").append(a.snapshotUrl()).append('"');
        }
        return b.append('}').toString();
    }
}
