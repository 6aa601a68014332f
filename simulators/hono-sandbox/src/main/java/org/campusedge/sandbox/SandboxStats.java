package org.campusedge.sandbox;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Counters of what the sandbox did. Device-side outcomes count messages from devices (telemetry,
 * events, command responses) by how they were settled; presettled messages that could not be
 * forwarded count as {@code dropped}. Safe to read from any thread.
 */
public final class SandboxStats {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    private final Map<String, AtomicLong> rejected = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong commandsRouted = new AtomicLong();
    private final AtomicLong commandsReleased = new AtomicLong();
    private final AtomicLong commandResponses = new AtomicLong();
    private final AtomicLong commandsMalformed = new AtomicLong();
    private final AtomicInteger deviceConnections = new AtomicInteger();
    private final AtomicInteger northConnections = new AtomicInteger();
    private final AtomicLong logins = new AtomicLong();
    /** How often each CloudEvent id was accepted from a device (the first 200,000 ids): re-sends show as counts above 1. */
    private final Map<String, AtomicInteger> acceptedById = new ConcurrentHashMap<>();
    private static final int MAX_IDS = 200_000;
    /** How often each CloudEvent id was handed to a northbound consumer (the first 200,000 ids). */
    private final Map<String, AtomicInteger> forwardedById = new ConcurrentHashMap<>();

    /**
     * Per CloudEvent id, how many times a device's message carrying it was accepted: what was
     * actually sent, so a test can tell a re-send (at least once) from a loss and hold the city's
     * duplicate count against it.
     */
    public Map<String, Integer> acceptedByEventId() {
        Map<String, Integer> out = new java.util.HashMap<>();
        acceptedById.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /**
     * Per CloudEvent id, how many copies were handed to a northbound consumer. It can be more than
     * {@link #acceptedByEventId()}: a consumer slower than the sandbox's forward timeout gets the
     * copy while the device is told "released" and sends it again, as Hono does (at least once).
     * What a consumer that de-duplicates must have counted as duplicates is the sum of these less one.
     */
    public Map<String, Integer> forwardedByEventId() {
        Map<String, Integer> out = new java.util.HashMap<>();
        forwardedById.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    void acceptedEvent(final String id) {
        count(acceptedById, id);
    }

    void forwardedEvent(final String id) {
        count(forwardedById, id);
    }

    private static void count(final Map<String, AtomicInteger> byId, final String id) {
        AtomicInteger n = byId.get(id);
        if (n == null && byId.size() < MAX_IDS) {
            n = byId.computeIfAbsent(id, k -> new AtomicInteger());
        }
        if (n != null) {
            n.incrementAndGet();
        }
    }

    /** @return SASL logins either side was sent (a user name and password reached the sandbox), granted or not */
    public long logins() {
        return logins.get();
    }

    void login() {
        logins.incrementAndGet();
    }

    /** @return device-side messages settled {@code accepted} (or presettled and forwarded) */
    public long accepted() {
        return accepted.get();
    }

    /** @return device-side messages settled {@code released} */
    public long released() {
        return released.get();
    }

    /** @return device-side messages settled {@code rejected}, in total */
    public long rejected() {
        return rejected.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** @return device-side messages settled {@code rejected}, by error condition */
    public Map<String, Long> rejectedByReason() {
        return snapshot(rejected);
    }

    /** @return presettled device-side messages that were not forwarded, by reason */
    public Map<String, Long> droppedByReason() {
        return snapshot(dropped);
    }

    /** @return presettled device-side messages that were not forwarded, in total */
    public long dropped() {
        return dropped.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** @return telemetry, events and command responses handed to a northbound consumer */
    public long forwardedNorthbound() {
        return forwarded.get();
    }

    /** @return empty notification (ttd) events sent northbound */
    public long notificationsSent() {
        return notifications.get();
    }

    /** @return commands handed to a device's command link */
    public long commandsRouted() {
        return commandsRouted.get();
    }

    /** @return commands released because no device link (or credit) was there */
    public long commandsReleased() {
        return commandsReleased.get();
    }

    /** @return command records on a Kafka command topic that were not a valid Hono command (skipped) */
    public long commandsMalformed() {
        return commandsMalformed.get();
    }

    /** @return command responses forwarded northbound */
    public long commandResponsesRouted() {
        return commandResponses.get();
    }

    /** @return open device-side connections */
    public int deviceConnections() {
        return deviceConnections.get();
    }

    /** @return open northbound connections */
    public int northConnections() {
        return northConnections.get();
    }

    /** @return all counters as one JSON object */
    public String toJson() {
        final Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("accepted", accepted());
        m.put("released", released());
        m.put("rejected", rejected());
        m.put("rejectedByReason", rejectedByReason());
        m.put("dropped", dropped());
        m.put("droppedByReason", droppedByReason());
        m.put("forwardedNorthbound", forwardedNorthbound());
        m.put("notificationsSent", notificationsSent());
        m.put("commandsRouted", commandsRouted());
        m.put("commandsReleased", commandsReleased());
        m.put("commandResponsesRouted", commandResponsesRouted());
        m.put("commandsMalformed", commandsMalformed());
        m.put("deviceConnections", deviceConnections());
        m.put("northConnections", northConnections());
        try {
            return JSON.writeValueAsString(m);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return toJson();
    }

    void accepted(final int n) {
        accepted.addAndGet(n);
    }

    void released(final int n) {
        released.addAndGet(n);
    }

    void rejected(final String reason) {
        rejected.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    }

    void dropped(final String reason) {
        dropped.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    }

    void forwarded() {
        forwarded.incrementAndGet();
    }

    void notificationSent() {
        notifications.incrementAndGet();
    }

    void commandRouted() {
        commandsRouted.incrementAndGet();
    }

    void commandReleased() {
        commandsReleased.incrementAndGet();
    }

    void commandMalformed() {
        commandsMalformed.incrementAndGet();
    }

    void commandResponseRouted() {
        commandResponses.incrementAndGet();
    }

    void deviceConnection(final int delta) {
        deviceConnections.addAndGet(delta);
    }

    void northConnection(final int delta) {
        northConnections.addAndGet(delta);
    }

    private static Map<String, Long> snapshot(final Map<String, AtomicLong> counters) {
        final Map<String, Long> copy = new TreeMap<>();
        counters.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }
}
