package org.campusedge.camel.coap;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.KeyMID;
import org.eclipse.californium.core.network.deduplication.Deduplicator;

/**
 * CoAP de-duplication with a fixed upper bound on what it holds: the last {@code capacity}
 * exchanges in all, each for at most {@code lifetimeMillis}. Californium's deduplicators bound
 * time, or messages per peer, but not the number of peers: a flood from fresh source ports made
 * every datagram a new peer and kept its exchange (and payload) for minutes.
 *
 * <p>When full, the oldest exchange is forgotten. A retransmission arriving after its exchange was
 * forgotten is handled again; the gateway still stores it once, because every event a device sends
 * has an id derived from the device and the data, and the store ignores an id it already has.
 */
final class BoundedDeduplicator implements Deduplicator {

    private record Entry(Exchange exchange, long atMillis) {
    }

    private final int capacity;
    private final long lifetimeMillis;
    private final ConcurrentHashMap<KeyMID, Entry> exchanges = new ConcurrentHashMap<>();
    private final ArrayBlockingQueue<KeyMID> order;
    private final LongAdder evicted = new LongAdder();
    private volatile ScheduledExecutorService executor;
    private ScheduledFuture<?> sweeper;

    BoundedDeduplicator(int capacity, long lifetimeMillis) {
        this.capacity = capacity;
        this.lifetimeMillis = lifetimeMillis;
        this.order = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public synchronized void start() {
        if (sweeper == null && executor != null) {
            long every = Math.max(1_000, lifetimeMillis / 4);
            sweeper = executor.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (sweeper != null) {
            sweeper.cancel(false);
            sweeper = null;
        }
    }

    @Override
    public void setExecutor(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** The map and the order queue change together, under this lock: a key is in both or in neither. */
    private final Object lock = new Object();

    @Override
    public Exchange findPrevious(KeyMID key, Exchange exchange) {
        Entry fresh = new Entry(exchange, System.currentTimeMillis());
        synchronized (lock) {
            Entry previous = exchanges.putIfAbsent(key, fresh);
            if (previous != null) {
                return previous.exchange();
            }
            if (!order.offer(key)) {
                KeyMID oldest = order.poll();
                if (oldest != null && exchanges.remove(oldest) != null) {
                    evicted.increment();
                }
                order.offer(key);
            }
            return null;
        }
    }

    @Override
    public boolean replacePrevious(KeyMID key, Exchange previous, Exchange exchange) {
        Entry old = exchanges.get(key);
        if (old == null || old.exchange() != previous) {
            return false;
        }
        return exchanges.replace(key, old, new Entry(exchange, System.currentTimeMillis()));
    }

    @Override
    public Exchange find(KeyMID key) {
        Entry e = exchanges.get(key);
        return e == null ? null : e.exchange();
    }

    @Override
    public boolean isEmpty() {
        return exchanges.isEmpty();
    }

    @Override
    public int size() {
        return exchanges.size();
    }

    @Override
    public void clear() {
        synchronized (lock) {
            exchanges.clear();
            order.clear();
        }
    }

    /** Exchanges forgotten before their lifetime because the table was full. */
    long evicted() {
        return evicted.sum();
    }

    int capacity() {
        return capacity;
    }

    /** Drops what is older than the lifetime; the queue keeps insertion order, so it stops at the first young one. */
    private void sweep() {
        long oldest = System.currentTimeMillis() - lifetimeMillis;
        synchronized (lock) {
            KeyMID k;
            while ((k = order.peek()) != null) {
                Entry e = exchanges.get(k);
                if (e != null && e.atMillis() >= oldest) {
                    break;
                }
                order.poll();
                if (e != null) {
                    exchanges.remove(k, e);
                }
            }
        }
    }
}
