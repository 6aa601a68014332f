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
import org.campusedge.api.Families;
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
    /** The longest stretch a recording is read for: a recording nobody stopped does not grow without end. */
    static final java.time.Duration MAX_LENGTH = java.time.Duration.ofHours(4);

    private final EventBus bus;
    private final EventStore store;
    private final DeviceRegistry registry;

    LabRecordings(EventBus bus, EventStore store, DeviceRegistry registry) {
        this.bus = bus;
        this.store = store;
        this.registry = registry;
    }

    private List<Device> sensors(String room) {
        return registry.devices().stream().filter(d -> d.family().equals(Families.LAB) && room.equals(d.location().room()))
                .sorted(Comparator.comparing(Device::id)).toList();
    }

    /** What became of a start or a stop. */
    enum Mark { DONE, CONFLICT, NOT_YOURS }

    /**
     * Starts (or stops) a recording in a room. Only one runs at a time: a start while one runs is a
     * conflict, unless the one running was left behind by a teacher who may no longer watch the room
     * ({@code abandoned}), which is then stopped first. A recording is stopped by the teacher who
     * started it, by the admin ({@code mayStopAny}), or by anyone once it is abandoned.
     */
    synchronized Mark mark(String room, boolean start, String title, String user, boolean mayStopAny,
                           java.util.function.Predicate<Recording> abandoned) throws Exception {
        List<Device> lab = sensors(room);
        if (lab.isEmpty()) {
            throw new IllegalArgumentException("no lab sensors in room '" + room + "'");
        }
        Optional<Recording> running = list(room).stream().filter(r -> r.stop() == null).findFirst();
        if (start && running.isPresent()) {
            if (!abandoned.test(running.get())) {
                return Mark.CONFLICT;
            }
            publish(lab.get(0), running.get(), "stop", "gateway: its teacher's lesson is over", running.get().title());
        } else if (!start && running.isEmpty()) {
            return Mark.CONFLICT;
        } else if (!start && !running.get().by().equals(user) && !mayStopAny && !abandoned.test(running.get())) {
            return Mark.NOT_YOURS;
        }
        publish(lab.get(0), start ? null : running.get(), start ? "start" : "stop", user,
                start ? (title == null || title.isBlank() ? "lesson" : title.strip().substring(0, Math.min(120, title.strip().length())))
                        : running.get().title()); // a lesson's title, 120 characters at most (the page's field says so too)
        return Mark.DONE;
    }

    private void publish(Device kit, Recording stopped, String action, String by, String title) throws Exception {
        CampusEvent e = CampusEvent.builder().device(kit).kind(Families.LAB_RECORDING).severity(Severity.INFO)
                .attributes(Map.of("action", action, "room", kit.location().room(), "by", by, "title", title,
                        "recording", stopped == null ? "" : stopped.id()))
                .build();
        bus.publish(List.of(e)).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS); // durable before the teacher is told
    }

    /**
     * The room's recordings, newest first: the newest marks of all labs (a year of lessons is far
     * fewer), those naming this room, put back in the order they were made.
     */
    List<Recording> list(String room) {
        List<CampusEvent> marks = new ArrayList<>(store.query(EventQuery.all(5000).withKind(Families.LAB_RECORDING).latestFirst()));
        java.util.Collections.reverse(marks);
        List<Recording> out = new ArrayList<>();
        for (CampusEvent m : marks) {
            Map<String, String> a = m.attributes();
            if (!room.equals(a.get("room"))) {
                continue;
            }
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

    /** The readings a recording is read for: from its start to its stop (now while it runs), {@link #MAX_LENGTH} at most. */
    static Instant end(Recording r, Instant cap) {
        Instant stop = r.stop() == null ? Instant.now() : r.stop();
        Instant end = stop.isAfter(r.start().plus(MAX_LENGTH)) ? r.start().plus(MAX_LENGTH) : stop;
        return cap != null && cap.isBefore(end) ? cap : end;
    }

    /** Readings read from the store at a time, oldest first, with a cursor: a long lesson is never one big list in memory. */
    static final int PAGE = 5_000;

    /** What one reading does with a reading (a CSV line, a chart bucket); false to stop (the row cap reached). */
    private interface Sink {
        boolean take(Device kit, Measurement m) throws IOException;
    }

    /** Feeds every reading of the room's kits in [from, to) to the sink, a page at a time, MAX_ROWS at most; false when cut short. */
    private boolean read(String room, Instant from, Instant to, Sink sink) throws IOException {
        int rows = 0;
        for (Device kit : sensors(room)) {
            EventQuery q = new EventQuery(from, to, kit.id(), Families.LAB_READING, PAGE);
            while (true) {
                List<CampusEvent> page = store.query(q);
                for (CampusEvent e : page) {
                    for (Measurement m : e.measurements()) {
                        if (++rows > MAX_ROWS || !sink.take(kit, m)) {
                            return false;
                        }
                    }
                }
                if (page.size() < PAGE) {
                    break;
                }
                CampusEvent last = page.get(page.size() - 1);
                q = q.after(last.occurredAt(), last.id());
            }
        }
        return true;
    }

    /**
     * Writes a recording's readings as CSV (UTF-8 with a BOM, so that spreadsheet programs read the
     * Chinese right), up to {@code cap} when the reader may see no further. A text that a spreadsheet
     * would take for a formula (= + - @) is quoted with a leading apostrophe.
     */
    void csv(Recording r, Instant cap, Writer out) throws IOException {
        out.write('\ufeff');
        out.write("time,device,point,value,unit\r\n");
        read(r.room(), r.start(), end(r, cap), (kit, m) -> {
            out.write(m.time() + "," + csvText(kit.id()) + "," + csvText(m.name()) + "," + (m.value() != null ? m.value().toString()
                    : m.booleanValue() != null ? m.booleanValue().toString() : csvText(m.stringValue())) + "," + csvText(m.unit()) + "\r\n");
            return true;
        });
    }

    /** The most points a chart series gets (a chart is ~1,000 pixels wide): readings are averaged in time buckets beyond it. */
    static final int MAX_PER_SERIES = 900;

    /** A recording's readings as chart series (see {@link #series}), up to {@code cap} when the reader may see no further. */
    void recordingSeries(Recording r, Instant cap, com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
        series(r.room(), r.start(), end(r, cap), g);
    }

    /**
     * A lab's numeric readings between two instants, for charts: {@code {from, to, truncated, points:
     * {name: {unit, devices: {id: [[epoch ms, value], ...]}}}}}, oldest first; each series is at most
     * {@link #MAX_PER_SERIES} pairs, the means of the readings in equal slices of the span.
     */
    void series(String room, Instant from, Instant to, com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
        Map<String, String> units = new java.util.TreeMap<>();
        Map<String, Map<String, Buckets>> byPoint = new java.util.TreeMap<>();
        boolean whole = read(room, from, to, (kit, m) -> {
            if (m.value() != null && Double.isFinite(m.value())) {
                units.putIfAbsent(m.name(), m.unit() == null ? "" : m.unit());
                byPoint.computeIfAbsent(m.name(), n -> new java.util.TreeMap<>())
                        .computeIfAbsent(kit.id(), n -> new Buckets(from.toEpochMilli(), to.toEpochMilli(), MAX_PER_SERIES))
                        .add(m.time().toEpochMilli(), m.value());
            }
            return true;
        });
        g.writeStartObject();
        g.writeNumberField("from", from.toEpochMilli());
        g.writeNumberField("to", to.toEpochMilli());
        g.writeBooleanField("truncated", !whole);
        g.writeObjectFieldStart("points");
        for (var p : byPoint.entrySet()) {
            g.writeObjectFieldStart(p.getKey());
            g.writeStringField("unit", units.get(p.getKey()));
            g.writeObjectFieldStart("devices");
            for (var d : p.getValue().entrySet()) {
                g.writeArrayFieldStart(d.getKey());
                for (double[] pair : d.getValue().pairs()) {
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

    /**
     * A series squeezed into at most {@code max} points, in constant memory: the span [from, to] in
     * {@code max} equal slices, each the mean time and mean value of the readings in it.
     */
    static final class Buckets {
        private final long from;
        private final long span;
        private final double[] time;
        private final double[] value;
        private final int[] n;

        Buckets(long from, long to, int max) {
            this.from = from;
            this.span = Math.max(1, to - from + 1);
            this.time = new double[max];
            this.value = new double[max];
            this.n = new int[max];
        }

        void add(long t, double v) {
            int i = (int) Math.max(0, Math.min(n.length - 1, (t - from) * n.length / span));
            time[i] += t;
            value[i] += v;
            n[i]++;
        }

        List<double[]> pairs() {
            List<double[]> out = new ArrayList<>();
            for (int i = 0; i < n.length; i++) {
                if (n[i] > 0) {
                    out.add(new double[] {Math.round(time[i] / n[i]), value[i] / n[i]});
                }
            }
            return out;
        }
    }

    /** A CSV field: quoted, quotes doubled, and a leading = + - @ (a formula to a spreadsheet) made text. */
    static String csvText(String s) {
        if (s == null) {
            return "";
        }
        String t = !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
        return "\"" + t.replace("\"", "\"\"") + "\"";
    }
}
