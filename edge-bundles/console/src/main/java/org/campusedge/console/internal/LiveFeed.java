package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Families;
import org.campusedge.api.Measurement;
import org.campusedge.web.Http;
import org.campusedge.web.WebExchange;

/**
 * Pushes events to browsers as Server-Sent Events: each open page is a client with its own filter
 * and a bounded queue, written by the request's own thread, so a slow browser never holds up the
 * bus or the other browsers; a client that falls 256 events behind loses the oldest (counted) —
 * the security page then reloads its alarm list, which is the truth. When the session ends (signed
 * out, expired, password changed) the stream ends within a beat, and the next request is refused
 * 401, which the page shows as a session that ended.
 */
final class LiveFeed {

    private static final int QUEUE = 256;
    /**
     * A quiet feed still says something this often ({@code event: beat} with the gateway's time), so
     * a page can tell a quiet campus from a dead connection: the security page calls its data stale
     * after three missed beats.
     */
    static final long BEAT_SECONDS = 5;

    private final Set<Client> clients = new CopyOnWriteArraySet<>();
    private final AtomicLong dropped = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
    /** Streams of the labs' pages (teachers'): at most half of all, so that the guards' alarm pages always find room. */
    private final java.util.concurrent.atomic.AtomicInteger labOpen = new java.util.concurrent.atomic.AtomicInteger();
    private final int maxClients;

    LiveFeed(int maxClients) {
        this.maxClients = maxClients;
    }

    private static final class Client {
        final Predicate<CampusEvent> filter;
        final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);

        Client(Predicate<CampusEvent> filter) {
            this.filter = filter;
        }
    }

    /** Called for every durable event (on the bus's thread for the console): only enqueues. */
    void publish(CampusEvent e) {
        String message = null;
        for (Client c : clients) {
            if (c.filter.test(e)) {
                if (message == null) {
                    message = message(e);
                }
                while (!c.queue.offer(message)) {
                    c.queue.poll();
                    dropped.incrementAndGet();
                }
            }
        }
    }

    long dropped() {
        return dropped.get();
    }

    int clients() {
        return clients.size();
    }

    /** Serves one browser until it goes away or its session ends; holds the calling thread. */
    void serve(WebExchange ex, Predicate<CampusEvent> filter, java.util.function.BooleanSupplier sessionLive) throws IOException {
        serve(ex, filter, sessionLive, false);
    }

    /** As above; {@code labPage}: a teacher's stream, of which at most half of the live pages may be. */
    void serve(WebExchange ex, Predicate<CampusEvent> filter, java.util.function.BooleanSupplier sessionLive, boolean labPage)
            throws IOException {
        if (labPage && labOpen.incrementAndGet() > maxClients / 2) {
            labOpen.decrementAndGet();
            Http.text(ex, 503, "too many lab pages open: half of the live pages are kept for the security office");
            return;
        }
        if (open.incrementAndGet() > maxClients) {
            open.decrementAndGet();
            if (labPage) {
                labOpen.decrementAndGet();
            }
            Http.text(ex, 503, "too many live pages open");
            return;
        }
        ex.responseHeaders().put("Content-Type", "text/event-stream; charset=utf-8");
        ex.responseHeaders().put("Cache-Control", "no-store");
        Client c = new Client(filter);
        clients.add(c);
        try (OutputStream out = ex.stream(200)) {
            out.write(beat().getBytes(StandardCharsets.UTF_8));
            out.flush();
            long nextBeat = System.nanoTime() + TimeUnit.SECONDS.toNanos(BEAT_SECONDS);
            while (sessionLive.getAsBoolean()) {
                String m = c.queue.poll(Math.max(1, nextBeat - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m != null) {
                    out.write(m.getBytes(StandardCharsets.UTF_8));
                }
                if (m == null || System.nanoTime() >= nextBeat) {
                    out.write(beat().getBytes(StandardCharsets.UTF_8));
                    nextBeat = System.nanoTime() + TimeUnit.SECONDS.toNanos(BEAT_SECONDS);
                }
                out.flush();
            }
        } catch (IOException e) {
            // the browser left
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(c);
            open.decrementAndGet();
            if (labPage) {
                labOpen.decrementAndGet();
            }
        }
    }

    private static String beat() {
        return "event: beat\ndata: {\"at\":\"" + java.time.Instant.now() + "\"}\n\n";
    }

    static String message(CampusEvent e) {
        String event = e.kind().startsWith("alarm.") ? "alarm" : e.kind().equals(Families.LAB_READING) ? "reading"
                : e.kind().startsWith("audit.drill-") ? "drill" : "event";
        return "event: " + event + "\ndata: " + json(e) + "\n\n";
    }

    /** An event as the pages read it: id, kind, severity, device, place, time, the first measurement, the attributes. */
    static String json(CampusEvent e) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = Http.JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("id", e.id());
            g.writeStringField("kind", e.kind());
            g.writeStringField("severity", e.severity().name());
            g.writeStringField("device", e.deviceId());
            g.writeStringField("building", e.location().building());
            g.writeStringField("room", e.location().room());
            g.writeStringField("time", e.occurredAt().toString());
            Measurement m = e.measurements().isEmpty() ? null : e.measurements().get(0);
            if (m != null) {
                g.writeStringField("point", m.name());
                g.writeStringField("unit", m.unit());
                if (m.value() != null) {
                    g.writeNumberField("value", m.value());
                }
            }
            g.writeObjectFieldStart("attributes");
            for (var a : e.attributes().entrySet()) {
                g.writeStringField(a.getKey(), a.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return w.toString();
    }
}
