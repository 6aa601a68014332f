package org.campusedge.api;

import java.util.List;
import java.util.Optional;

/**
 * The active alarms and their lifecycle. Every transition is an event on the bus (and so in the
 * store): {@code alarm.raised}, {@code alarm.acknowledged}, {@code alarm.escalated},
 * {@code alarm.cleared}.
 */
public interface Alarms {

    /** Active alarms (raised or acknowledged), most severe first, then newest. */
    List<Alarm> active();

    Optional<Alarm> get(String key);

    /** Acknowledges an active alarm; false when there is none with that key. */
    boolean acknowledge(String key, String user, String note);

    /** Clears an active alarm; false when there is none with that key. */
    boolean clear(String key, String user, String note);
}
