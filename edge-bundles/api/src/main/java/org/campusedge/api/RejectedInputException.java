package org.campusedge.api;

/**
 * Thrown by a normaliser when a device sent something the gateway will not accept. The message is
 * one line a person can act on; connectors turn it into the protocol's client-error answer
 * (CoAP 4.00, HTTP 400, ...) and count it against the device. It never stops a route.
 */
public class RejectedInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the input was refused, in protocol-neutral terms. */
    public enum Reason { MALFORMED, TOO_LARGE, UNKNOWN_DEVICE, UNSUPPORTED }

    private final Reason reason;

    public RejectedInputException(Reason reason, String message) {
        super(message, null, false, false); // expected fault: no stack trace to fill
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
