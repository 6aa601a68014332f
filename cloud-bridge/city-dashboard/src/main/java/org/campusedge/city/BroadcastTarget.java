package org.campusedge.city;

/**
 * One school of a broadcast and where it stands.
 *
 * @param school       the school
 * @param state        {@code confirmed} (its gateway answered 2xx: the PA controller took it), {@code refused} (a 4xx
 *                     answer: trying again cannot help), or {@code pending} (no answer yet; tried again until the
 *                     broadcast expires)
 * @param attempts     how many times it was sent
 * @param code         the last answer's status, or Hono's error for the last try; null if none yet
 * @param response     the last answer's body or the last try's error
 * @param answeredAtMs when it was confirmed or refused
 * @param expiresAtMs  when the broadcast expires
 */
public record BroadcastTarget(String school, String state, int attempts, Integer code, String response, Long answeredAtMs,
                              long expiresAtMs) {

    /**
     * What the bureau is shown: {@code confirmed}, {@code refused}, {@code pending} while the broadcast runs, and
     * {@code expired} for a school that never got it before the broadcast expired.
     */
    public String shown(long nowMs) {
        return "pending".equals(state) && nowMs >= expiresAtMs ? "expired" : state;
    }
}
