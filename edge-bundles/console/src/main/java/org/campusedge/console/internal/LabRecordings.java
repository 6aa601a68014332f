package org.campusedge.console.internal;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Measurement;
import org.campusedge.api.Severity;

/**
 * A teacher's recordings of a lesson: a start and a stop, each a {@code lab.recording} event in the
 * store (about the lab's first sensor kit, so it carries the lab's place), and the readings of the
 * lab's sensors between them as CSV. Nothing is copied: a recording is a window on the store.
 */
final class LabRecordings {

    /** One recording: started (and maybe stopped) by whom, with a title. */
    record Recording(String id, String room, String title, String by, Instant start, Instant stop) {
    }

    static final int MAX_ROWS = 200_000;

    private final EventBus bus;
    private final EventStore store;
    private final DeviceRegistry registry;

    LabRecordings(EventBus bus, EventStore store, DeviceRegistry registry) {
        this.bus = bus;
        this.store = store;
        this.registry = registry;
    }

    private List<Device> sensors(String room) {
        return registry.devices().stream().filter(d -> d.family().equals("lab") && room.equals(d.location().room()))
                .sorted(Comparator.comparing(Device::id)).toList();
    }

    /** Starts (or stops) a recording in a room; false when there is nothing to stop, or already one running. */
    synchronized boolean mark(String room, boolean start, String title, String user) throws Exception {
        List<Device> lab = sensors(room);
        if (lab.isEmpty()) {
            throw new IllegalArgumentException("no lab sensors in room '" + room + "'");
        }
        Optional<Recording> running = list(room).stream().filter(r -> r.stop() == null).findFirst();
        if (start == running.isPresent()) {
            return false;
        }
        CampusEvent e = CampusEvent.builder().device(lab.get(0)).kind("lab.recording").severity(Severity.INFO)
                .attributes(Map.of("action", start ? "start" : "stop", "room", room, "by", user,
                        "title", start ? (title == null || title.isBlank() ? "lesson" : title.strip()) : running.get().title(),
                        "recording", start ? "" : running.get().id()))
                .build();
        bus.publish(List.of(e)).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS); // durable before the teacher is told
        return true;
    }

    /** The room's recordings, newest first. */
    List<Recording> list(String room) {
        List<Device> lab = sensors(room);
        if (lab.isEmpty()) {
            return List.of();
        }
        // the newest marks (a year of lessons is far fewer), put back in the order they were made
        List<CampusEvent> marks = new ArrayList<>(store.query(EventQuery.all(2000).withKind("lab.recording")
                .withDevice(lab.get(0).id()).latestFirst()));
        java.util.Collections.reverse(marks);
        List<Recording> out = new ArrayList<>();
        for (CampusEvent m : marks) {
            Map<String, String> a = m.attributes();
            if ("start".equals(a.get("action"))) {
                out.add(new Recording(m.id(), room, a.get("title"), a.get("by"), m.occurredAt(), null));
            } else if ("stop".equals(a.get("action"))) {
                for (int i = 0; i < out.size(); i++) {
                    Recording r = out.get(i);
                    if (r.id().equals(a.get("recording"))) {
                        out.set(i, new Recording(r.id(), room, r.title(), r.by(), r.start(), m.occurredAt()));
                    }
                }
            }
        }
        out.sort(Comparator.comparing(Recording::start).reversed());
        return out;
    }

    /** Writes a recording's readings as CSV (UTF-8 with a BOM, so that spreadsheet programs read the Chinese right). */
    void csv(String room, String recordingId, Writer out) throws IOException {
        Recording r = list(room).stream().filter(x -> x.id().equals(recordingId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no recording " + recordingId + " in " + room));
        Instant stop = r.stop() == null ? Instant.now() : r.stop();
        out.write('\ufeff');
        out.write("time,device,point,value,unit\r\n");
        int rows = 0;
        for (Device d : sensors(room)) {
            for (CampusEvent e : store.query(new EventQuery(r.start(), stop, d.id(), "lab.reading", MAX_ROWS))) {
                for (Measurement m : e.measurements()) {
                    if (rows++ >= MAX_ROWS) {
                        return;
                    }
                    out.write(m.time() + "," + d.id() + "," + m.name() + "," + (m.value() != null ? m.value()
                            : m.booleanValue() != null ? m.booleanValue() : csvText(m.stringValue())) + "," + (m.unit() == null ? "" : m.unit())
                            + "\r\n");
                }
            }
        }
    }

    /** The most points a chart series gets: beyond it, consecutive readings are averaged (a chart is ~1,000 pixels wide). */
    static final int MAX_PER_SERIES = 900;

    /** A recording's readings as chart series (see {@link #series}). */
    void recordingSeries(String room, String recordingId, com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
        Recording r = list(room).stream().filter(x -> x.id().equals(recordingId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no recording " + recordingId + " in " + room));
        series(room, r.start(), r.stop() == null ? Instant.now() : r.stop(), g);
    }

    /**
     * A lab's numeric readings between two instants, for charts: {@code {from, to, points: {name: {unit,
     * devices: {id: [[epoch ms, value], ...]}}}}}, oldest first, at most {@link #MAX_PER_SERIES} pairs a
     * series (runs of consecutive readings averaged, time and value, beyond that).
     */
    void series(String room, Instant from, Instant to, com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
        Map<String, String> units = new java.util.TreeMap<>();
        Map<String, Map<String, List<double[]>>> byPoint = new java.util.TreeMap<>();
        for (Device d : sensors(room)) {
            for (CampusEvent e : store.query(new EventQuery(from, to, d.id(), "lab.reading", MAX_ROWS))) {
                for (Measurement m : e.measurements()) {
                    if (m.value() == null || !Double.isFinite(m.value())) {
                        continue;
                    }
                    units.putIfAbsent(m.name(), m.unit() == null ? "" : m.unit());
                    byPoint.computeIfAbsent(m.name(), n -> new java.util.TreeMap<>()).computeIfAbsent(d.id(), n -> new ArrayList<>())
                            .add(new double[] {m.time().toEpochMilli(), m.value()});
                }
            }
        }
        g.writeStartObject();
        g.writeNumberField("from", from.toEpochMilli());
        g.writeNumberField("to", to.toEpochMilli());
        g.writeObjectFieldStart("points");
        for (var p : byPoint.entrySet()) {
            g.writeObjectFieldStart(p.getKey());
            g.writeStringField("unit", units.get(p.getKey()));
            g.writeObjectFieldStart("devices");
            for (var d : p.getValue().entrySet()) {
                g.writeArrayFieldStart(d.getKey());
                for (double[] pair : thin(d.getValue(), MAX_PER_SERIES)) {
                    g.writeStartArray();
                    g.writeNumber((long) pair[0]);
                    g.writeNumber(pair[1]);
                    g.writeEndArray();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** At most {@code max} pairs: the pairs as they are, or the means of runs of ceil(n / max) consecutive ones. */
    static List<double[]> thin(List<double[]> pairs, int max) {
        pairs.sort(Comparator.comparingDouble(p -> p[0]));
        if (pairs.size() <= max) {
            return pairs;
        }
        int run = (pairs.size() + max - 1) / max;
        List<double[]> out = new ArrayList<>(max);
        for (int i = 0; i < pairs.size(); i += run) {
            int end = Math.min(pairs.size(), i + run);
            double t = 0;
            double v = 0;
            for (int j = i; j < end; j++) {
                t += pairs.get(j)[0];
                v += pairs.get(j)[1];
            }
            out.add(new double[] {Math.round(t / (end - i)), v / (end - i)});
        }
        return out;
    }

    private static String csvText(String s) {
        return s == null ? "" : "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
