package org.campusedge.camel.card;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One card connection's claim to a reader, and for a reader with a key the proof of it (frame
 * version 2 of device-profiles/frames/card-reader-frame.md). The gateway answers a keyed reader's
 * {@code K|id} with a challenge of 16 random bytes, new for each connection; from then on every
 * frame carries a counter that rises with each frame and an HMAC-SHA-256 (first 16 bytes, hex) over
 * the challenge and the frame, and the gateway's answers carry one too. A frame recorded on one
 * connection is worthless on any other (another challenge), and on its own connection (its counter
 * is spent). A reader the inventory marks {@code security: none} speaks version 1, unproven, as
 * before.
 */
final class ReaderSession {

    /** What the connection may know about readers' keys. */
    interface Keys {
        /** No reader has a key: every reader speaks version 1 (tests of the routes' own logic). */
        Keys NONE = new Keys() {
            @Override
            public boolean keyed(String readerId) {
                return false;
            }

            @Override
            public byte[] key(String readerId) {
                return null;
            }
        };

        /** Whether the reader must prove itself (it is in the inventory and not marked security: none). */
        boolean keyed(String readerId);

        /** The reader's key in force, or null (none, or revoked). */
        byte[] key(String readerId);
    }

    /** A frame that passed: a hello to answer with the challenge, a keep-alive, or a swipe as version 1 reads it. */
    record Accepted(Kind kind, String reader, String swipePayload) {
    }

    enum Kind { CHALLENGE, KEEP_ALIVE, SWIPE }

    /** A frame refused: the NAK code and why (for the counters; never a card number). */
    static final class Refusal extends Exception {
        final String code;

        Refusal(String code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }
    }

    static final int MAC_HEX = 32;
    private static final HexFormat HEX = HexFormat.of();
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Keys keys;
    private String reader; // the reader this connection claims (and, once proven or unkeyed, speaks for)
    private boolean keyed;
    private byte[] key;
    private String challenge;
    private long counter;
    private boolean proven;

    ReaderSession(Keys keys) {
        this.keys = keys;
    }

    /** The reader the connection speaks for: named by an unkeyed reader, or proven by a keyed one; else null. */
    synchronized String reader() {
        return reader != null && (proven || !keyed) ? reader : null;
    }

    /** Whether a frame on this connection was proven with the reader's key. */
    synchronized boolean proven() {
        return proven;
    }

    synchronized String challenge() {
        return challenge;
    }

    /** The answer frame's payload, with its MAC once the connection is proven. */
    synchronized String answer(String text) {
        return proven ? text + "|" + mac(key, challenge + "|" + text) : text;
    }

    /**
     * Reads one payload.
     *
     * @param known whether a reader id is in the inventory (has a route)
     */
    synchronized Accepted read(String text, java.util.function.Predicate<String> known) throws Refusal {
        String[] f = text.split("\\|", -1);
        if (f[0].equals("K") && f.length == 2) {
            return hello(f[1], known);
        }
        if (f[0].equals("K") && f.length == 4) {
            verify(f[1], text, f[2], f[3]);
            return new Accepted(Kind.KEEP_ALIVE, reader, null);
        }
        if (f[0].equals("2")) {
            if (f.length != 9) {
                throw new Refusal("FORMAT", "a version 2 swipe has 9 fields, found " + f.length);
            }
            verify(f[1], text, f[7], f[8]);
            return new Accepted(Kind.SWIPE, reader, "1|" + String.join("|", java.util.Arrays.copyOfRange(f, 1, 7)));
        }
        String named = Swipe.readerOf(text);
        if (named != null && known.test(named) && keys.keyed(named)) {
            throw new Refusal("AUTH", "reader " + named + " has a key: frames without its MAC (version 1) are refused");
        }
        if (named != null && reader != null && !named.equals(reader)) {
            throw new Refusal("READER", "a frame on this reader's connection named another reader");
        }
        if (reader == null && named != null && known.test(named)) {
            reader = named; // an unkeyed reader: named is enough
        }
        return new Accepted(Kind.SWIPE, reader, text);
    }

    private Accepted hello(String named, java.util.function.Predicate<String> known) throws Refusal {
        if (reader != null && !named.equals(reader)) {
            throw new Refusal("READER", "a keep-alive on this reader's connection named another reader");
        }
        if (!known.test(named)) {
            throw new Refusal("READER", "a keep-alive named a reader that is not in the inventory");
        }
        reader = named;
        keyed = keys.keyed(named);
        if (!keyed) {
            return new Accepted(Kind.KEEP_ALIVE, named, null);
        }
        if (challenge == null) {
            byte[] c = new byte[16];
            RANDOM.nextBytes(c);
            challenge = HEX.formatHex(c);
        }
        return new Accepted(Kind.CHALLENGE, named, null);
    }

    private void verify(String named, String text, String count, String mac) throws Refusal {
        if (reader == null || challenge == null) {
            throw new Refusal("AUTH", "an authenticated frame before the challenge (send K|<reader id> first)");
        }
        if (!named.equals(reader)) {
            throw new Refusal("READER", "a frame on this reader's connection named another reader");
        }
        byte[] k = keys.key(reader);
        if (k == null) {
            throw new Refusal("AUTH", reader + ": no credential in force (revoked?)");
        }
        String signed = text.substring(0, text.length() - mac.length() - 1);
        if (mac.length() != MAC_HEX || !MessageDigest.isEqual(mac(k, challenge + "|" + signed).getBytes(StandardCharsets.US_ASCII),
                mac.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            throw new Refusal("AUTH", "the frame's MAC is wrong (another key, or a frame recorded on another connection)");
        }
        long n;
        try {
            n = Long.parseLong(count);
        } catch (NumberFormatException e) {
            throw new Refusal("FORMAT", "the counter is not a number");
        }
        if (n <= counter) {
            throw new Refusal("REPLAY", "counter " + n + " is not above " + counter + " (a frame sent again)");
        }
        counter = n;
        key = k;
        proven = true;
    }

    /** HMAC-SHA-256 of the text under the key, first 16 bytes, lower-case hex. */
    static String mac(byte[] key, String text) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return HEX.formatHex(m.doFinal(text.getBytes(StandardCharsets.US_ASCII)), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
