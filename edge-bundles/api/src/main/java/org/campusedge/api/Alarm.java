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
 * @param drillId        the drill that raised it (its key ends with {@link Drill#KEY_SUFFIX}), null for a real alarm
 */
public record Alarm(String key, String ruleId, Severity severity, State state, String deviceId, String message,
                    Instant raisedAt, Instant lastAt, int count, String triggerEventId, String acknowledgedBy,
                    String note, boolean escalated, String drillId) {

    /** Where an alarm is in its life. */
    public enum State { RAISED, ACKNOWLEDGED, CLEARED }

    /** Whether a drill raised it. */
    public boolean drill() {
        return drillId != null;
    }

    /** The same alarm, fired again. */
    public Alarm repeated(String newMessage, Instant at) {
        return new Alarm(key, ruleId, severity, state, deviceId, newMessage, raisedAt, at, count + 1, triggerEventId,
                acknowledgedBy, note, escalated, drillId);
    }

    /** The same alarm, acknowledged by a person. */
    public Alarm acknowledged(String by, String withNote) {
        return new Alarm(key, ruleId, severity, State.ACKNOWLEDGED, deviceId, message, raisedAt, lastAt, count, triggerEventId,
                by, withNote, escalated, drillId);
    }

    /** The same alarm, escalated. */
    public Alarm escalate() {
        return new Alarm(key, ruleId, severity, state, deviceId, message, raisedAt, lastAt, count, triggerEventId,
                acknowledgedBy, note, true, drillId);
    }

    /** The same alarm, cleared at {@code at}. */
    public Alarm cleared(Instant at, String withNote) {
        return new Alarm(key, ruleId, severity, State.CLEARED, deviceId, message, raisedAt, at, count, triggerEventId,
                acknowledgedBy, withNote, escalated, drillId);
    }
}
