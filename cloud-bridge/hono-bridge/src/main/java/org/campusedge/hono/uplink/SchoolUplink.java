package org.campusedge.hono.uplink;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.campusedge.api.Outbox;
import org.campusedge.hono.internal.Uplinks;

/**
 * One school's link to the city as the gateway's cloud bundle runs it: its outbox drained in order,
 * critical lane first, through a Hono device connection as the school's Hono gateway. The published
 * door for what runs many schools' links outside the gateway (the school fleet of the cloud
 * benchmark); the gateway itself builds the same parts inside its bundle.
 */
public final class SchoolUplink implements AutoCloseable {

    /** Hono's content type of every message to the city: a CloudEvent in JSON. */
    public static final String CONTENT_TYPE = Uplinks.CONTENT_TYPE;
    /** The CloudEvent type of a CRITICAL alarm's transition. */
    public static final String ALARM = Uplinks.ALARM;
    /** The prefix of the summaries' CloudEvent types ({@code energy.v1}, {@code alarms.v1}, ...). */
    public static final String SUMMARY = Uplinks.SUMMARY;
    /** Where summaries go: the gateway's own telemetry. */
    public static final String TELEMETRY = "telemetry";

    /**
     * @param gatewayId   the school's Hono gateway, {@code gw-<school id>}
     * @param sendTimeout how long a message may wait for Hono's disposition
     */
    public record Settings(String host, int port, String tenant, String gatewayId, String password, boolean tls,
                           String trustStorePath, Duration sendTimeout) {
    }

    private final Uplinks.Running running;

    private SchoolUplink(Uplinks.Running running) {
        this.running = running;
    }

    /**
     * Connects and starts draining {@code outbox} at most {@code maxPerSecond} messages a second,
     * backing off between {@code minBackoff} and {@code maxBackoff} while Hono refuses.
     */
    public static SchoolUplink start(Outbox outbox, Settings s, int maxPerSecond, Duration minBackoff, Duration maxBackoff) {
        return new SchoolUplink(Uplinks.start(outbox, s.host(), s.port(), s.tenant(), s.gatewayId(), s.password(), s.tls(),
                s.trustStorePath(), s.sendTimeout(), maxPerSecond, minBackoff, maxBackoff));
    }

    /** Something was queued: look at the outbox now. */
    public void wakeUp() {
        running.wakeUp();
    }

    /** Messages Hono accepted so far. */
    public long accepted() {
        return running.accepted();
    }

    /** Attempts Hono refused or that failed (each retried). */
    public long refused() {
        return running.refused();
    }

    /**
     * A message to the city as the gateway writes it: a CloudEvent (structured JSON) whose {@code id}
     * is the city's de-duplication key.
     *
     * @param subject the device it is about, or null
     * @param data    the type's fields (cloud-bridge/CLOUD-MESSAGES.md)
     */
    public static byte[] message(String id, String school, String type, String subject, Instant time, Map<String, Object> data) {
        return Uplinks.envelope(id, school, type, subject, time, data);
    }

    /** The Hono address of an event about one of the school's devices (null: the gateway itself). */
    public static String eventAddress(String school, String deviceId) {
        return Uplinks.eventFor(school, deviceId);
    }

    @Override
    public void close() {
        running.close();
    }
}
