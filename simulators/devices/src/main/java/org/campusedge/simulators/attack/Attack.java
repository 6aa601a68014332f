package org.campusedge.simulators.attack;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One hostile or broken peer of the siege: it runs on its own threads from {@link #start()} until
 * {@link #stop()}, and counts what it did and what the gateway answered, by outcome.
 */
public abstract class Attack implements AutoCloseable {

    private final String name;
    private final ConcurrentMap<String, LongAdder> counts = new ConcurrentHashMap<>();
    protected volatile boolean running;
    private Thread[] threads = new Thread[0];

    protected Attack(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Starts the attack's threads; {@link #loop(int)} runs on each until stopped. */
    public synchronized void start() {
        running = true;
        threads = new Thread[threads()];
        for (int i = 0; i < threads.length; i++) {
            int index = i;
            threads[i] = new Thread(() -> {
                try {
                    loop(index);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    count("attacker error: " + e.getClass().getSimpleName());
                }
            }, "attack-" + name + "-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
    }

    /** How many threads run {@link #loop(int)}. */
    protected int threads() {
        return 1;
    }

    /** The attack's work; returns when {@link #running} turns false. */
    protected abstract void loop(int thread) throws Exception;

    /** Stops the threads and lets go of whatever the attack holds (sockets). */
    public synchronized void stop() throws InterruptedException {
        running = false;
        release();
        for (Thread t : threads) {
            t.interrupt();
            t.join(10_000);
        }
    }

    /** Closes what the attack holds open; called by {@link #stop()}. */
    protected void release() {
    }

    protected void count(String outcome) {
        counts.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    protected void count(String outcome, long n) {
        counts.computeIfAbsent(outcome, k -> new LongAdder()).add(n);
    }

    /** What happened so far, outcome to how often. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public long count(String outcome, boolean prefix) {
        return counts().entrySet().stream().filter(e -> prefix ? e.getKey().startsWith(outcome) : e.getKey().equals(outcome))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** Paces a loop at {@code perSecond} iterations: sleeps until iteration {@code n} is due. */
    protected static void pace(long startNanos, long n, double perSecond) throws InterruptedException {
        long due = startNanos + (long) (n * 1e9 / perSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    @Override
    public String toString() {
        return name + " " + counts();
    }
}
