package org.campusedge.api;

/**
 * What became of a {@link ControlRequest}.
 *
 * @param outcome DONE (the device took the value), REFUSED (the device or the gateway said no: not a
 *                writable point, wrong type, access denied), UNREACHABLE (no connection to the device)
 * @param message one line for people: the device's status code or the reason
 */
public record ControlResult(Outcome outcome, String message) {

    /** How a control write ended. */
    public enum Outcome { DONE, REFUSED, UNREACHABLE }
}
