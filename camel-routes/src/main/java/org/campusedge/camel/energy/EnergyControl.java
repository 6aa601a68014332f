package org.campusedge.camel.energy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.ControlRequest;
import org.campusedge.api.ControlResult;
import org.campusedge.api.ControlResult.Outcome;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Point;
import org.campusedge.api.Profile;
import org.campusedge.api.Severity;
import org.campusedge.camel.ingest.Text;

/**
 * The step of a meter's command route that writes a control point (breaker, relay) over the
 * meter's OPC UA session. It leaves the {@link ControlResult} in a header for whoever asked and, as
 * the body, the audit event the route stores next: {@code energy.control} with the point, value,
 * who asked and the server's status.
 */
public final class EnergyControl extends AsyncProcessorSupport {

    /** Header with the {@link ControlResult}. */
    public static final String RESULT = "CampusControlResult";

    private final DeviceRegistry registry;
    private final MeterConnections connections;

    public EnergyControl(DeviceRegistry registry, MeterConnections connections) {
        this.registry = registry;
        this.connections = connections;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ControlRequest request = exchange.getIn().getBody(ControlRequest.class);
        Device meter = registry.device(request.deviceId()).orElse(null);
        Profile profile = meter == null ? null : registry.profile(meter.profileId()).orElse(null);
        Instant asked = Instant.now();
        if (meter == null || profile == null) {
            return finish(exchange, callback, null, request, new ControlResult(Outcome.REFUSED,
                    "meter " + request.deviceId() + " or its profile is not loaded"), asked, true);
        }
        MeterPlan plan;
        try {
            plan = MeterPlan.of(meter, profile, connections.secure());
        } catch (IllegalArgumentException e) {
            return finish(exchange, callback, meter, request, new ControlResult(Outcome.REFUSED, e.getMessage()), asked, true);
        }
        String node = plan.controlNode(profile, request.point()).orElse(null);
        Point point = profile.point(request.point()).orElse(null);
        if (node == null || point == null) {
            return finish(exchange, callback, meter, request, new ControlResult(Outcome.REFUSED,
                    request.point() + " is not a writable point of profile " + profile.id()), asked, true);
        }
        boolean typeOk = switch (point.type()) {
            case BOOLEAN -> request.value() instanceof Boolean;
            case NUMBER -> request.value() instanceof Number;
            case STRING -> request.value() instanceof String;
        };
        if (!typeOk) {
            return finish(exchange, callback, meter, request, new ControlResult(Outcome.REFUSED,
                    request.point() + " takes a " + point.type().name().toLowerCase() + " value"), asked, true);
        }
        MeterConnection connection = connections.existing(plan.target());
        if (connection == null || !connection.isActive()) {
            return finish(exchange, callback, meter, request, new ControlResult(Outcome.UNREACHABLE,
                    "no OPC UA session with " + plan.endpointUrl()), asked, true);
        }
        connection.write(node, request.value()).orTimeout(5, TimeUnit.SECONDS).whenComplete((status, failure) -> {
            ControlResult result;
            if (failure != null) {
                result = new ControlResult(Outcome.UNREACHABLE, "write not answered: " + Text.rootMessage(failure));
            } else if (status.isGood()) {
                result = new ControlResult(Outcome.DONE, status.toString());
            } else {
                result = new ControlResult(Outcome.REFUSED, "server answered " + status);
            }
            finish(exchange, callback, meter, request, result, asked, false);
        });
        return false;
    }

    private static boolean finish(Exchange exchange, AsyncCallback callback, Device meter, ControlRequest request,
                                  ControlResult result, Instant asked, boolean sync) {
        exchange.getIn().setHeader(RESULT, result);
        exchange.getIn().setBody(meter == null ? List.of() : List.of(audit(meter, request, result, asked)));
        callback.done(sync);
        return sync;
    }

    static CampusEvent audit(Device meter, ControlRequest r, ControlResult result, Instant asked) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("point", r.point());
        attrs.put("value", String.valueOf(r.value()));
        attrs.put("outcome", result.outcome().name().toLowerCase());
        attrs.put("requestedBy", r.requestedBy() == null ? "" : r.requestedBy());
        if (result.message() != null) {
            attrs.put("reason", result.message().length() > 200 ? result.message().substring(0, 200) : result.message());
        }
        return CampusEvent.builder().device(meter)
                .kind(EnergyFamily.CONTROL)
                .severity(result.outcome() == Outcome.DONE ? Severity.NOTICE : Severity.WARNING)
                .occurredAt(asked)
                .receivedAt(Instant.now())
                .attributes(attrs)
                .build();
    }
}
