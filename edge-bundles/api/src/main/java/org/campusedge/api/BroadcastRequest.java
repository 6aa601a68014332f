package org.campusedge.api;

import java.util.List;
import java.util.Objects;

/**
 * A command to a school's broadcast (PA) controller: play a stored announcement or a text (read by
 * the controller's TTS) to zones, stop what zones are playing, or ask for the zones' status.
 * Whoever asks (a rule, a schedule, the console, the city) sends the same request through the same
 * Camel route.
 *
 * @param controllerId inventory id of the broadcast controller
 * @param zones        zone names as the controller knows them; empty means every zone
 * @param announcement a stored announcement's name (for PLAY; or null when {@code text} is given)
 * @param text         text to read out (for PLAY; or null when {@code announcement} is given)
 * @param priority     0-100; a higher priority pre-empts what a zone plays (emergency 90+, bell 10)
 * @param requestedBy  who asked, for the audit trail: "rule:fence-night", "schedule:bell", "user:zhang", "city"
 * @param alarm        the key of the alarm whose action this is, or null: the request is on that alarm's ledger
 */
public record BroadcastRequest(String controllerId, Action action, List<String> zones, String announcement, String text,
                               int priority, String requestedBy, String alarm) {

    /** What the controller is told to do. */
    public enum Action { PLAY, STOP, STATUS }

    /** Priority of an emergency (evacuation, lockdown): pre-empts everything else. */
    public static final int EMERGENCY = 90;
    /** Priority of the scheduled school day (bells, exercises). */
    public static final int SCHEDULE = 10;

    public BroadcastRequest {
        Objects.requireNonNull(controllerId, "controllerId");
        Objects.requireNonNull(action, "action");
        zones = zones == null ? List.of() : List.copyOf(zones);
        if (priority < 0 || priority > 100) {
            throw new IllegalArgumentException("priority must be 0-100, got " + priority);
        }
        if (action == Action.PLAY && (announcement == null) == (text == null)) {
            throw new IllegalArgumentException("PLAY needs exactly one of announcement or text");
        }
    }

    public static BroadcastRequest play(String controllerId, List<String> zones, String announcement, int priority,
                                        String requestedBy) {
        return new BroadcastRequest(controllerId, Action.PLAY, zones, announcement, null, priority, requestedBy, null);
    }

    public static BroadcastRequest say(String controllerId, List<String> zones, String text, int priority, String requestedBy) {
        return new BroadcastRequest(controllerId, Action.PLAY, zones, null, text, priority, requestedBy, null);
    }

    public static BroadcastRequest stop(String controllerId, List<String> zones, String requestedBy) {
        return new BroadcastRequest(controllerId, Action.STOP, zones, null, null, 0, requestedBy, null);
    }

    public static BroadcastRequest status(String controllerId) {
        return new BroadcastRequest(controllerId, Action.STATUS, List.of(), null, null, 0, "status", null);
    }

    /** The same request, made as the action of the alarm {@code key}. */
    public BroadcastRequest forAlarm(String key) {
        return new BroadcastRequest(controllerId, action, zones, announcement, text, priority, requestedBy, key);
    }
}
