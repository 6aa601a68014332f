package org.campusedge.camel.broadcast;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.campusedge.api.BroadcastRequest;
import org.campusedge.api.BroadcastResult;
import org.campusedge.api.BroadcastResult.Outcome;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Severity;
import org.campusedge.camel.ingest.IngestHeaders;
import org.campusedge.camel.ingest.IngressCounters;
import org.campusedge.camel.ingest.Text;
import org.campusedge.net.DigestClient;
import org.campusedge.net.DigestLogins;

/**
 * The step of a broadcast controller's command route that talks to the controller's HTTP API
 * (play / stop / zones, see the broadcast simulator for the API), without holding a thread while it
 * waits. It leaves the {@link BroadcastResult} in a header for whoever asked and, as the body, the
 * audit event the route stores next: {@code broadcast.requested} with what was asked, by whom and
 * what the controller said, or {@code broadcast.fault} when the controller could not be reached
 * (a status query only when the controller has just become unreachable, not at every poll). Any
 * answer from the controller counts as it being seen.
 */
public final class BroadcastCommand extends AsyncProcessorSupport {

    /** Header with the controller's {@link BroadcastResult}. */
    public static final String RESULT = "CampusBroadcastResult";
    /** Header with the controller's base URL, from the inventory's address. */
    public static final String ADDRESS = "CampusDeviceAddress";

    private static final JsonFactory JSON = new JsonFactory();

    private final DeviceRegistry registry;
    private final IngressCounters counters;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Boolean> reachableAtLastQuery = new ConcurrentHashMap<>();
    private final DeviceCredentials credentials;
    /** Per controller: the secret its Digest client was made with, and the client (it keeps the controller's nonce). */
    private final DigestLogins logins = new DigestLogins();


    public BroadcastCommand(DeviceRegistry registry, IngressCounters counters, HttpClient http, Duration timeout) {
        this(registry, counters, http, timeout, null);
    }

    /**
     * @param credentials the controllers' credentials: each command carries its controller's (HTTP
     *                    Digest, the controller's id as user name) unless the inventory marks the
     *                    controller {@code security: none}; null sends none
     */
    public BroadcastCommand(DeviceRegistry registry, IngressCounters counters, HttpClient http, Duration timeout,
                            DeviceCredentials credentials) {
        this.registry = registry;
        this.counters = counters;
        this.http = http;
        this.timeout = timeout;
        this.credentials = credentials;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        BroadcastRequest request = exchange.getIn().getBody(BroadcastRequest.class);
        String deviceId = exchange.getIn().getHeader(IngestHeaders.DEVICE_ID, String.class);
        Device controller = registry.device(deviceId).orElse(null);
        if (request == null || controller == null) {
            exchange.setException(new IllegalArgumentException(request == null ? "no BroadcastRequest in the exchange"
                    : "controller " + deviceId + " is not in the inventory"));
            callback.done(true);
            return true;
        }
        URI base = URI.create(exchange.getIn().getHeader(ADDRESS, String.class));
        String body;
        try {
            body = json(request);
        } catch (IOException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        Instant asked = Instant.now();
        DigestClient digest = digestFor(controller);
        // a 401 with a challenge is answered once (the first command to a controller, or a stale nonce)
        DigestClient.exchange(digest, () -> send(base, request, body, digest)).whenComplete((response, failure) -> {
            BroadcastResult result;
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                result = new BroadcastResult(Outcome.UNREACHABLE, null, null, "controller unreachable: " + cause);
            } else {
                counters.seen(controller.id());
                result = result(request, response);
            }
            exchange.getIn().setHeader(RESULT, result);
            // a status query is not a command: it goes on record only when the controller has just become unreachable
            boolean reachable = result.outcome() != Outcome.UNREACHABLE;
            Boolean before = reachableAtLastQuery.put(controller.id(), reachable);
            boolean query = request.action() == BroadcastRequest.Action.STATUS;
            boolean record = !query || (!reachable && !Boolean.FALSE.equals(before));
            exchange.getIn().setBody(record ? List.of(audit(controller, request, result, asked)) : List.of());
            callback.done(false);
        });
        return false;
    }

