package org.campusedge.simulators.school;

import java.time.LocalTime;
import java.util.function.Supplier;

/**
 * The simulated school's time of day: it starts at {@code start} and runs {@code speed} times
 * faster than real time, so the quick start shows a whole school day in minutes. Every simulator
 * of one school reads the same clock.
 */
public final class SchoolClock implements Supplier<LocalTime> {

    private final LocalTime start;
    private final double speed;
    private final long realStart = System.currentTimeMillis();

    public SchoolClock(LocalTime start, double speed) {
        this.start = start;
        this.speed = speed;
    }

    /** Simulated seconds per real second. */
    public double speed() {
        return speed;
    }

    @Override
    public LocalTime get() {
        long simulatedSeconds = (long) ((System.currentTimeMillis() - realStart) / 1000.0 * speed);
        return start.plusSeconds(simulatedSeconds);
    }
}
