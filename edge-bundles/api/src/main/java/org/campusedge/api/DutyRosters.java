package org.campusedge.api;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who is on duty when, from the school calendar's {@code dutyRosters}: per roster (the guard, the
 * head of security ...) its shifts, each naming who is on it and the notification channels that
 * reach them. Notification levels that say {@code duty: <roster>} are sent to whoever is on that
 * roster's duty when the level is due.
 */
public interface DutyRosters {

    /** One shift in force: its roster, who is on it (as the calendar names them), the channels that reach them. */
    record OnDuty(String roster, String on, List<String> channels) {
        public OnDuty {
            channels = List.copyOf(channels);
        }
    }

    /** Who is on the roster's duty at that instant (several when shifts overlap); empty when nobody is, or no such roster. */
    List<OnDuty> onDuty(String roster, Instant at);

    /** The rosters of the calendar in force. */
    Set<String> rosters();
}
