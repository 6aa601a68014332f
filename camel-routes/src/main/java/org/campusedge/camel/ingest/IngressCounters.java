package org.campusedge.camel.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.campusedge.api.BackpressureException;
import org.campusedge.api.DeviceCounters;
import org.campusedge.api.RejectedInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-device accepted/rejected counters of every connector, with the last rejection reason.
 * Rejections are logged at WARN at most once a minute per device, never per message.
 */
public final class IngressCounters implements DeviceCounters {

    private static final Logger LOG = LoggerFactory.getLogger(IngressCounters.class);
    private static final long LOG_EVERY_MS = 60_000;

    private static final class Entry {
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder deferred = new LongAdder();
        volatile String lastError;
        volatile Instant lastErrorAt;
        volatile long lastLogged;
        volatile long lastSeen; // epoch ms of the device's last message, whatever became of it
        volatile long lastAccepted; // epoch ms of its last accepted message
        /** Points its profile lacks: name to unit and readings; at most {@link #MAX_UNPROFILED} names, the rest under "…". */
        final ConcurrentMap<String, Unprofiled> unprofiled = new ConcurrentHashMap<>();
    }

    /** Distinct unprofiled point names kept per device: a kit sending random names cannot grow this map. */
    static final int MAX_UNPROFILED = 16;

    private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();

    public void accepted(String device) {
        Entry e = entry(device);
        e.accepted.increment();
        long now = System.currentTimeMillis();
        e.lastSeen = now;
        e.lastAccepted = now;
    }

    /** A reading of a point the device's profile lacks, kept and marked; counted per point name. */
    public void unprofiled(String device, String point, String unit) {
        Entry e = entry(device);
        String name = e.unprofiled.containsKey(point) || e.unprofiled.size() < MAX_UNPROFILED ? point : "…";
        e.unprofiled.merge(name, new Unprofiled(name, unit, 1), (a, b) -> new Unprofiled(name, b.unit(), a.readings() + 1));
    }

    /** The device answered the gateway (a command's reply): it is there, though it sent no events. */
    public void seen(String device) {
        entry(device).lastSeen = System.currentTimeMillis();
    }

    /** What became of one message from a device, as every connector answers it. */
    public enum Outcome { ACCEPTED, REJECTED, DEFERRED, FAILED }

    /**
     * Counts the end of one message from a device from its route's exception (null when it was
     * stored) and says which of the four outcomes it was; the connector turns that into its answer.
     */
    public Outcome record(String device, Exception failure) {
        if (failure == null) {
            accepted(device);
            return Outcome.ACCEPTED;
        } else if (failure instanceof RejectedInputException rejected) {
            rejected(device, rejected.getMessage());
            return Outcome.REJECTED;
        } else if (failure instanceof BackpressureException) {
            deferred(device);
            return Outcome.DEFERRED;
        }
        failed(device, failure);
        return Outcome.FAILED;
    }

    /** The gateway told the device to retry later (store queue full); not the device's fault. */
    public void deferred(String device) {
        Entry e = entry(device);
        e.deferred.increment();
        e.lastSeen = System.currentTimeMillis();
    }

    public void rejected(String device, String reason) {
        Entry e = entry(device);
        e.rejected.increment();
        note(device, e, reason, "rejected input");
    }

    /**
     * A message in the device's name that did not prove to come from it (no key, another device's):
     * counted and noted, but not taken as the device being heard — a forger must not keep a stolen
     * or unplugged device from going offline.
     */
    public void unproven(String device, String reason) {
        Entry e = entry(device);
        e.rejected.increment();
        long seen = e.lastSeen;
        note(device, e, reason, "refused a message that did not prove to come from it");
        e.lastSeen = seen;
    }

    public void failed(String device, Throwable failure) {
        Entry e = entry(device);
        e.rejected.increment();
        note(device, e, failure.toString(), "could not be handled");
    }

    private void note(String device, Entry e, String reason, String what) {
        Instant now = Instant.now();
        e.lastError = reason;
        e.lastErrorAt = now;
        e.lastSeen = now.toEpochMilli();
        if (now.toEpochMilli() - e.lastLogged > LOG_EVERY_MS) {
            e.lastLogged = now.toEpochMilli();
            LOG.warn("Device {} {} ({} so far): {}", device, what, e.rejected.sum(), reason);
        }
    }

    private Entry entry(String device) {
        return entries.computeIfAbsent(device, d -> new Entry());
    }

    @Override
    public List<Counts> all() {
        List<Counts> out = new ArrayList<>();
        entries.forEach((d, e) -> out.add(counts(d, e)));
        out.sort((a, b) -> a.deviceId().compareTo(b.deviceId()));
        return out;
    }

    @Override
    public Counts of(String deviceId) {
        Entry e = entries.get(deviceId);
        return e == null ? new Counts(deviceId, 0, 0, 0, null, null, null, null) : counts(deviceId, e);
    }

    private static Counts counts(String d, Entry e) {
        List<Unprofiled> unprofiled = new ArrayList<>(e.unprofiled.values());
        unprofiled.sort((a, b) -> a.point().compareTo(b.point()));
        return new Counts(d, e.accepted.sum(), e.rejected.sum(), e.deferred.sum(), e.lastError, e.lastErrorAt,
                e.lastSeen == 0 ? null : Instant.ofEpochMilli(e.lastSeen), e.lastAccepted == 0 ? null : Instant.ofEpochMilli(e.lastAccepted),
                unprofiled);
    }
}
