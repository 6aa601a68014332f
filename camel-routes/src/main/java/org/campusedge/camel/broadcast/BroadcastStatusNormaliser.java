package org.campusedge.camel.broadcast;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
import org.campusedge.camel.ingest.Text;

/**
 * Turns a broadcast controller's status report ({@code {"event":"played"|"fault", "taskId",
 * "zone", "reason", "time"}}) into {@code broadcast.played} or {@code broadcast.fault} (a zone
 * offline, an amplifier fault). The id comes from the controller, event, task, zone and time, so a
 * report sent twice is stored once.
 */
public final class BroadcastStatusNormaliser implements Processor {

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(1024).build()).build();

    private final DeviceRegistry registry;

    public BroadcastStatusNormaliser(DeviceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void process(Exchange exchange) {
        String deviceId = exchange.getIn().getHeader(IngestHeaders.DEVICE_ID, String.class);
        Device controller = registry.device(deviceId).orElseThrow(() ->
                new RejectedInputException(Reason.UNKNOWN_DEVICE, "controller '" + deviceId + "' is not in the inventory"));
        String type = exchange.getIn().getHeader(IngestHeaders.CONTENT_TYPE, String.class);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new RejectedInputException(Reason.UNSUPPORTED, "content type '" + Text.shorten(String.valueOf(type), 80)
                    + "' is not application/json");
        }
        exchange.getIn().setBody(List.of(event(controller, exchange.getIn().getBody(byte[].class), Instant.now())));
    }

    CampusEvent event(Device controller, byte[] body, Instant now) {
        Map<String, String> f = fields(body);
        String event = f.get("event");
        if (!"played".equals(event) && !"fault".equals(event)) {
            throw new RejectedInputException(Reason.MALFORMED, "event must be \"played\" or \"fault\", got "
                    + (event == null ? "nothing" : "'" + Text.shorten(flat(event), 120) + "'"));
        }
        String zone = f.get("zone");
        if (zone == null || zone.isBlank()) {
            throw new RejectedInputException(Reason.MALFORMED, "zone is missing");
        }
        Instant time;
        try {
            time = f.containsKey("time") ? Instant.parse(f.get("time")) : now;
        } catch (DateTimeParseException e) {
            throw new RejectedInputException(Reason.MALFORMED, "time '" + Text.shorten(flat(f.get("time")), 120) + "' is not an ISO-8601 instant");
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("zone", Text.shorten(flat(zone), 120));
        if (f.get("taskId") != null) {
            attrs.put("taskId", Text.shorten(flat(f.get("taskId")), 120));
        }
        if (f.get("reason") != null) {
            attrs.put("reason", Text.shorten(flat(f.get("reason")), 120));
        }
        boolean fault = event.equals("fault");
        return CampusEvent.builder()
                .id(EventIds.forKey(time.toEpochMilli(), controller.id() + "|" + event + "|" + f.get("taskId") + "|" + zone
                        + "|" + time.toEpochMilli()))
                .device(controller)
                .kind(fault ? BroadcastFamily.FAULT : BroadcastFamily.PLAYED)
                .severity(fault ? Severity.WARNING : Severity.INFO)
                .occurredAt(time)
                .receivedAt(now)
                .attributes(attrs)
                .build();
    }

    private static Map<String, String> fields(byte[] body) {
        if (body == null || body.length == 0) {
            throw new RejectedInputException(Reason.MALFORMED, "empty body; expected a JSON status report");
        }
        Map<String, String> f = new HashMap<>();
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RejectedInputException(Reason.MALFORMED, "status report must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.VALUE_STRING) {
                    f.put(name, p.getText());
                } else if (t.isScalarValue() && t != JsonToken.VALUE_NULL) {
                    throw new RejectedInputException(Reason.MALFORMED, name + " must be a string");
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new RejectedInputException(Reason.MALFORMED, "status report is not one JSON object");
            }
        } catch (IOException e) {
            throw new RejectedInputException(Reason.MALFORMED, "not valid JSON: " + Text.shorten(flat(String.valueOf(e.getMessage())), 120));
        }
        return f;
    }


    private static String flat(String s) {
        return s == null ? null : s.replace('\n', ' ');
    }
}
