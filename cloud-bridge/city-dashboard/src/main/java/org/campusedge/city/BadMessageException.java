package org.campusedge.city;

/** A message the dashboard cannot use (wrong content type, not JSON, not a valid CloudEvent or summary). */
final class BadMessageException extends Exception {

    private static final long serialVersionUID = 1L;

    BadMessageException(String reason) {
        super(reason, null, false, false);
    }
}
