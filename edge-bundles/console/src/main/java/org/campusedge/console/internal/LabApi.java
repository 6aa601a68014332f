package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Families;
import org.campusedge.api.LabTimetables;
import org.campusedge.web.Http;
import org.campusedge.web.WebExchange;
import org.campusedge.web.Sessions;

/**
 * The lab page's API ({@code /api/labs}, {@code /api/lab/...}, the lab's live feed) and the admin's
 * grants of labs to teachers. Every lab request is checked against {@link LabAccess}: a teacher
 * outside her lessons gets 403 with the reason and her next lesson there; her own recordings stay
 * hers to read.
 */
final class LabApi {

    private final LabAccess access;
    private final LabRecordings recordings;
    private final DeviceRegistry registry;
    private final LiveFeed feed;
    private final Sessions<Users.User> sessions;
    private final Users users;
    private final AuditLog audit;

    LabApi(LabAccess access, LabRecordings recordings, DeviceRegistry registry, LiveFeed feed, Sessions<Users.User> sessions, Users users, AuditLog audit) {
        this.access = access;
        this.recordings = recordings;
        this.registry = registry;
        this.feed = feed;
        this.sessions = sessions;
        this.users = users;
        this.audit = audit;
    }

    LabAccess access() {
        return access;
    }

    /** Answers a lab request of a teacher or the admin (the caller checked the role and the CSRF token). */
    void handle(WebExchange ex, String request, Sessions.Session<Users.User> s) throws IOException {
        Users.User me = s.user();
        Map<String, String> q = Http.form(ex.rawQuery());
        switch (request) {
            case "GET /api/labs" -> Http.json(ex, 200, g -> labs(g, me));
            case "GET /api/lab/grants" -> admin(ex, me, () -> Http.json(ex, 200, this::grants));
            case "POST /api/lab/grants", "POST /api/lab/grants/revoke" -> admin(ex, me, () -> grant(ex, me, request.endsWith("/grants")));
            case "POST /api/lab/recording" -> {
                Map<String, String> form = Http.form(Http.body(ex));
                String room = form.getOrDefault("room", "");
                if (open(ex, me, room)) {
                    try {
                        LabRecordings.Mark done = recordings.mark(room, "start".equals(form.get("action")), form.get("title"), me.name(),
                                me.role() == Users.Role.ADMIN, r -> abandoned(r, room));
                        switch (done) {
                            case DONE -> Http.text(ex, 200, "done");
                            case CONFLICT -> Http.text(ex, 409, "a recording is already running, or none is");
                            case NOT_YOURS -> Http.text(ex, 403, "another teacher's recording: she, or the admin, stops it");
                        }
                    } catch (IllegalArgumentException e) {
                        Http.text(ex, 400, e.getMessage());
                    } catch (Exception e) {
                        Http.text(ex, 503, "the recording mark could not be stored: " + e.getMessage());
                    }
                }
            }
            // the lab's last minutes (45 at most) for the live charts to start from
            case "GET /api/lab/history" -> {
                String room = q.getOrDefault("room", "");
                if (open(ex, me, room)) {
                    int minutes = ApiViews.parse(q.get("minutes"), 45, 1, 45);
                    Instant now = Instant.now();
                    heavy(ex, () -> Http.json(ex, 200, g -> recordings.series(room, now.minus(Duration.ofMinutes(minutes)), now, g)));
                }
            }
            // the recordings: all of them while the lab is hers; her own at any time
            case "GET /api/lab/recordings" -> {
                String room = q.getOrDefault("room", "");
                boolean open = access.mayWatch(me, room);
                Http.json(ex, 200, g -> ApiViews.recordings(g, recordings.list(room).stream()
                        .filter(r -> open || me.name().equals(r.by())).toList()));
            }
            case "GET /api/lab/recording.json", "GET /api/lab/recording.csv" -> recording(ex, me, q, request.endsWith(".csv"));
            case "GET /api/stream" -> {
                String room = q.getOrDefault("room", "");
                if (open(ex, me, room)) {
                    // ends when the session does, or when the lesson (and its margin) is over
                    // the lesson is looked up again every few seconds, not for every reading
                    long[] checkedAt = {System.nanoTime()};
                    boolean[] allowed = {true};
                    // the lab's readings and its alarms' changes, on one stream (a staff room's browsers share one address's connections)
                    feed.serve(ex, e -> room.equals(e.location().room()) && (e.kind().equals(Families.LAB_READING) || e.kind().startsWith("alarm.")
                            && AlarmAudience.of(e.deviceId(), registry).seenBy(me.role(), ApiViews.severityOf(e))), () -> {
                        if (System.nanoTime() - checkedAt[0] > 5_000_000_000L) {
                            allowed[0] = access.mayWatch(me, room);
                            checkedAt[0] = System.nanoTime();
                        }
                        return allowed[0] && sessions.isLive(s.id());
                    }, me.role() == Users.Role.TEACHER);
                }
            }
            default -> Http.text(ex, 404, "no such API");
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void admin(WebExchange ex, Users.User me, Action action) throws IOException {
        if (me.role() == Users.Role.ADMIN) {
            action.run();
        } else {
            Http.text(ex, 403, "only the admin grants labs");
        }
    }

    /** True when the room is open to the user now; else answers 403 with why and her next lesson there. */
    private boolean open(WebExchange ex, Users.User me, String room) throws IOException {
        LabAccess.Decision d = access.decide(me, room);
        if (!d.open()) {
            Http.text(ex, 403, "the lab " + room + " is not yours now: it opens to you in your own lessons there (by the timetable)"
                    + " or when the admin grants it" + (d.lesson() == null ? "" : "; your next lesson there starts " + d.lesson().start()));
        }
        return d.open();
    }

    /**
     * A recording's charts or CSV: whole while the lab is open to the reader; her own also afterwards,
     * up to the end of the lesson she recorded it in (a recording she left running shows nobody else's lesson).
     */
    private void recording(WebExchange ex, Users.User me, Map<String, String> q, boolean csv) throws IOException {
        String room = q.getOrDefault("room", "");
        String id = q.getOrDefault("id", "");
        var found = recordings.list(room).stream().filter(r -> r.id().equals(id)).findFirst();
        if (found.isEmpty()) {
            Http.text(ex, 404, "no recording " + id + " in " + room);
            return;
        }
        LabRecordings.Recording rec = found.get();
        Instant cap = null;
        if (!access.mayWatch(me, room)) {
            java.util.Optional<Instant> until = me.name().equals(rec.by()) ? access.lessonEnd(me, room, rec.start()) : java.util.Optional.empty();
            if (until.isEmpty()) {
                open(ex, me, room); // answers 403 with the reason
                return;
            }
            cap = until.get();
        }
        Instant upTo = cap;
        heavy(ex, () -> {
            StringWriter w = new StringWriter();
            if (csv) {
                recordings.csv(rec, upTo, w);
                ex.responseHeaders().put("Content-Disposition", "attachment; filename=\"lab-recording-" + id.replaceAll("[^A-Za-z0-9_-]", "")
                        + ".csv\"");
                Http.send(ex, 200, "text/csv; charset=utf-8", w.toString().getBytes(StandardCharsets.UTF_8));
            } else {
                try (JsonGenerator g = Http.JSON.createGenerator(w)) {
                    recordings.recordingSeries(rec, upTo, g);
                }
                Http.send(ex, 200, "application/json; charset=utf-8", w.toString().getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    /** Whether a running recording was left by a teacher who may no longer watch its lab (or is no longer a user). */
    private boolean abandoned(LabRecordings.Recording r, String room) {
        return users.role(r.by()).map(role -> !access.mayWatch(new Users.User(r.by(), role), room)).orElse(true);
    }

    /**
     * Runs a read of many readings (a lab's history, a recording) when fewer than two are under way,
     * else answers 503: a few teachers' downloads cannot keep the store's reader from the guards' pages.
     */
    private void heavy(WebExchange ex, Action read) throws IOException {
        if (!heavyReads.tryAcquire()) {
            Http.text(ex, 503, "the gateway is reading another lab's data; try again in a moment");
            return;
        }
        try {
            read.run();
        } finally {
            heavyReads.release();
        }
    }

    private final java.util.concurrent.Semaphore heavyReads = new java.util.concurrent.Semaphore(2);

    /**
     * The labs and their sensor kits, and for each whether it is open to the user now and why:
     * {room: {kits: [{id, bench}], open, why, lesson: {start, end, class} (the one under way, or her next)}}.
     */
    private void labs(JsonGenerator g, Users.User me) throws IOException {
        Map<String, List<Device>> rooms = new TreeMap<>();
        for (Device d : registry.devices()) {
            if (d.family().equals(Families.LAB) && d.location().room() != null) {
                rooms.computeIfAbsent(d.location().room(), r -> new ArrayList<>()).add(d);
            }
        }
        g.writeStartObject();
        for (var r : rooms.entrySet()) {
            LabAccess.Decision d = access.decide(me, r.getKey());
            g.writeObjectFieldStart(r.getKey());
            g.writeArrayFieldStart("kits");
            for (Device kit : r.getValue().stream().sorted(java.util.Comparator.comparing(Device::id)).toList()) {
                g.writeStartObject();
                g.writeStringField("id", kit.id());
                g.writeStringField("bench", kit.location().zone() == null ? kit.id() : kit.location().zone());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("open", d.open());
            g.writeStringField("why", d.why());
            if (d.lesson() != null) {
                LabTimetables.Lesson l = d.lesson();
                g.writeObjectFieldStart("lesson");
                g.writeStringField("start", l.start().toString());
                g.writeStringField("end", l.end().toString());
                g.writeStringField("class", l.className());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private void grants(JsonGenerator g) throws IOException {
        g.writeStartArray();
        for (LabGrants.Grant gr : access.grants().list()) {
            g.writeStartObject();
            g.writeStringField("user", gr.user());
            g.writeStringField("room", gr.room());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private void grant(WebExchange ex, Users.User me, boolean granted) throws IOException {
        Map<String, String> form = Http.form(Http.body(ex));
        String user = form.getOrDefault("user", "");
        String room = form.getOrDefault("room", "");
        if (granted && users.role(user).filter(r -> r == Users.Role.TEACHER).isEmpty()) {
            Http.text(ex, 400, "'" + user + "' is not a teacher of this console");
            return;
        }
        if (granted && registry.devices().stream().noneMatch(d -> d.family().equals(Families.LAB) && room.equals(d.location().room()))) {
            Http.text(ex, 400, "no lab '" + room + "' in the inventory");
            return;
        }
        try {
            boolean changed = access.grants().set(user, room, granted);
            if (changed) {
                audit.record(granted ? "audit.lab-granted" : "audit.lab-revoked", org.campusedge.api.Severity.NOTICE,
                        Map.of("user", user, "room", room, "by", me.name()));
            }
            Http.text(ex, 200, changed ? "done" : "nothing to change");
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage());
        }
    }
}
