package org.campusedge.camel.coap;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
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
 * CoAP de-duplication with fixed upper bounds on what it holds: the last {@code perPeer} exchanges
 * of each peer (a sensor has one or two requests in flight; its retransmissions are of those), and
 * the last {@code capacity} in all, each for at most {@code lifetimeMillis}. Californium's own
 * deduplicators bound time, or messages per peer, but not the number of peers: a flood from fresh
 * source ports made every datagram a new peer and kept its exchange for minutes. The per-peer bound
 * also keeps a busy device's exchanges short-lived (they die young, the garbage collector's cheap
 * case); the total bound is what a flood of new peers meets.
 *
 * <p>When a bound is reached, the oldest exchange goes. A retransmission arriving after its exchange
 * was forgotten is handled again; the gateway still stores it once, because every event a device
 * sends has an id derived from the device and the data, and the store ignores an id it already has.
 */
final class BoundedDeduplicator implements Deduplicator {

    private record Entry(Exchange exchange, long atMillis) {
    }

    private final int capacity;
    private final int perPeer;
    private final long lifetimeMillis;
    private final ConcurrentHashMap<KeyMID, Entry> exchanges = new ConcurrentHashMap<>();
    /** Keys in arrival order; may still hold keys a peer's own bound removed (they are skipped). */
    private final ArrayBlockingQueue<KeyMID> order;
    private final Map<Object, ArrayDeque<KeyMID>> byPeer = new HashMap<>();
    /** The map, the order queue and the per-peer queues change together, under this lock. */
    private final Object lock = new Object();
    private final LongAdder evicted = new LongAdder();
    private volatile ScheduledExecutorService executor;
    private ScheduledFuture<?> sweeper;

    BoundedDeduplicator(int capacity, int perPeer, long lifetimeMillis) {
        this.capacity = capacity;
        this.perPeer = perPeer;
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

    @Override
    public Exchange findPrevious(KeyMID key, Exchange exchange) {
        Entry fresh = new Entry(exchange, System.currentTimeMillis());
        synchronized (lock) {
            Entry previous = exchanges.putIfAbsent(key, fresh);
            if (previous != null) {
                return previous.exchange();
            }
            ArrayDeque<KeyMID> mine = byPeer.computeIfAbsent(key.getPeer(), p -> new ArrayDeque<>(4));
            mine.addLast(key);
            if (mine.size() > perPeer) {
                forget(mine.pollFirst(), false);
            }
            while (!order.offer(key)) {
                KeyMID oldest = order.poll();
                if (oldest != null && exchanges.containsKey(oldest)) {
                    forget(oldest, true);
                    evicted.increment();
                }
            }
            return null;
        }
    }

    /** Drops a key from the map and, unless it came from there already, its peer's queue; under the lock. */
    private void forget(KeyMID key, boolean fromPeerQueue) {
        exchanges.remove(key);
        if (fromPeerQueue) {
            ArrayDeque<KeyMID> q = byPeer.get(key.getPeer());
            if (q != null) {
                q.remove(key);
                if (q.isEmpty()) {
                    byPeer.remove(key.getPeer());
                }
            }
        }
    }

    @Override
    public boolean replacePrevious(KeyMID key, Exchange previous, Exchange exchange) {
        synchronized (lock) {
            Entry old = exchanges.get(key);
            if (old == null || old.exchange() != previous) {
                return false;
            }
            return exchanges.replace(key, old, new Entry(exchange, System.currentTimeMillis()));
        }
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
            byPeer.clear();
        }
    }

    /** Exchanges forgotten before their lifetime because the table was full. */
    long evicted() {
        return evicted.sum();
    }

    int capacity() {
        return capacity;
    }

    /** Drops what is older than the lifetime; the order queue is in arrival order, so it stops at the first young one. */
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
                    forget(k, true);
                }
            }
        }
    }
}
