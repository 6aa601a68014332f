package org.campusedge.api;

/**
 * Thrown by a normaliser when a device sent something the gateway will not accept. The message is
 * one line a person can act on; connectors turn it into the protocol's client-error answer
 * (CoAP 4.00, HTTP 400, ...) and count it against the device. It never stops a route.
 */
public class RejectedInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Why the input was refused, in protocol-neutral terms: UNAUTHENTICATED, the sender did not prove
     * it is the device (no credential, a wrong or revoked one: CoAP 4.01, HTTP 401); FORBIDDEN, it proved
     * to be another device (4.03, 403).
     */
    public enum Reason { MALFORMED, TOO_LARGE, UNKNOWN_DEVICE, UNSUPPORTED, UNAUTHENTICATED, FORBIDDEN }

    private final Reason reason;

    public RejectedInputException(Reason reason, String message) {
        super(message, null, false, false); // expected fault: no stack trace to fill
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
