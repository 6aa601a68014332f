package org.campusedge.camel.energy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Measurement;
import org.campusedge.api.Point;
import org.campusedge.api.Profile;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;

/**
 * Turns a meter's data change into an {@code energy.reading} event with one measurement in the
 * profile's unit (kW, kWh, V, A), timed by the server's source timestamp. A value the server marks
 * bad, or of the wrong type for the point, is refused with the reason and counted against the meter;
 * a value outside the point's plausible range is kept and marked {@code quality=out-of-range}.
 */
public final class EnergyNormaliser implements Processor {

    private static final Map<String, String> OUT_OF_RANGE = Map.of("quality", "out-of-range");

    private final DeviceRegistry registry;

    public EnergyNormaliser(DeviceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void process(Exchange exchange) {
        MeterReading r = exchange.getIn().getBody(MeterReading.class);
        Device meter = registry.device(r.deviceId()).orElseThrow(() ->
                new RejectedInputException(Reason.UNKNOWN_DEVICE, "meter '" + r.deviceId() + "' is not in the inventory"));
        Profile profile = registry.profile(meter.profileId()).orElseThrow(() ->
                new RejectedInputException(Reason.UNKNOWN_DEVICE, "profile '" + meter.profileId() + "' is not loaded"));
        exchange.getIn().setBody(List.of(event(meter, profile, r, Instant.now())));
    }

    CampusEvent event(Device meter, Profile profile, MeterReading r, Instant now) {
        Point point = profile.point(r.point()).orElseThrow(() ->
                new RejectedInputException(Reason.MALFORMED, r.point() + " is not a point of profile " + profile.id()));
        if (r.badStatus() != null) {
            throw new RejectedInputException(Reason.MALFORMED, "server reported " + r.badStatus() + " for " + r.point());
        }
        Instant time = r.sourceTime() == null || r.sourceTime().toEpochMilli() <= 0 ? now : r.sourceTime();
        Measurement m = switch (point.type()) {
            case NUMBER -> {
                if (!(r.value() instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    throw new RejectedInputException(Reason.MALFORMED, r.point() + " must be a finite number, server sent "
                            + describe(r.value()));
                }
                yield new Measurement(point.name(), point.unit(), n.doubleValue(), null, null, null, null, time);
            }
            case BOOLEAN -> {
                if (!(r.value() instanceof Boolean b)) {
                    throw new RejectedInputException(Reason.MALFORMED, r.point() + " must be a boolean, server sent "
                            + describe(r.value()));
                }
                yield new Measurement(point.name(), point.unit(), null, null, b, null, null, time);
            }
            case STRING -> new Measurement(point.name(), point.unit(), null, String.valueOf(r.value()), null, null, null, time);
        };
        boolean outOfRange = m.value() != null && !point.inRange(m.value());
        return CampusEvent.builder().device(meter)
                .kind(EnergyFamily.READING)
                .occurredAt(time)
                .receivedAt(now)
                .measurements(List.of(m))
                .attributes(outOfRange ? OUT_OF_RANGE : null)
                .build();
    }

    private static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        String s = String.valueOf(v);
        return v.getClass().getSimpleName() + " '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
}
