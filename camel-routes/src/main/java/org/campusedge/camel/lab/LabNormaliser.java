package org.campusedge.camel.lab;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventIds;
import org.campusedge.api.Measurement;
import org.campusedge.api.Point;
import org.campusedge.api.Profile;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;
import org.campusedge.camel.ingest.IngestHeaders;
import org.campusedge.camel.ingest.IngressCounters;
import org.campusedge.camel.ingest.Text;

/**
 * Turns a digital-lab sensor's SenML pack into {@code lab.reading} events, one per record, checked
 * against the sensor's profile: the record's point (the last segment of its resolved name) must be
 * one the profile lists, in the profile's unit (or with no unit, which then means the profile's)
 * and of its value type. A value outside the point's plausible range is kept and marked
 * {@code quality=out-of-range}, because a teacher would rather see a strange reading than none.
 * For the same reason a record of a point the profile lacks (a student plugs a conductivity probe
 * into the logger) is kept too, in the unit the kit gave, marked {@code quality=unprofiled} and
 * counted per device for the admin page, and the pack's other readings are stored as usual; only a
 * name that is no point name at all (not 1-40 of letters, digits, {@code _ . : -}) refuses the pack,
 * as garbage does.
 *
 * <p>A reading's id comes from the device, the point, the record's time and its value, so a pack
 * the device sends again (a CoAP retransmission after the gateway's de-duplication forgot it, a
 * retry after a lost answer) is stored once.
 */
public final class LabNormaliser implements Processor {

    /** CoAP content formats accepted: application/senml+json (RFC 8428) and application/json. */
    static final int SENML_JSON = 110;
    static final int JSON = 50;

