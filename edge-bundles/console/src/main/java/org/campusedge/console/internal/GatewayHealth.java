package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.campusedge.api.CloudLink;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.StoreStats;
import org.campusedge.api.Watchdog;

/**
 * The answer a supervisor polls ({@code GET /health}): {@code DOWN} (HTTP 503) when the store's
 * newest commit failed (a full or read-only disk: nothing is being stored), or when one of the
 * gateway's vital parts (the store writer, an ingest server, a bus subscriber, the outbox drainer)
 * has had work waiting and made no progress for half of what its watchdog allows (at the whole of
 * it the gateway stops itself, so this is the warning before); {@code DEGRADED} (200) when the link
 * to the city is configured but down; {@code UP} otherwise. Devices offline or failing are
 * reported, but do not make the gateway unhealthy: restarting it would not bring a camera back.
 */
final class GatewayHealth {

    enum Status { UP, DEGRADED, DOWN }

    private final Supplier<StoreStats> store;
    private final Supplier<List<DeviceHealth.State>> devices;
    private final Supplier<CloudLink> cloud;
    private final Supplier<Watchdog> watchdog;

    GatewayHealth(Supplier<StoreStats> store, Supplier<List<DeviceHealth.State>> devices, Supplier<CloudLink> cloud, Supplier<Watchdog> watchdog) {
        this.store = store;
        this.devices = devices;
        this.cloud = cloud;
        this.watchdog = watchdog;
    }

    /** The status and its reasons, one JSON object; the status decides the HTTP code. */
    Status write(JsonGenerator g) throws IOException {
        Status status = Status.UP;
        g.writeStartObject();
        g.writeArrayFieldStart("parts");
        Watchdog w = watchdog.get();
        List<Watchdog.Part> parts = w == null ? List.of() : w.parts();
        for (Watchdog.Part p : parts) {
            boolean stalling = p.busy() && p.silent().compareTo(p.maxSilence().dividedBy(2)) > 0;
            if (stalling) {
                status = Status.DOWN;
            }
            g.writeStartObject();
            g.writeStringField("name", p.name());
            g.writeBooleanField("busy", p.busy());
            g.writeNumberField("silentSeconds", p.silent().toMillis() / 1000.0);
            g.writeNumberField("stopsAfterSeconds", p.maxSilence().toSeconds());
            g.writeStringField("status", stalling ? "STALLING" : "OK");
            g.writeEndObject();
        }
        g.writeEndArray();
        StoreStats s = store.get();
        if (s.failing()) {
            status = Status.DOWN; // a full or read-only disk: the writer beats, but nothing is stored
        }
        g.writeObjectFieldStart("store");
        g.writeStringField("status", s.failing() ? "FAILING" : "OK");
        g.writeNumberField("eventsWritten", s.eventsWritten());
        g.writeNumberField("queued", s.queued());
        g.writeNumberField("failedAppends", s.failedAppends());
        g.writeStringField("lastFailure", s.lastFailure());
        g.writeEndObject();
        CloudLink c = cloud.get();
        if (c != null) {
            CloudLink.Status cs = c.status();
            boolean configured = cs.endpoint() != null; // a school without a city link is not degraded for it
            if (configured && !cs.connected() && status == Status.UP) {
                status = Status.DEGRADED;
            }
            g.writeObjectFieldStart("cloud");
            g.writeBooleanField("configured", configured);
            g.writeBooleanField("connected", cs.connected());
            g.writeStringField("since", cs.since() == null ? null : cs.since().toString());
            g.writeStringField("lastError", cs.lastError());
            g.writeEndObject();
        }
        Map<String, Integer> presence = new TreeMap<>();
        for (DeviceHealth.State d : devices.get()) {
            presence.merge(d.presence().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
        }
        g.writeObjectFieldStart("devices");
        for (Map.Entry<String, Integer> e : presence.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeStringField("status", status.name());
        g.writeEndObject();
        return status;
    }
}
