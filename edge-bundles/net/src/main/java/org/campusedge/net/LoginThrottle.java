package org.campusedge.net;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows password guessing: after {@value #FREE} failed logins in a row for a user name, or from one
 * address, each further attempt must wait, doubling from one second up to fifteen minutes. A good
 * login clears the name's and the address's count. Bounded: the oldest entries are forgotten first.
 */
public final class LoginThrottle {

    public static final int FREE = 5;
    private static final long MAX_WAIT_MS = 15 * 60_000L;
    private static final int MAX_ENTRIES = 10_000;

    private record Failures(int count, long lastMs) {
    }

    private final LongSupplier clock;
    private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    public LoginThrottle(LongSupplier clock) {
        this.clock = clock;
    }

    /** Milliseconds the next attempt for this name from this address must still wait; 0 when it may go now. */
    public synchronized long waitMs(String user, String address) {
        return Math.max(wait("user:" + user), wait("addr:" + address));
    }

    public synchronized void failed(String user, String address) {
        long now = clock.getAsLong();
        for (String key : new String[] {"user:" + user, "addr:" + address}) {
            Failures f = failures.get(key);
            failures.put(key, new Failures(f == null ? 1 : f.count() + 1, now));
        }
    }

    public synchronized void succeeded(String user, String address) {
        failures.remove("user:" + user);
        failures.remove("addr:" + address);
    }

    private long wait(String key) {
        Failures f = failures.get(key);
        if (f == null || f.count() < FREE) {
            return 0;
        }
        long delay = Math.min(MAX_WAIT_MS, 1000L << Math.min(20, f.count() - FREE));
        return Math.max(0, f.lastMs() + delay - clock.getAsLong());
    }
}
