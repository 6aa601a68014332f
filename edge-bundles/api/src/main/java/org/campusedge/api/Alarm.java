package org.campusedge.api;

import java.time.Instant;

/**
 * An alarm a rule raised: one per key (a rule and what it is about — a device, a zone, a building)
 * while it is active, however often the condition repeats.
 *
 * @param key            rule id and subject, e.g. {@code perimeter-night:cam-fence-north-1}
 * @param state          RAISED, then ACKNOWLEDGED (by whom, with a note), then CLEARED
 * @param count          how many times the condition fired while the alarm was active
 * @param triggerEventId the id of the event that raised it
 * @param escalated      true once an unacknowledged CRITICAL alarm went past the escalation time
 */
public record Alarm(String key, String ruleId, Severity severity, State state, String deviceId, String message,
                    Instant raisedAt, Instant lastAt, int count, String triggerEventId, String acknowledgedBy,
                    String note, boolean escalated) {

    /** Where an alarm is in its life. */
    public enum State { RAISED, ACKNOWLEDGED, CLEARED }
}
