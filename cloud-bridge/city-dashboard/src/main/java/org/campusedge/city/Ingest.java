package org.campusedge.city;

import io.vertx.core.buffer.Buffer;
import java.sql.SQLException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.eclipse.hono.application.client.DownstreamMessage;
import org.eclipse.hono.application.client.MessageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each northbound message into database rows, synchronously: when {@link #accept} returns the message is
 * in the database and may be acknowledged; when the database fails it throws, and the client releases the
 * message instead (Hono delivers it again). Messages that can never be stored (wrong content type, malformed)
 * are counted and skipped, never fatal. Hono's empty notifications mark a gateway as connected or disconnected.
 */
final class Ingest {

    static final String EMPTY_NOTIFICATION = "application/vnd.eclipse-hono-empty-notification";
    private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);

    /** What became of one message. */
    enum Outcome { STORED, DUPLICATE, NOTIFICATION, UNSUPPORTED, MALFORMED }

    private final CityDatabase db;
    private final LongSupplier clock;
    private final LongAdder received = new LongAdder();
    private final LongAdder stored = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder unsupported = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final LongAdder failures = new LongAdder();

    Ingest(CityDatabase db, LongSupplier clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The schools these messages speak for, by their Hono device ids ({@code gw-<school>}, {@code <school>.<device>}). */
    static java.util.Set<String> schoolsOf(java.util.List<? extends DownstreamMessage<? extends MessageContext>> messages) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (DownstreamMessage<? extends MessageContext> m : messages) {
            String device = m.getDeviceId();
            String school = Commands.schoolOf(device);
            if (school == null && device != null && device.indexOf('.') > 0) {
                school = device.substring(0, device.indexOf('.'));
            }
            if (school != null) {
                out.add(school);
            }
        }
        return out;
    }

    /** The consumers' handler. */
    void accept(DownstreamMessage<? extends MessageContext> m) {
        Buffer payload = m.getPayload();
        handle(m.getDeviceId(), m.getContentType(), payload == null ? null : payload.getBytes(), m.getTimeTillDisconnect());
    }

    /**
     * Handles one message.
     *
     * @param device      the Hono device id it came from
     * @param contentType its content type
     * @param body        its body, possibly null
     * @param ttd         its time-till-disconnect, or null
     * @throws IllegalStateException when the database failed (nothing was stored)
     */
    Outcome handle(String device, String contentType, byte[] body, Integer ttd) {
        received.increment();
        try {
            if (EMPTY_NOTIFICATION.equals(contentType)) {
                return notification(device, ttd);
            }
            if (!CloudEventParser.isCloudEvent(contentType)) {
                unsupported.increment();
                warn(unsupported, "skipped a message of content type {} from {}", contentType, device);
                return Outcome.UNSUPPORTED;
            }
            CloudEvent e = CloudEventParser.parse(body);
            if (!Commands.validSchool(e.school())) {
                throw new BadMessageException("not a school id: " + e.school());
            }
            // a gateway speaks for its school only: as itself (gw-<school>) or for one of its devices (<school>.<device>)
            String gatewaySchool = Commands.schoolOf(device);
            boolean own = gatewaySchool != null ? gatewaySchool.equals(e.school())
                    : device != null && device.startsWith(e.school() + ".");
            if (!own) {
                throw new BadMessageException("school " + e.school() + " sent by " + device);
            }
            CityDatabase.Stored s = db.store(e, device, clock.getAsLong());
            (s == CityDatabase.Stored.NEW ? stored : duplicates).increment();
            return s == CityDatabase.Stored.NEW ? Outcome.STORED : Outcome.DUPLICATE;
        } catch (BadMessageException e) {
            malformed.increment();
            warn(malformed, "skipped a malformed message from {}: {}", device, e.getMessage());
            return Outcome.MALFORMED;
        } catch (SQLException e) {
            if (refusedForGood(e)) { // this message's data: retrying cannot help, and must not stop the ones after it
                malformed.increment();
                warn(malformed, "skipped a message from {} the database refuses: {}", device, e.getMessage());
                return Outcome.MALFORMED;
            }
            failures.increment();
            LOG.error("cannot store a message from {}: {}", device, e.toString());
            throw new IllegalStateException("database write failed", e);
        } catch (CityDatabase.BatchPoisoned retried) {
            throw retried; // the batch runs again: this message is handled (and counted) then
        } catch (RuntimeException bug) {
            // a fault of ours with this message's data (it would fail every time): skipped and counted, not retried
            // for ever - on Kafka that would hold back every message after it
            malformed.increment();
            LOG.error("skipped a message from {} that the dashboard cannot store: {}", device, bug.toString(), bug);
            return Outcome.MALFORMED;
        }
    }

    /**
     * Whether the database refuses this message's data for good (so it is skipped, not retried): PostgreSQL's data
     * exceptions (22), integrity violations (23), syntax or access rule violations (42), program limits such as a key
     * too long for its index (54); SQLite's too big (18), constraint (19), type mismatch (20) and range (25). A
     * connection lost, a lock timeout, a full disk are not: the message is tried again.
     */
    static boolean refusedForGood(SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.length() >= 2) {
            return switch (state.substring(0, 2)) {
                case "22", "23", "42", "54" -> true;
                default -> false;
            };
        }
        int code = e.getErrorCode() & 0xff; // SQLite: the primary result code
        return code == 18 || code == 19 || code == 20 || code == 25;
    }

    private Outcome notification(String device, Integer ttd) throws SQLException {
        boolean connected = ttd == null || ttd != 0;
        (connected ? connects : disconnects).increment();
        String school = Commands.schoolOf(device);
        if (school != null) {
            db.gatewaySeen(school, connected, clock.getAsLong());
        }
        return Outcome.NOTIFICATION;
    }

    private static void warn(LongAdder counter, String format, Object... args) {
        long n = counter.sum();
        if (n <= 20 || n % 1000 == 0) {
            LOG.warn(format, args);
        }
    }

    private long[] mark = new long[8];

    /** Remembers the counters (the writer's thread, before a batch's attempt). */
    void mark() {
        mark = new long[] {received.sum(), stored.sum(), duplicates.sum(), unsupported.sum(), malformed.sum(), connects.sum(),
            disconnects.sum(), failures.sum()};
    }

    /** Sets the counters back to the {@link #mark}: a batch's attempt was rolled back and runs again, to be counted then. */
    void backToMark() {
        LongAdder[] all = {received, stored, duplicates, unsupported, malformed, connects, disconnects, failures};
        for (int i = 0; i < all.length; i++) {
            all[i].reset();
            all[i].add(mark[i]);
        }
    }

    /** The counters now. */
    IngestStats stats() {
        return new IngestStats(received.sum(), stored.sum(), duplicates.sum(), unsupported.sum(), malformed.sum(),
                connects.sum(), disconnects.sum(), failures.sum());
    }
}
