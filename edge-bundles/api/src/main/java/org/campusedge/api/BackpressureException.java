package org.campusedge.api;

/**
 * The gateway cannot take more right now (the store's write queue is full). Nothing was accepted;
 * connectors tell the device to retry later (CoAP 5.03, HTTP 503) rather than buffer without bound.
 */
public class BackpressureException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BackpressureException(String message) {
        super(message, null, false, false);
    }
}
