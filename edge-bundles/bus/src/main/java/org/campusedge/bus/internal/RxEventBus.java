package org.campusedge.bus.internal;

import io.reactivex.rxjava3.core.BackpressureOverflowStrategy;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.processors.FlowableProcessor;
import io.reactivex.rxjava3.processors.PublishProcessor;
import io.reactivex.rxjava3.schedulers.Schedulers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * the commit, the producer is told and the events go into one {@link PublishProcessor}. Every subscriber hangs off it through
 * two buffers of its own, merged onto its own single-thread scheduler, so the committing thread only
 * ever enqueues: bulk events (readings, swipes) in an {@code onBackpressureBuffer(capacity,
 * DROP_OLDEST)}, where a slow subscriber sheds (and counts) its oldest; urgent ones
 * ({@link CampusEvent#urgent()}: alarms, intrusions, PA records) in a buffer of their own that
 * readings cannot fill, so a flood of readings may slow a lab chart but never hides an intrusion
 * from the rules. A subscriber that has events waiting and delivers none for a minute is stalled,
 * and the {@link Watchdog} stops the gateway.
 */
@Component(service = EventBus.class)
public final class RxEventBus implements EventBus {

    private static final Logger LOG = LoggerFactory.getLogger(RxEventBus.class);
    /** Events an observeOn stage requests at a time; part of what a subscriber may hold. */
    private static final int PREFETCH = 64;
    /** Events the merge of the two lanes holds per lane. */
    static final int MERGE_BUFFER = 16;
    /** Urgent events a subscriber may have waiting; alarms come a few a second at most. */
    static final int URGENT_CAPACITY = 10_000;

    private final EventStore store;
    private final Watchdog watchdog;
    private final FlowableProcessor<CampusEvent> stream = PublishProcessor.<CampusEvent>create().toSerialized();
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
        CompletionStage<Void> durable = store.append(events);
        // the fan-out hangs off the commit as a side stage: whatever happens in it, the producer's
        // answer depends on the commit alone
        durable.thenRun(() -> fanOut(events));
        return durable;
    }

    private void fanOut(List<CampusEvent> events) {
        try {
            for (CampusEvent e : events) {
                stream.onNext(e);
            }
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

    @Deactivate
    public void deactivate() {
        for (Sub s : subscriptions) {
            s.close();
        }
        stream.onComplete();
    }

    /** One subscriber: its buffer, its thread, its counters. */
    private final class Sub implements Subscription {
        final String name;
        final int capacity;
        final LongAdder offered = new LongAdder();
        final LongAdder delivered = new LongAdder();
        final LongAdder shed = new LongAdder();
        final LongAdder failed = new LongAdder();
        private final ExecutorService thread;
        private final Disposable disposable;
        private final Watchdog.Heartbeat heartbeat;
        private volatile long lastFailureLog;
        private volatile long lastShedLog;

        Sub(String name, int capacity, Consumer<CampusEvent> listener) {
            this.name = name;
            this.capacity = capacity;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "bus-" + name);
                t.setDaemon(true);
                return t;
            });
            Scheduler scheduler = Schedulers.from(thread);
            Flowable<CampusEvent> urgent = stream.filter(CampusEvent::urgent).doOnNext(e -> offered.increment())
                    .onBackpressureBuffer(URGENT_CAPACITY, this::shedUrgent, BackpressureOverflowStrategy.DROP_OLDEST);
            Flowable<CampusEvent> bulk = stream.filter(e -> !e.urgent()).doOnNext(e -> offered.increment())
                    .onBackpressureBuffer(Math.max(1, capacity - PREFETCH), this::shedOne, BackpressureOverflowStrategy.DROP_OLDEST);
            this.heartbeat = watchdog.watch("bus subscriber " + name, java.time.Duration.ofSeconds(60),
                    () -> offered.sum() > delivered.sum() + shed.sum() + failed.sum());
            // a small merge buffer per lane: what a subscriber holds is its capacity and little more
            this.disposable = Flowable.merge(java.util.List.of(urgent, bulk), 2, MERGE_BUFFER)
                    .observeOn(scheduler, false, Math.min(PREFETCH, capacity))
                    .subscribe(e -> deliver(listener, e), err -> LOG.error("Subscriber {} ended: {}", name, err.toString()));
        }

        private void shedUrgent() {
            shed.increment();
            // never expected: URGENT_CAPACITY alarms waiting means the subscriber is stuck; the watchdog will see it too
            LOG.error("Subscriber {} is {} urgent events behind and shed one ({} events shed so far)", name, URGENT_CAPACITY, shed.sum());
        }

        private void shedOne() {
            shed.increment();
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
                thread.shutdown();
            }
        }
    }
}