    private java.util.concurrent.CompletableFuture<HttpResponse<String>> send(URI base, BroadcastRequest r, String body,
                                                                            DigestClient digest) {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(timeout).header("Content-Type", "application/json");
        String path = switch (r.action()) {
            case STATUS -> "/api/v1/zones";
            case STOP -> "/api/v1/stop";
            case PLAY -> "/api/v1/play";
        };
        String method = r.action() == BroadcastRequest.Action.STATUS ? "GET" : "POST";
        URI uri = base.resolve(path);
        b.uri(uri).method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        String authorization = digest == null ? null : digest.authorization(method, uri.getRawPath());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The Digest client for a controller's current secret, or null when its commands carry no credentials. */
    private DigestClient digestFor(Device controller) {
        boolean none = credentials == null || controller.unprotected();
        return logins.of(controller.id(), none ? null
                : credentials.secret(controller.id()).map(DeviceCredentials.Secret::value).orElse(null));
    }

    static String json(BroadcastRequest r) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("zones");
            for (String z : r.zones()) {
                g.writeString(z);
            }
            g.writeEndArray();
            if (r.announcement() != null) {
                g.writeStringField("announcement", r.announcement());
            }
            if (r.text() != null) {
                g.writeStringField("text", r.text());
            }
            g.writeNumberField("priority", r.priority());
            g.writeEndObject();
        }
        return out.toString();
    }

    /** What the controller's answer means; a 4xx/5xx or an answer we cannot read is a refusal with its text. */
    static BroadcastResult result(BroadcastRequest request, HttpResponse<String> response) {
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body();
        if (status == 401 || status == 403) {
            return new BroadcastResult(Outcome.REFUSED, null, null, "the controller did not accept the gateway's credentials (HTTP "
                    + status + "); is the controller set up with its key from the secrets file?");
        }
        if (status >= 300) {
            return new BroadcastResult(Outcome.REFUSED, null, null, "controller answered " + status + ": " + Text.shorten(body, 200));
        }
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new BroadcastResult(Outcome.REFUSED, null, null, "controller answer is not a JSON object");
            }
            String taskId = null;
            List<String> accepted = new ArrayList<>();
            Map<String, String> zones = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "taskId" -> taskId = p.getValueAsString();
                    case "accepted", "stopped" -> {
                        while (t == JsonToken.START_ARRAY && p.nextToken() != JsonToken.END_ARRAY) {
                            accepted.add(p.getValueAsString());
                        }
                    }
                    case "refused" -> readMap(p, t, zones, null);
                    default -> {
                        if (request.action() == BroadcastRequest.Action.STATUS && t == JsonToken.START_OBJECT) {
                            readMap(p, t, zones, field); // a zone: its "state"
                        } else {
                            p.skipChildren();
                        }
                    }
                }
            }
            if (request.action() == BroadcastRequest.Action.PLAY) {
                Outcome o = zones.isEmpty() ? Outcome.ACCEPTED : accepted.isEmpty() ? Outcome.REFUSED : Outcome.PARTIAL;
                return new BroadcastResult(o, taskId, zones, o == Outcome.ACCEPTED ? null
                        : zones.size() + " zone(s) refused: " + Text.shorten(zones.toString(), 200));
            }
            if (request.action() == BroadcastRequest.Action.STOP) {
                accepted.forEach(z -> zones.put(z, "stopped"));
            }
            return new BroadcastResult(Outcome.ACCEPTED, null, zones, null);
        } catch (IOException | RuntimeException e) {
            return new BroadcastResult(Outcome.REFUSED, null, null, "controller answer unreadable: " + Text.shorten(String.valueOf(e.getMessage()), 200));
        }
    }

    /** Reads {"zone":"reason"} into the map, or, with a zone name, {"state":...} into zone -> state. */
    private static void readMap(JsonParser p, JsonToken start, Map<String, String> into, String zone) throws IOException {
        if (start != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken t = p.nextToken();
            if (t.isScalarValue()) {
                if (zone == null) {
                    into.put(key, p.getValueAsString());
                } else if (key.equals("state")) {
                    into.put(zone, p.getValueAsString());
                }
            } else {
                p.skipChildren();
            }
        }
    }

    static CampusEvent audit(Device controller, BroadcastRequest r, BroadcastResult result, Instant asked) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("action", r.action().name().toLowerCase());
        attrs.put("outcome", result.outcome().name().toLowerCase());
        attrs.put("zones", r.zones().isEmpty() ? "*" : String.join(",", r.zones()));
        if (r.announcement() != null) {
            attrs.put("announcement", r.announcement());
        }
        if (r.text() != null) {
            attrs.put("text", Text.shorten(r.text(), 200));
        }
        attrs.put("priority", Integer.toString(r.priority()));
        attrs.put("requestedBy", r.requestedBy() == null ? "" : r.requestedBy());
        String drill = org.campusedge.api.Drill.ofRequester(r.requestedBy());
        if (drill != null) {
            attrs.put(org.campusedge.api.Drill.ATTRIBUTE, drill); // a drill's PA play is on record as the drill's
        }
        if (r.alarm() != null) {
            attrs.put("alarm", r.alarm()); // on the alarm's ledger
        }
        if (result.taskId() != null) {
            attrs.put("taskId", result.taskId());
        }
        if (result.message() != null) {
            attrs.put("reason", Text.shorten(result.message(), 200));
        }
        boolean unreachable = result.outcome() == Outcome.UNREACHABLE;
        return CampusEvent.builder().device(controller)
                .kind(unreachable ? BroadcastFamily.FAULT : BroadcastFamily.REQUESTED)
                .severity(unreachable || result.outcome() == Outcome.REFUSED ? Severity.WARNING
                        : r.priority() >= BroadcastRequest.EMERGENCY ? Severity.NOTICE : Severity.INFO)
                .occurredAt(asked)
                .receivedAt(Instant.now())
                .attributes(attrs)
                .build();
    }

}
