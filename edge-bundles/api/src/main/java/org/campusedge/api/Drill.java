package org.campusedge.api;

import java.time.Duration;
import java.time.Instant;

/**
 * A drill the security office (or the city) is running: the gateway plays the part of one device
 * (a camera reporting an intrusion), and everything that follows — the alarm, the PA plays, the
 * notifications, what the city is told — is marked as the drill's, so it is rehearsed for real and
 * never counted, or mistaken, as a real alarm. A real alarm during a drill interrupts it.
 *
 * @param id        the drill's id, on every event it causes (attribute {@value #ATTRIBUTE})
 * @param name      what the drill is called, e.g. "night intrusion, north fence"
 * @param deviceId  the device whose event the drill plays
 * @param kind      the event the drill plays, e.g. {@code camera.intrusion}
 * @param startedBy who started it: "user:zhang", "city"
 */
public record Drill(String id, String name, String deviceId, String kind, Instant startedAt, Instant endsAt, String startedBy) {

    /** The attribute that marks an event, alarm transition or command as a drill's: its value is the drill id. */
    public static final String ATTRIBUTE = "drill";
    /**
     * The attribute on a real alarm's transitions raised while a drill ran: its value is the drill id
     * (the drill was interrupted), so everyone who is told reads "not a drill".
     */
    public static final String DURING = "duringDrill";
    /** The end of a drill alarm's key: a drill's alarm never merges with a real alarm of the same rule and subject. */
    public static final String KEY_SUFFIX = "@drill";
    /** The longest a drill may run. */
    public static final Duration LONGEST = Duration.ofHours(2);

    /** The drill that caused the event, or null when it is real. */
    public static String of(CampusEvent e) {
        String id = e.attributes().get(ATTRIBUTE);
        return id == null || id.isBlank() ? null : id;
    }

    /** Whether an alarm key is a drill alarm's. */
    public static boolean isDrillKey(String alarmKey) {
        return alarmKey != null && alarmKey.endsWith(KEY_SUFFIX);
    }

    /** Who asked for a command made for a drill: the drill's mark, then the asker ("drill:ID/rule:perimeter-night"). */
    public static String requestedBy(String drillId, String by) {
        return "drill:" + drillId + "/" + by;
    }

    /** The drill a command was made for, from its {@code requestedBy}, or null. */
    public static String ofRequester(String requestedBy) {
        if (requestedBy == null || !requestedBy.startsWith("drill:")) {
            return null;
        }
        int slash = requestedBy.indexOf('/');
        return slash < 0 ? requestedBy.substring(6) : requestedBy.substring(6, slash);
    }
}
