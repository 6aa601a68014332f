package org.campusedge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Password guessing is slowed per user name and per address; a good login clears the count. */
class LoginThrottleTest {

    @Test
    void afterFiveFailuresEachAttemptWaitsLongerAndAGoodLoginClears() {
        AtomicLong now = new AtomicLong(1_000_000);
        LoginThrottle t = new LoginThrottle(now::get);
        for (int i = 0; i < LoginThrottle.FREE; i++) {
            assertEquals(0, t.waitMs("admin", "10.0.0.9"), "attempt " + (i + 1) + " is free");
            t.failed("admin", "10.0.0.9");
        }
        assertEquals(1000, t.waitMs("admin", "10.0.0.9"));
        assertEquals(1000, t.waitMs("admin", "10.0.0.7"), "another address does not help guess the same name");
        assertEquals(1000, t.waitMs("zhang", "10.0.0.9"), "another name does not help from the same address");
        now.addAndGet(1000);
        assertEquals(0, t.waitMs("admin", "10.0.0.9"));
        t.failed("admin", "10.0.0.9");
        assertEquals(2000, t.waitMs("admin", "10.0.0.9"), "the wait doubles");
        for (int i = 0; i < 30; i++) {
            t.failed("admin", "10.0.0.9");
        }
        assertTrue(t.waitMs("admin", "10.0.0.9") <= 15 * 60_000L, "at most fifteen minutes");
        t.succeeded("admin", "10.0.0.9");
        assertEquals(0, t.waitMs("admin", "10.0.0.9"));
    }
}
