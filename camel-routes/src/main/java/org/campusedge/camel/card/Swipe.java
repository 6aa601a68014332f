package org.campusedge.camel.card;

import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;

/**
 * One swipe as a reader reports it (payload fields of the card-reader frame). Holds the clear card
 * number only until the normaliser has pseudonymised it; {@link #toString()} never shows it.
 */
public record Swipe(String readerId, long seq, String cardNumber, char direction, boolean granted, long timeMillis) {

    /** Parses a payload; a bad field is a {@link RejectedInputException} naming it (never echoing a card number). */
    public static Swipe parse(String payload) {
        String[] f = payload.split("\\|", -1);
        if (f.length != 7) {
            throw bad("expected 7 fields, found " + f.length);
        }
        if (!f[0].equals("1")) {
            throw bad("unsupported frame version (field 1 must be 1)");
        }
        if (!f[1].matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw bad("reader id is not an inventory id");
        }
        long seq;
        try {
            seq = Long.parseLong(f[2]);
        } catch (NumberFormatException e) {
            throw bad("sequence is not a number");
        }
        if (seq < 0 || seq > 0xFFFF_FFFFL) {
            throw bad("sequence out of range");
        }
        if (!f[3].matches("\\d{4,20}")) {
            throw bad("card number must be 4 to 20 digits");
        }
        if (f[4].length() != 1 || "IO-".indexOf(f[4].charAt(0)) < 0) {
            throw bad("direction must be I, O or -");
        }
        if (!f[5].equals("G") && !f[5].equals("D")) {
            throw bad("result must be G or D");
        }
        long time;
        try {
            time = Long.parseLong(f[6]);
        } catch (NumberFormatException e) {
            throw bad("time is not a number");
        }
        return new Swipe(f[1], seq, f[3], f[4].charAt(0), f[5].equals("G"), time);
    }

    /** The reader id of a payload whose other fields may be bad, or null. */
    public static String readerOf(String payload) {
        String[] f = payload.split("\\|", 3);
        return f.length >= 2 && f[1].matches("[a-z0-9][a-z0-9-]{0,63}") ? f[1] : null;
    }

    private static RejectedInputException bad(String why) {
        return new RejectedInputException(Reason.MALFORMED, why);
    }

    @Override
    public String toString() {
        return "Swipe[" + readerId + " #" + seq + " " + direction + (granted ? " granted" : " denied") + " @" + timeMillis + "]";
    }
}