    private static final Map<String, String> OUT_OF_RANGE = Map.of("quality", "out-of-range");
    private static final Map<String, String> UNPROFILED = Map.of("quality", "unprofiled");
    private static final java.util.regex.Pattern POINT_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.:-]{1,40}");
    /** A unit of an unprofiled point: letters, digits, % / . ^ ° µ, not starting as a spreadsheet formula would. */
    private static final java.util.regex.Pattern UNIT = java.util.regex.Pattern.compile("[\\p{L}%°µ][\\p{L}\\p{N}%/.^°µ]{0,15}");

    private final DeviceRegistry registry;
    private final SenmlParser parser;
    private final IngressCounters counters;

    public LabNormaliser(DeviceRegistry registry, SenmlParser parser) {
        this(registry, parser, null);
    }

    /** @param counters where readings of points the profile lacks are counted per device; null: nowhere */
    public LabNormaliser(DeviceRegistry registry, SenmlParser parser, IngressCounters counters) {
        this.registry = registry;
        this.parser = parser;
        this.counters = counters;
    }

    @Override
    public void process(Exchange exchange) {
        String deviceId = exchange.getIn().getHeader(IngestHeaders.DEVICE_ID, String.class);
        Device device = registry.device(deviceId).orElseThrow(() ->
                new RejectedInputException(Reason.UNKNOWN_DEVICE, "device '" + deviceId + "' is not in the inventory"));
        Profile profile = registry.profile(device.profileId()).orElseThrow(() ->
                new RejectedInputException(Reason.UNKNOWN_DEVICE, "profile '" + device.profileId() + "' is not loaded"));
        Integer format = exchange.getIn().getHeader(IngestHeaders.COAP_CONTENT_FORMAT, Integer.class);
        if (format != null && format != SENML_JSON && format != JSON) {
            throw new RejectedInputException(Reason.UNSUPPORTED,
                    "content format " + format + " is not SenML JSON (110) or JSON (50)");
        }
        byte[] payload = exchange.getIn().getBody(byte[].class);
        Instant now = Instant.now();
        exchange.getIn().setBody(normalise(device, profile, payload == null ? new byte[0] : payload, now));
    }

    /** The events for one pack; throws {@link RejectedInputException} for the whole pack on a malformed record. */
    List<CampusEvent> normalise(Device device, Profile profile, byte[] payload, Instant now) {
        List<Measurement> records = parser.parse(payload, now);
        List<CampusEvent> events = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            Measurement m = records.get(i);
            String pointName = pointName(m.name());
            int record = i + 1;
            Point point = profile.point(pointName).orElse(null);
            if (point == null) {
                if (!POINT_NAME.matcher(pointName).matches()) {
                    throw new RejectedInputException(Reason.MALFORMED, "record " + record + ": '" + Text.shorten(pointName, 40)
                            + "' is not a point name (1-40 of letters, digits, _ . : -)");
                }
                // the unit as the kit gave it, if it looks like one (it reaches CSV files and pages): else none
                String unit = m.unit() != null && UNIT.matcher(m.unit()).matches() ? m.unit() : null;
                events.add(reading(device, pointName, unit, m, now, UNPROFILED));
                if (counters != null) {
                    counters.unprofiled(device.id(), pointName, unit);
                }
                continue;
            }
            checkType(record, point, m);
            String unit = m.unit() == null ? point.unit() : m.unit();
            if (point.unit() != null && !point.unit().equals(unit)) {
                throw new RejectedInputException(Reason.MALFORMED, "record " + record + ": " + pointName + " in '"
                        + Text.shorten(unit, 40) + "', profile " + profile.id() + " says '" + point.unit() + "'");
            }
            boolean outOfRange = m.value() != null && !point.inRange(m.value());
            events.add(reading(device, pointName, unit, m, now, outOfRange ? OUT_OF_RANGE : null));
        }
        return events;
    }

    private static CampusEvent reading(Device device, String pointName, String unit, Measurement m, Instant now, Map<String, String> quality) {
        return CampusEvent.builder().device(device)
                .id(id(device, pointName, m, now))
                .kind(LabFamily.READING)
                .occurredAt(m.time())
                .receivedAt(now)
                .measurements(List.of(new Measurement(pointName, unit, m.value(), m.stringValue(),
                        m.booleanValue(), m.dataValue(), m.sum(), m.time())))
                .attributes(quality)
                .build();
    }

    /** How far a kit's clock may be from the gateway's for its readings' ids to follow it. */
    private static final Duration ID_CLOCK_WINDOW_PAST = Duration.ofDays(7);
    private static final Duration ID_CLOCK_WINDOW_FUTURE = Duration.ofHours(1);

    /**
     * The reading's id: the same for the same device, point, time and value, so a re-sent pack is
     * stored once. Its time part (what ids sort by, and what retention deletes by) is the record's
     * time when the kit's clock is within a week of the gateway's; a kit whose clock is further off
     * (never set, a flat battery) gets the gateway's time there, so its readings are neither deleted
     * at once by retention nor kept for ever — and are then de-duplicated only by CoAP's own window.
     */
    static String id(Device device, String point, Measurement m, Instant now) {
        Instant t = m.time();
        boolean sane = !t.isBefore(now.minus(ID_CLOCK_WINDOW_PAST)) && !t.isAfter(now.plus(ID_CLOCK_WINDOW_FUTURE));
        // numbers as their bits, the time as seconds and nanos: formatting them as text was a few per cent of ingest
        String key = device.id() + "|" + point + "|" + t.getEpochSecond() + "." + t.getNano() + "|" + bits(m.value()) + "|"
                + m.stringValue() + "|" + m.booleanValue() + "|" + m.dataValue() + "|" + bits(m.sum());
        return sane ? EventIds.forKey(t.toEpochMilli(), key) : EventIds.next();
    }

    private static String bits(Double d) {
        return d == null ? "-" : Long.toHexString(Double.doubleToRawLongBits(d));
    }

    private static void checkType(int record, Point point, Measurement m) {
        boolean ok = switch (point.type()) {
            case NUMBER -> m.value() != null || (m.sum() != null && m.stringValue() == null && m.booleanValue() == null);
            case BOOLEAN -> m.booleanValue() != null;
            case STRING -> m.stringValue() != null;
        };
        if (!ok) {
            throw new RejectedInputException(Reason.MALFORMED, "record " + record + ": " + point.name()
                    + " must be a " + point.type().name().toLowerCase() + " value");
        }
    }

    /** The last segment of a resolved SenML name: "urn:dev:mac:0024b:temperature" and "lab1/temperature" give "temperature". */
    static String pointName(String senmlName) {
        int cut = Math.max(senmlName.lastIndexOf(':'), senmlName.lastIndexOf('/'));
        return cut < 0 ? senmlName : senmlName.substring(cut + 1);
    }

}
