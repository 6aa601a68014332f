package org.campusedge.api;

import java.util.Map;

/**
 * What the broadcast controller answered to a {@link BroadcastRequest}.
 *
 * @param outcome ACCEPTED (every zone took it), PARTIAL (some zones refused), REFUSED (none took
 *                it, or the controller said no), UNREACHABLE (no answer: the controller is down or
 *                the network is)
 * @param taskId  the controller's id for a PLAY, which its played/fault reports carry; else null
 * @param zones   zone to its state for STATUS ("idle", "playing", "offline", "fault"), or to the
 *                reason it refused a PLAY
 * @param message one line for people: why it was refused or unreachable
 */
public record BroadcastResult(Outcome outcome, String taskId, Map<String, String> zones, String message) {

    /** How a command ended. */
    public enum Outcome { ACCEPTED, PARTIAL, REFUSED, UNREACHABLE }

    public BroadcastResult {
        zones = zones == null ? Map.of() : Map.copyOf(zones);
    }
}
