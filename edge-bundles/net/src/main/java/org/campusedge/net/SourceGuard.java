package org.campusedge.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each source address on the device network may make the gateway do, and what it did: one
 * per connector (CoAP, device HTTP, card readers). A source gets a message rate (a token bucket),
 * a number of open connections, and a penalty: a source that has sent {@code penaltyRejections}
 * bad messages within ten seconds is not listened to for {@code penaltySeconds}, so a machine that
 * sends only garbage costs the gateway almost nothing. Everything is counted per source and shown
 * in {@code run/sources.tsv}; one address's excess never touches another's allowance.
 *
 * <p>The table is bounded: at most {@code maxSources} addresses have their own entry; beyond that
 * (an attacker spoofing addresses) the newcomers share one entry, "other", and its limits, while
 * the addresses already known keep theirs. Entries quiet for ten minutes are forgotten.
 */
public final class SourceGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SourceGuard.class);
    private static final long WINDOW_NANOS = 10_000_000_000L;
    private static final long FORGET_NANOS = 600_000_000_000L;
    /** How long an accepted message keeps its source out of the penalty. */
    private static final long PROVEN_NANOS = 60_000_000_000L;

    /** The limits of one connector. */
    public record Limits(double messagesPerSecond, double burst, int connectionsPerSource, int connections,
                         int penaltyRejections, int penaltySeconds, int maxSources) {
    }

    /** One source's counters, for the report. */
    public record Counts(String source, long messages, long limited, long rejected, long penalised, long connectionsRefused,
                         int openConnections, boolean inPenalty) {
    }

    private final class Entry {
        final String name;
        final LongAdder messages = new LongAdder();
        final LongAdder limited = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder penalised = new LongAdder();
        final LongAdder connectionsRefused = new LongAdder();
        final AtomicInteger open = new AtomicInteger();
        // token bucket and error window, guarded by this
        double tokens = limits.burst();
        long refilled = System.nanoTime();
        long windowStart = refilled;
        int windowRejections;
        volatile long penaltyUntil;
        volatile long lastSeen = refilled;
        volatile long lastGood; // nanos of the last message answered as accepted; 0: never

        Entry(String name) {
            this.name = name;
        }

        synchronized boolean take(long now) {
            tokens = Math.min(limits.burst(), tokens + (now - refilled) * limits.messagesPerSecond() / 1e9);
            refilled = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        synchronized boolean reject(long now) {
            if (now - windowStart > WINDOW_NANOS) {
                windowStart = now;
                windowRejections = 0;
            }
            return ++windowRejections >= limits.penaltyRejections() && limits.penaltyRejections() > 0;
        }
    }

    private final String connector;
    private final Limits limits;
    private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Entry other;
    private final AtomicInteger totalConnections = new AtomicInteger();
    private final LongAdder totalRefused = new LongAdder();
    private volatile long lastSweep = System.nanoTime();

    public SourceGuard(String connector, Limits limits) {
        this.connector = connector;
        this.limits = limits;
        this.other = new Entry("other");
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Whether a message from this source may be handled now: false while the source is in its
     * penalty or over its rate. Counted either way.
     */
    public boolean admit(InetAddress source) {
        return admit(source, true);
    }

    /**
     * As {@link #admit(InetAddress)}, with the rate enforced only when {@code enforceRate}: a UDP
     * server enforces it only while it is under pressure, because a sender's address on UDP can be
     * forged, and a forged flood must not use up a real device's allowance when there is room for both.
     */
    public boolean admit(InetAddress source, boolean enforceRate) {
        Entry e = entry(source);
        long now = System.nanoTime();
        e.lastSeen = now;
        e.messages.increment();
        if (now < e.penaltyUntil) {
            e.penalised.increment();
            return false;
        }
        if (enforceRate && !e.take(now)) {
            e.limited.increment();
            return false;
        }
        return true;
    }

    /** Whether the source is in its penalty now (its connections may be closed at once). */
    public boolean inPenalty(InetAddress source) {
        return System.nanoTime() < entry(source).penaltyUntil;
    }

    /** A message from this source was answered "busy" because it was over a share of its own (counted as limited). */
    public void overLimit(InetAddress source) {
        entry(source).limited.increment();
    }

    /**
     * A message from this source was accepted: the source is proven (something at that address
     * hears the answers) and is not put in its penalty for a minute, whatever else arrives under its
     * address. On UDP, where addresses can be forged, that keeps garbage sent in a device's name from
     * silencing the device.
     */
    public void accepted(InetAddress source) {
        entry(source).lastGood = System.nanoTime();
    }

    /** A message from this source was refused as bad input; enough of them put the source in its penalty. */
    public void rejected(InetAddress source) {
        Entry e = entry(source);
        e.rejected.increment();
        long now = System.nanoTime();
        boolean proven = e.lastGood != 0 && now - e.lastGood < PROVEN_NANOS;
        if (e.reject(now) && !proven && now >= e.penaltyUntil) {
            e.penaltyUntil = now + limits.penaltySeconds() * 1_000_000_000L;
            LOG.warn("{}: source {} sent {} bad messages within 10 s; ignored for {} s ({} rejected so far)", connector, e.name,
                    limits.penaltyRejections(), limits.penaltySeconds(), e.rejected.sum());
        }
    }

    /** A connection slot taken by {@link #opened}; {@link #close()} gives it back, once. */
    public final class Slot implements AutoCloseable {
        private final Entry entry;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        private Slot(Entry entry) {
            this.entry = entry;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                entry.open.decrementAndGet();
                totalConnections.decrementAndGet();
            }
        }
    }

    /**
     * Takes a connection slot for the source, or null (counted) when the source is in its penalty or
     * it or the connector has all the connections it may have. The slot is given back to the very
     * entry that gave it, even if the table has changed since (the address moved to "other" or back).
     */
    public Slot opened(InetAddress source) {
        Entry e = entry(source);
        e.lastSeen = System.nanoTime();
        if (System.nanoTime() < e.penaltyUntil) {
            e.connectionsRefused.increment();
            totalRefused.increment();
            return null;
        }
        if (e.open.incrementAndGet() > limits.connectionsPerSource()) {
            e.open.decrementAndGet();
            e.connectionsRefused.increment();
            totalRefused.increment();
            return null;
        }
        if (totalConnections.incrementAndGet() > limits.connections()) {
            totalConnections.decrementAndGet();
            e.open.decrementAndGet();
            e.connectionsRefused.increment();
            totalRefused.increment();
            return null;
        }
        return new Slot(e);
    }

    public int openConnections() {
        return totalConnections.get();
    }

    public long connectionsRefused() {
        return totalRefused.sum();
    }

    private Entry entry(InetAddress source) {
        String key = source.getHostAddress();
        Entry e = entries.get(key);
        if (e != null) {
            return e;
        }
        sweep();
        if (entries.size() >= limits.maxSources()) {
            return other;
        }
        return entries.computeIfAbsent(key, Entry::new);
    }

    /** Forgets sources quiet for ten minutes with no connection open; at most once a second. */
    private void sweep() {
        long now = System.nanoTime();
        if (now - lastSweep < 1_000_000_000L) {
            return;
        }
        lastSweep = now;
        entries.values().removeIf(e -> e.open.get() == 0 && now - e.lastSeen > FORGET_NANOS && now >= e.penaltyUntil);
    }

    /** The sources with anything refused, worst first, at most {@code max}. */
    public List<Counts> offenders(int max) {
        List<Counts> out = new ArrayList<>();
        long now = System.nanoTime();
        List<Entry> all = new ArrayList<>(entries.values());
        all.add(other);
        for (Entry e : all) {
            long bad = e.limited.sum() + e.rejected.sum() + e.penalised.sum() + e.connectionsRefused.sum();
            if (bad > 0) {
                out.add(new Counts(e.name, e.messages.sum(), e.limited.sum(), e.rejected.sum(), e.penalised.sum(),
                        e.connectionsRefused.sum(), e.open.get(), now < e.penaltyUntil));
            }
        }
        out.sort(Comparator.comparingLong((Counts c) -> c.limited() + c.rejected() + c.penalised() + c.connectionsRefused()).reversed());
        return out.size() > max ? out.subList(0, max) : out;
    }

    public String connector() {
        return connector;
    }
}
