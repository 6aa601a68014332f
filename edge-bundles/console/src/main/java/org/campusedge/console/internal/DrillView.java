package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Drill;
import org.campusedge.api.Drills;
import org.campusedge.api.Families;
import org.campusedge.web.Http;
import org.campusedge.web.WebExchange;

/**
 * The security page's drill controls: what drill runs (GET /api/drill), start one on a camera
 * (POST /api/drill/start: device, minutes, name) and stop it (POST /api/drill/stop). Both answer
 * once the drill's record is durable: a screen never shows a drill the store does not know of.
 */
final class DrillView {

    /** How long a real alarm that interrupted a drill stays on the page (a red banner, the alarm marked "not a drill"). */
    static final Duration INTERRUPTION_SHOWN = Duration.ofHours(2);

    private final Drills drills;
    private final DeviceRegistry registry;
    private final org.campusedge.api.EventStore store;

    DrillView(Drills drills, DeviceRegistry registry, org.campusedge.api.EventStore store) {
        this.drills = drills;
        this.registry = registry;
        this.store = store;
    }

    /**
     * The running drill (or null), the last interruption of a drill by a real alarm in the last two
     * hours (or null: from the store, so a page opened or reloaded after it still shows it), and the
     * cameras a drill can play.
     */
    void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        Optional<Drill> d = drills.current();
        if (d.isPresent()) {
            g.writeObjectFieldStart("current");
            drill(g, d.get());
            g.writeEndObject();
        } else {
            g.writeNullField("current");
        }
        java.util.List<org.campusedge.api.CampusEvent> last = store.query(org.campusedge.api.EventQuery.all(1)
                .withKind("audit.drill-interrupted").between(java.time.Instant.now().minus(INTERRUPTION_SHOWN), null).latestFirst());
        if (last.isEmpty()) {
            g.writeNullField("interrupted");
        } else {
            org.campusedge.api.CampusEvent e = last.get(0);
            g.writeObjectFieldStart("interrupted");
            g.writeStringField("id", e.id());
            g.writeStringField("at", e.occurredAt().toString());
            g.writeStringField("drill", Drill.of(e));
            g.writeStringField("realAlarm", e.attributes().get("realAlarm"));
            g.writeStringField("message", e.attributes().get("message"));
            g.writeEndObject();
        }
        g.writeArrayFieldStart("cameras");
        for (Device c : registry.devices().stream().filter(x -> x.family().equals(Families.CAMERA))
                .sorted(Comparator.comparing(Device::id)).toList()) {
            g.writeStartObject();
            g.writeStringField("id", c.id());
            g.writeStringField("building", c.location().building());
            g.writeStringField("zone", c.location().zone());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void drill(JsonGenerator g, Drill d) throws IOException {
        g.writeStringField("id", d.id());
        g.writeStringField("name", d.name());
        g.writeStringField("device", d.deviceId());
        g.writeStringField("kind", d.kind());
        g.writeStringField("startedAt", d.startedAt().toString());
        g.writeStringField("endsAt", d.endsAt().toString());
        g.writeStringField("startedBy", d.startedBy());
    }

    void start(WebExchange ex, String user) throws IOException {
        Map<String, String> form = Http.form(Http.body(ex));
        int minutes;
        try {
            minutes = Integer.parseInt(form.getOrDefault("minutes", "10").trim());
        } catch (NumberFormatException e) {
            Http.text(ex, 400, "minutes must be a whole number");
            return;
        }
        try {
            Drill d = drills.start(form.getOrDefault("device", ""), Families.CAMERA_INTRUSION, Duration.ofMinutes(minutes),
                    form.getOrDefault("name", ""), "user:" + user).toCompletableFuture().get(ConsoleServer.STORE_WAIT_SECONDS,
                    TimeUnit.SECONDS);
            Http.json(ex, 200, g -> {
                g.writeStartObject();
                drill(g, d);
                g.writeEndObject();
            });
        } catch (IllegalStateException e) {
            Http.text(ex, 409, e.getMessage());
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage());
        } catch (TimeoutException | ExecutionException e) {
            Http.text(ex, 503, "the drill's start is not stored yet: the event store is failing; it begins once it is");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Http.text(ex, 503, "interrupted");
        }
    }

    void stop(WebExchange ex, String user) throws IOException {
        try {
            Optional<Drill> d = drills.stop("user:" + user).toCompletableFuture().get(ConsoleServer.STORE_WAIT_SECONDS, TimeUnit.SECONDS);
            Http.text(ex, d.isPresent() ? 200 : 409, d.isPresent() ? "drill " + d.get().id() + " stopped" : "no drill is running");
        } catch (TimeoutException | ExecutionException e) {
            Http.text(ex, 503, "the drill's end is not stored yet: the event store is failing; it is stored once it can be");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Http.text(ex, 503, "interrupted");
        }
    }
}
