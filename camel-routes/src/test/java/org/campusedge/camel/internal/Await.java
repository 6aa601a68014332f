package org.campusedge.camel.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Waiting on a condition with a deadline, for the Camel-level tests (Awaitility): no sleeps standing in for one. */
final class Await {

    private Await() {
    }

    /** True as soon as the check holds, false if it still does not after {@code seconds}. */
    static boolean eventually(int seconds, BooleanSupplier check) throws InterruptedException {
        if (seconds <= 0) {
            return check.getAsBoolean(); // no time to wait: one look
        }
        try {
            Awaitility.await().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .atMost(Duration.ofSeconds(seconds)).until(check::getAsBoolean);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }
}
