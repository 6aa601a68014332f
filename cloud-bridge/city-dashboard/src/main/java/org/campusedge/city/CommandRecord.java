package org.campusedge.city;

/**
 * A row of the {@code commands} table: one command to one school and what came of it.
 *
 * @param id           the command's id (also its correlation with the broadcast it belongs to)
 * @param batch        the broadcast it is part of, or null for a single command
 * @param school       the school
 * @param command      the command name ({@code broadcast}, {@code status}, {@code rules})
 * @param body         the request body (JSON)
 * @param sentAtMs     when it was sent
 * @param status       {@code pending}, {@code answered} (the gateway responded, see {@code code}),
 *                     {@code timeout} (no response in time) or {@code failed} (Hono could not deliver it)
 * @param code         the response's status (HTTP-like), or Hono's error code; null while pending or on timeout
 * @param response     the response body, or the reason it failed
 * @param answeredAtMs when the outcome was known, or null while pending
 * @param issuedBy     the dashboard user who sent it, or null when a program did (tests, the runner)
 */
public record CommandRecord(String id, String batch, String school, String command, String body, long sentAtMs,
                            String status, Integer code, String response, Long answeredAtMs, String issuedBy) {

    /** True once the command has an outcome. */
    public boolean done() {
        return !"pending".equals(status);
    }
}
