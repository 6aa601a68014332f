package org.campusedge.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Turns "something keeps failing" into an alarm with a key of its own: a link connected but not
 * forwarding, a forwarder that cannot queue. The watcher reports each round's outcome; once the
 * failures have lasted {@code after} without a success between, a gateway alarm is raised (counted
 * as a repeat while they go on), and the first success clears it. Not thread-safe: one watcher
 * thread reports.
 */
public final class StallWatch {

    private final String key;
    private final String check;
    private final Severity severity;
    private final String deviceId;
    private final Duration after;
    private final Clock clock;
    private final Supplier<Alarms> alarms;
    private Instant failingSince;
    private boolean raised;

    public StallWatch(String key, String check, Severity severity, String deviceId, Duration after, Clock clock,
                      Supplier<Alarms> alarms) {
        this.key = key;
        this.check = check;
        this.severity = severity;
        this.deviceId = deviceId;
        this.after = after;
        this.clock = clock;
        this.alarms = alarms;
    }

    /** A round worked: the condition is over. */
    public void ok(String message) {
        failingSince = null;
        Alarms a = alarms.get();
        // also an alarm raised before a restart (the alarm book restores it; this watcher never raised it)
        if (a != null && (raised || a.get(key).isPresent())) {
            a.clearGatewayAlarm(key, check, message);
            raised = false;
        }
    }

    /**
     * A round failed; returns true when this report raised the alarm (the caller logs it once).
     * {@code what} says what is not happening and why, for the alarm's message.
     */
    public boolean failed(String what) {
        Instant now = clock.instant();
        if (failingSince == null) {
            failingSince = now;
        }
        if (now.isBefore(failingSince.plus(after))) {
            return false;
        }
        Alarms a = alarms.get();
        if (a == null) {
            return false;
        }
        boolean fresh = a.raiseGatewayAlarm(key, check, severity, deviceId, what + " (since " + failingSince + ")");
        raised = true;
        return fresh;
    }

    /** When the failures began, or null while it works. */
    public Instant failingSince() {
        return failingSince;
    }
}
