package org.campusedge.api;

import java.time.Instant;
import java.util.List;

/**
 * For the school's data-protection officer: which pseudonyms a card number had (the store never
 * holds the number itself), so that a subject-access request can export that child's card events
 * and an erasure request can delete them (PIPL arts. 45 and 47). Provided by whoever holds the
 * school's card secret.
 */
public interface CardSubjects {

    /**
     * Every pseudonym the card had from {@code from} to {@code to}: one per rotation period, and
     * the unrotated one of events stored before rotation.
     *
     * @throws IllegalArgumentException when {@code cardNumber} is not a card number (4 to 20 digits)
     */
    List<String> pseudonyms(String cardNumber, Instant from, Instant to);
}
