package org.campusedge.camel.nvr;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventIds;
import org.campusedge.api.Location;
import org.campusedge.api.Measurement;
import org.campusedge.api.Severity;

/**
 * A recorder's status as events: an {@code nvr.status} each poll (what it has, which keeps it
 * online), and while something is wrong, at each poll: {@code nvr.not-recording} for a channel that
 * does not record, {@code nvr.disk-fault} for a disk that cannot, {@code nvr.retention-short} for a
 * channel whose oldest recording is younger than the school must keep. A channel's events are where
 * its camera is (the inventory's {@code channels: "1=cam-gate-east-1,..."}), so the rules can tell
 * the gate camera from the corridor's.
 */
final class RecorderEvents {

    private final DeviceRegistry registry;

    RecorderEvents(DeviceRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param retention     how long recordings must be kept (the school's days)
     * @param lastOldest    per channel, the oldest recording the last search found (for the status when this poll did not search)
     */
    List<CampusEvent> of(Device nvr, RecorderStatus s, Duration retention, Map<Integer, Instant> lastOldest, Instant now) {
        List<CampusEvent> out = new ArrayList<>();
        Map<Integer, String> cameras = cameras(nvr);
        int recording = 0;
        java.util.Set<Integer> listed = new java.util.HashSet<>();
        for (RecorderStatus.Channel c : s.channels()) {
            listed.add(c.number());
            if (c.recording()) {
                recording++;
            } else {
                out.add(channelEvent(nvr, NvrFamily.NOT_RECORDING, c.number(), cameras, now, Map.of("online", Boolean.toString(c.online())),
                        List.of(Measurement.numeric("recording", null, 0, now))));
            }
        }
        for (Integer mapped : cameras.keySet()) { // a camera the school expects recorded, on a channel the recorder does not list
            if (!listed.contains(mapped)) {
                out.add(channelEvent(nvr, NvrFamily.NOT_RECORDING, mapped, cameras, now, Map.of("missing", "true"),
                        List.of(Measurement.numeric("recording", null, 0, now))));
            }
        }
        int healthy = 0;
        for (RecorderStatus.Disk d : s.disks()) {
            if (d.healthy()) {
                healthy++;
            } else {
                Map<String, String> attrs = new LinkedHashMap<>();
                attrs.put("disk", d.id());
                attrs.put("name", d.name());
                attrs.put("status", d.status());
                out.add(CampusEvent.builder().id(EventIds.forKey(now.toEpochMilli(), nvr.id() + "|disk|" + d.id())).device(nvr)
                        .kind(NvrFamily.DISK_FAULT).severity(Severity.WARNING).occurredAt(now).receivedAt(now).attributes(attrs).build());
            }
        }
        if (s.disks().isEmpty()) { // nothing to record on at all
            out.add(CampusEvent.builder().id(EventIds.forKey(now.toEpochMilli(), nvr.id() + "|disk|none")).device(nvr)
                    .kind(NvrFamily.DISK_FAULT).severity(Severity.WARNING).occurredAt(now).receivedAt(now)
                    .attributes(Map.of("disk", "-", "status", "no disk")).build());
        }
        Double keptDays = null;
        if (lastOldest != null && !lastOldest.isEmpty()) {
            for (Map.Entry<Integer, Instant> o : lastOldest.entrySet()) {
                double days = o.getValue() == null ? 0 : Duration.between(o.getValue(), now).toSeconds() / 86_400.0;
                keptDays = keptDays == null ? days : Math.min(keptDays, days);
                if (s.oldest() != null && s.oldest().containsKey(o.getKey()) && days < retention.toSeconds() / 86_400.0) {
                    Map<String, String> attrs = new LinkedHashMap<>();
                    attrs.put("oldest", o.getValue() == null ? "none" : o.getValue().toString());
                    attrs.put("requiredDays", Long.toString(retention.toDays()));
                    out.add(channelEvent(nvr, NvrFamily.RETENTION_SHORT, o.getKey(), cameras, now, attrs,
                            List.of(Measurement.numeric("kept_days", "d", Math.floor(days * 10) / 10, now))));
                }
            }
        }
        List<Measurement> m = new ArrayList<>();
        m.add(Measurement.numeric("channels", null, s.channels().size(), now));
        m.add(Measurement.numeric("channels_recording", null, recording, now));
        m.add(Measurement.numeric("disks", null, s.disks().size(), now));
        m.add(Measurement.numeric("disks_ok", null, healthy, now));
        if (keptDays != null) {
            m.add(Measurement.numeric("kept_days", "d", Math.floor(keptDays * 10) / 10, now));
        }
        out.add(0, CampusEvent.builder().id(EventIds.forKey(now.toEpochMilli(), nvr.id() + "|status")).device(nvr)
                .kind(NvrFamily.STATUS).severity(Severity.INFO).occurredAt(now).receivedAt(now).measurements(m).build());
        return out;
    }

    private CampusEvent channelEvent(Device nvr, String kind, int channel, Map<Integer, String> cameras, Instant now,
                                     Map<String, String> more, List<Measurement> measurements) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("channel", Integer.toString(channel));
        String camera = cameras.get(channel);
        Location where = nvr.location();
        if (camera != null) {
            attrs.put("camera", camera);
            where = registry.device(camera).map(Device::location).orElse(where);
        }
        attrs.putAll(more);
        return CampusEvent.builder().id(EventIds.forKey(now.toEpochMilli(), nvr.id() + "|" + kind + "|" + channel)).device(nvr)
                .location(where).kind(kind).severity(Severity.WARNING).occurredAt(now).receivedAt(now).attributes(attrs)
                .measurements(measurements).build();
    }

    /** The inventory's channel to camera map, {@code channels: "1=cam-a,2=cam-b"}; what cannot be read is left out. */
    static Map<Integer, String> cameras(Device nvr) {
        Map<Integer, String> out = new LinkedHashMap<>();
        String spec = nvr.properties().get("channels");
        if (spec == null) {
            return out;
        }
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    out.put(Integer.parseInt(pair.substring(0, eq).trim()), pair.substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    // a typo in the inventory: that channel's events carry the recorder's location
                }
            }
        }
        return out;
    }
}
