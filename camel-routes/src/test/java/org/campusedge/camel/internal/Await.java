package org.campusedge.camel.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting on a condition with a deadline, for the Camel-level tests: no sleeps standing in for one. */
final class Await {

    private Await() {
    }

    /** True as soon as the check holds, false if it still does not after {@code seconds}. */
    static boolean eventually(int seconds, BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return check.getAsBoolean();
    }
}
