package org.campusedge.camel.camera;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventIds;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;
import org.campusedge.api.Severity;
import org.campusedge.camel.ingest.IngestHeaders;

/**
 * Turns a camera's alarm notification into a {@code camera.*} event:
 * motion detection ({@code VMD}) is {@code camera.motion}; line crossing, field (region) intrusion
 * and region entrance/exit are {@code camera.intrusion}; cover-up ({@code shelteralarm}), tamper
 * and an active video loss are {@code camera.tamper}; any other type is kept as
 * {@code camera.alert} with its type, never dropped. Heartbeats ({@code heartBeat}, and the
 * inactive {@code videoloss} that Hikvision-style cameras repeat as a keep-alive) store nothing but
 * keep the camera online.
 *
 * <p>The id comes from the camera, the alarm's time, type, state, channel and post count, so a
 * notification the camera re-sends after a lost answer is stored once.
 */
public final class CameraNormaliser implements Processor {

    private final DeviceRegistry registry;
    private final IsapiAlertParser parser;
    private final ZoneId schoolZone;

    public CameraNormaliser(DeviceRegistry registry, IsapiAlertParser parser, ZoneId schoolZone) {
        this.registry = registry;
        this.parser = parser;
        this.schoolZone = schoolZone;
    }

    @Override
    public void process(Exchange exchange) {
        String deviceId = exchange.getIn().getHeader(IngestHeaders.DEVICE_ID, String.class);
        Device camera = registry.device(deviceId).orElseThrow(() ->
                new RejectedInputException(Reason.UNKNOWN_DEVICE, "camera '" + deviceId + "' is not in the inventory"));
        CameraAlert alert = parser.parse(exchange.getIn().getBody(byte[].class),
                exchange.getIn().getHeader(IngestHeaders.CONTENT_TYPE, String.class));
        CampusEvent event = event(camera, alert, Instant.now());
        exchange.getIn().setBody(event == null ? List.of() : List.of(event));
    }

    /** The event for an alert, or null for a heartbeat. */
    CampusEvent event(Device camera, CameraAlert a, Instant now) {
        String type = a.eventType().toLowerCase(Locale.ROOT);
        boolean active = a.eventState().equals("active");
        if (type.equals("heartbeat") || (type.equals("videoloss") && !active)) {
            return null;
        }
        String kind = switch (type) {
            case "vmd", "motion", "motiondetection" -> CameraFamily.MOTION;
            case "linedetection", "fielddetection", "regionentrance", "regionexiting", "intrusion" -> CameraFamily.INTRUSION;
            case "shelteralarm", "tamperdetection", "videoloss", "videotampering" -> CameraFamily.TAMPER;
            default -> CameraFamily.ALERT;
        };
        Severity severity = !active ? Severity.INFO : switch (kind) {
            case CameraFamily.INTRUSION, CameraFamily.TAMPER -> Severity.WARNING;
            case CameraFamily.MOTION -> Severity.NOTICE;
            default -> Severity.INFO;
        };
        Instant occurred = time(a.dateTime(), now);
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("eventType", a.eventType());
        attrs.put("state", a.eventState());
        put(attrs, "channel", a.channelId());
        put(attrs, "region", a.regionId());
        put(attrs, "snapshotUrl", a.snapshotUrl());
        put(attrs, "description", a.description());
        String key = camera.id() + "|" + a.eventType() + "|" + a.eventState() + "|" + a.channelId() + "|" + a.regionId()
                + "|" + a.activePostCount() + "|" + occurred.toEpochMilli();
        return CampusEvent.builder()
                .id(EventIds.forKey(occurred.toEpochMilli(), key))
                .device(camera)
                .kind(kind)
                .severity(severity)
                .occurredAt(occurred)
                .receivedAt(now)
                .attributes(attrs)
                .build();
    }

    private static void put(Map<String, String> attrs, String name, String value) {
        if (value != null && !value.isEmpty()) {
            attrs.put(name, value.length() > 512 ? value.substring(0, 512) : value);
        }
    }

    /** The camera's time: with its offset when it gives one, else in the school's zone; the gateway's when absent. */
    private Instant time(String dateTime, Instant now) {
        if (dateTime == null || dateTime.isEmpty()) {
            return now;
        }
        try {
            return OffsetDateTime.parse(dateTime).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(dateTime).atZone(schoolZone).toInstant();
            } catch (DateTimeParseException e2) {
                throw new RejectedInputException(Reason.MALFORMED, "dateTime '" + (dateTime.length() > 40
                        ? dateTime.substring(0, 40) + "..." : dateTime) + "' is not ISO-8601");
            }
        }
    }
}
