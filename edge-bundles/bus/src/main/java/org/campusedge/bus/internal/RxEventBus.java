package org.campusedge.bus.internal;

import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.processors.FlowableProcessor;
import io.reactivex.rxjava3.processors.PublishProcessor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventBus;
import org.campusedge.api.EventStore;
import org.campusedge.api.Watchdog;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus on RxJava 3. Publishing appends to the {@link EventStore}; when the store confirms
 * the commit, the producer is told and the events go into one {@link PublishProcessor}. Every
 * subscriber hangs off it with two bounded queues of its own and its own thread, so the committing
 * thread only ever enqueues: bulk events (readings, swipes) in one, where a slow subscriber sheds
 * (and counts) its oldest; urgent ones ({@link CampusEvent#urgent()}: alarms, intrusions, PA
 * records) in the other, which readings cannot fill and which the subscriber's thread always
 * empties first — a flood of readings may slow a lab chart but never hides or delays an intrusion
 * on its way to the rules. A subscriber that has events waiting and delivers none for a minute is
 * stalled, and the {@link Watchdog} stops the gateway.
 */
@Component(service = EventBus.class)
public final class RxEventBus implements org.campusedge.bus.standalone.StandaloneBus {

    private static final Logger LOG = LoggerFactory.getLogger(RxEventBus.class);
    /** Urgent events a subscriber may have waiting; alarms come a few a second at most. */
    static final int URGENT_CAPACITY = 10_000;
    /** Events a subscriber queues under one lock and one wake-up: a lab pack's worth and more, few enough that its thread drains beside a big publish. */
    static final int CHUNK = 64;

    private final EventStore store;
    private final Watchdog watchdog;
    /** Each publish's events as one item: a subscriber queues them under one lock and is woken once for them. */
    private final FlowableProcessor<List<CampusEvent>> stream = PublishProcessor.<List<CampusEvent>>create().toSerialized();
    private final List<Sub> subscriptions = new CopyOnWriteArrayList<>();

    /** A bus outside the framework (tests, tools): stalls are not watched. */
    public RxEventBus(EventStore store) {
        this(store, Watchdog.loggingOnly());
    }

    @Activate
    public RxEventBus(@Reference(name = "store") EventStore store, @Reference(name = "watchdog") Watchdog watchdog) {
        this.store = store;
        this.watchdog = watchdog;
    }

    @Override
    public CompletionStage<Void> publish(List<CampusEvent> events) {
        // the subscribers read the list on the committing thread, later: a copy, so a producer that
        // reuses its list after publishing cannot change (or break) what they are given
        List<CampusEvent> batch = List.copyOf(events);
        CompletionStage<Void> durable = store.append(batch);
        // the fan-out hangs off the commit as a side stage: whatever happens in it, the producer's
        // answer depends on the commit alone
        durable.thenRun(() -> fanOut(batch));
        return durable;
    }

    private void fanOut(List<CampusEvent> events) {
        try {
            stream.onNext(events);
        } catch (RuntimeException e) {
            LOG.error("Fan-out of {} durable events failed: {}", events.size(), e.toString());
        }
    }

    @Override
    public Subscription subscribe(String name, int capacity, Consumer<CampusEvent> listener) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        Sub sub = new Sub(name, capacity, listener);
        subscriptions.add(sub);
        return sub;
    }

    @Override
    public List<SubscriberStats> subscribers() {
        List<SubscriberStats> out = new ArrayList<>();
        for (Sub s : subscriptions) {
            out.add(new SubscriberStats(s.name, s.capacity, s.delivered.sum(), s.shed.sum(), s.failed.sum()));
        }
        return out;
    }

    /** As {@link #deactivate()}: the door's {@code close}. */
    @Override
    public void close() {
        deactivate();
    }

    @Deactivate
    public void deactivate() {
        for (Sub s : subscriptions) {
            s.close();
        }
        stream.onComplete();
    }

    /**
     * One subscriber: two bounded queues filled from the stream on the committing thread (urgent
     * events and the rest), its own thread that always takes an urgent event first, its counters.
     * (RxJava's merge was tried for the two lanes: it keeps draining the lane it is on while that
     * has items, so behind a flood of readings an intrusion waited for the flood.)
     */
    private final class Sub implements Subscription {
        final String name;
        final int capacity;
        final LongAdder offered = new LongAdder();
        final LongAdder delivered = new LongAdder();
        final LongAdder shed = new LongAdder();
        final LongAdder failed = new LongAdder();
        /** The two lanes, changed only under {@link #lanes}: a publish's events go in under one lock, not one each. */
        private final ArrayDeque<CampusEvent> urgentQueue = new ArrayDeque<>();
        private final ArrayDeque<CampusEvent> bulkQueue = new ArrayDeque<>();
        private final Object lanes = new Object();
        /** One permit per event queued (more after shedding: a wake-up that finds nothing is harmless). */
        private final Semaphore waiting = new Semaphore(0);
        private final Thread thread;
        private final Disposable disposable;
        private final Watchdog.Heartbeat heartbeat;
        private final Consumer<CampusEvent> listener;
        private volatile boolean open = true;
        private volatile long lastFailureLog;
        private volatile long lastShedLog;

        Sub(String name, int capacity, Consumer<CampusEvent> listener) {
            this.name = name;
            this.capacity = capacity;
            this.listener = listener;
            this.heartbeat = watchdog.watch("bus subscriber " + name, java.time.Duration.ofSeconds(60),
                    () -> offered.sum() > delivered.sum() + shed.sum() + failed.sum());
            this.thread = new Thread(this::drain, "bus-" + name);
            thread.setDaemon(true);
            thread.start();
            this.disposable = stream.subscribe(this::enqueue, err -> LOG.error("Subscriber {} ended: {}", name, err.toString()));
        }

        /**
         * On the committing thread: only queues a publish's events, shedding the oldest of a lane when
         * it is full, and wakes the subscriber's thread once for all of them. (One lock and one wake-up
         * per event cost the committing thread most of its time at 56,000 readings/s: the devices'
         * answers wait behind it.)
         */
        private void enqueue(List<CampusEvent> events) {
            try {
                // in chunks: the subscriber's thread drains between them, so a big publish is not shed
                // beyond the buffer just because it came in one piece
                for (int from = 0; from < events.size(); from += CHUNK) {
                    queue(events.subList(from, Math.min(events.size(), from + CHUNK)));
                }
            } catch (RuntimeException e) {
                // never thrown out: RxJava would end this subscription for good, unseen by the watchdog
                LOG.error("Subscriber {} could not queue {} events: {}", name, events.size(), e.toString());
            }
        }

        private void queue(List<CampusEvent> chunk) {
            int queued = 0;
            int shedUrgent = 0;
            int shedBulk = 0;
            synchronized (lanes) {
                for (CampusEvent e : chunk) {
                    boolean urgent = e.urgent();
                    ArrayDeque<CampusEvent> q = urgent ? urgentQueue : bulkQueue;
                    if (q.size() >= (urgent ? URGENT_CAPACITY : capacity)) {
                        q.pollFirst();
                        if (urgent) {
                            shedUrgent++;
                        } else {
                            shedBulk++;
                        }
                    }
                    q.addLast(e);
                    queued++;
                }
            }
            offered.add(queued);
            for (int i = 0; i < shedUrgent; i++) {
                shedUrgent();
            }
            if (shedBulk > 0) {
                shedBulk(shedBulk);
            }
            waiting.release(queued);
        }

        /** The next event to deliver: an urgent one if any is waiting, else the oldest reading. */
        private CampusEvent next() {
            synchronized (lanes) {
                CampusEvent e = urgentQueue.pollFirst();
                return e != null ? e : bulkQueue.pollFirst();
            }
        }

        private void drain() {
            while (open) {
                int n;
                try {
                    waiting.acquire();
                    n = 1 + waiting.drainPermits(); // everything queued so far, without waking up for each
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < n && open; i++) {
                    CampusEvent e = next(); // the urgent lane is checked before every event: an intrusion never waits for the batch
                    if (e != null) {
                        deliver(listener, e);
                    }
                }
            }
        }

        private void shedUrgent() {
            shed.increment();
            // never expected: URGENT_CAPACITY alarms waiting means the subscriber is stuck; the watchdog will see it too
            LOG.error("Subscriber {} is {} urgent events behind and shed one ({} events shed so far)", name, URGENT_CAPACITY, shed.sum());
        }

        private void shedBulk(int events) {
            shed.add(events);
            long now = System.currentTimeMillis();
            if (now - lastShedLog > 60_000) { // visible in the log once a minute while it lasts
                lastShedLog = now;
                LOG.warn("Subscriber {} cannot keep up: {} events shed so far (buffer {})", name, shed.sum(), capacity);
            }
        }

        private void deliver(Consumer<CampusEvent> listener, CampusEvent e) {
            heartbeat.beat();
            try {
                listener.accept(e);
                delivered.increment();
            } catch (RuntimeException ex) {
                failed.increment();
                long now = System.currentTimeMillis();
                if (now - lastFailureLog > 60_000) { // once a minute per subscriber, not per event
                    lastFailureLog = now;
                    LOG.warn("Subscriber {} failed on an event ({} failures so far): {}", name, failed.sum(), ex.toString());
                }
            }
        }

        @Override
        public void close() {
            if (subscriptions.remove(this)) {
                heartbeat.close();
                disposable.dispose();
                open = false;
                thread.interrupt();
            }
        }
    }
}
