package org.campusedge.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The active alarms and their lifecycle. Every transition is an event on the bus (and so in the
 * store): {@code alarm.raised}, {@code alarm.acknowledged}, {@code alarm.escalated},
 * {@code alarm.cleared}.
 */
public interface Alarms {

    /** Active alarms (raised or acknowledged), most severe first, then newest. */
    List<Alarm> active();

    Optional<Alarm> get(String key);

    /**
     * A person acknowledges a raised alarm. The stage completes with false at once when there is no
     * raised alarm with that key (or a change to it is being stored), with true once the
     * acknowledgement is durable in the store, and not before: until then the alarm is shown as it
     * was. While the store fails, the gateway keeps trying and the stage stays open.
     *
     * @param role the person's role at the school ({@code security}, {@code admin}): what the city is
     *             told instead of who it was; null when unknown
     */
    CompletionStage<Boolean> acknowledge(String key, String user, String role, String note);

    /** A person clears an active alarm; as {@link #acknowledge}. */
    CompletionStage<Boolean> clear(String key, String user, String role, String note);

    /** {@link #acknowledge(String, String, String, String)} without a role. */
    default CompletionStage<Boolean> acknowledge(String key, String user, String note) {
        return acknowledge(key, user, null, note);
    }

    /** {@link #clear(String, String, String, String)} without a role. */
    default CompletionStage<Boolean> clear(String key, String user, String note) {
        return clear(key, user, null, note);
    }

    /**
     * Raises, or counts a repeat of, an alarm the gateway found about itself or one of its links
     * rather than a rule: a cloud forwarder that stopped moving, a device connected but sending
     * nothing usable. {@code check} names what found it (it is the alarm's rule id); the alarm
     * goes through the same lifecycle, store and city forwarding as a rule's. True when it is new.
     */
    boolean raiseGatewayAlarm(String key, String check, Severity severity, String deviceId, String message);

    /** The check found its condition over: the alarm is cleared (by {@code check}). False when it was not active. */
    boolean clearGatewayAlarm(String key, String check, String message);
}
