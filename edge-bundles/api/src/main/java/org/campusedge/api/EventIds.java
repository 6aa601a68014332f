package org.campusedge.api;

import java.security.SecureRandom;

/**
 * Time-ordered unique event ids in the ULID text form: 26 Crockford base-32 characters, the first
 * ten encoding milliseconds since the epoch, the rest 80 bits that are random at each new
 * millisecond and incremented within it, so ids made by one gateway sort in the order they were
 * made. The id is the de-duplication key from the device to the city dashboard.
 */
public final class EventIds {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom SEED = new SecureRandom();
    /** One digest per thread: getting one from the providers costs more than hashing a key (every reading has one). */
    private static final ThreadLocal<java.security.MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    });

    private static long lastMillis = -1;
    private static long randHigh; // 16 bits
    private static long randLow;  // 64 bits

    private EventIds() {
    }

    /** A new id, greater than every id this class handed out before in this JVM. */
    public static String next() {
        return next(System.currentTimeMillis());
    }

    static synchronized String next(long nowMillis) {
        if (nowMillis > lastMillis) {
            lastMillis = nowMillis;
            randHigh = SEED.nextInt() & 0xFFFFL;
            randLow = SEED.nextLong() >>> 1; // leave headroom for increments within the millisecond
        } else {
            // same millisecond or the clock went back: keep the order by counting up from the last id
            randLow++;
            if (randLow == 0) {
                randHigh = (randHigh + 1) & 0xFFFFL;
                if (randHigh == 0) {
                    lastMillis++;
                }
            }
        }
        return encode(lastMillis, randHigh, randLow);
    }

    static String encode(long millis, long high16, long low64) {
        char[] out = new char[26];
        long t = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (t & 31)];
            t >>>= 5;
        }
        // 80 random bits = 16 chars of 5 bits; take them from (high16 << 64 | low64)
        long lo = low64;
        long hi = high16;
        for (int i = 25; i >= 10; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo = (lo >>> 5) | ((hi & 31) << 59);
            hi >>>= 5;
        }
        return new String(out);
    }

    /**
     * A random id for the given millisecond, for events imported with their original time. Unlike
     * {@link #next()} it does not keep creation order within the millisecond.
     */
    public static String at(long millis) {
        return encode(millis, SEED.nextInt() & 0xFFFFL, SEED.nextLong());
    }

    /**
     * The same id every time for the same millisecond and key: for events a device may send twice
     * (a card swipe re-sent after a reconnect), so that the store keeps one. The random part is a
     * hash of the key.
     */
    public static String forKey(long millis, String key) {
        byte[] h = SHA256.get().digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long high = ((h[0] & 0xFFL) << 8) | (h[1] & 0xFFL);
        long low = 0;
        for (int i = 2; i < 10; i++) {
            low = (low << 8) | (h[i] & 0xFFL);
        }
        return encode(millis, high, low);
    }

    /** The smallest id that {@link #next()} can make at this millisecond; every id made later sorts after it. */
    public static String lowestIdAt(long millis) {
        return encode(millis, 0, 0);
    }

    /** The millisecond timestamp encoded in an id made by {@link #next()}. */
    public static long timestampOf(String id) {
        if (id == null || id.length() != 26) {
            throw new IllegalArgumentException("not an event id: " + id);
        }
        long t = 0;
        for (int i = 0; i < 10; i++) {
            int v = indexOf(id.charAt(i));
            if (v < 0) {
                throw new IllegalArgumentException("not an event id: " + id);
            }
            t = (t << 5) | v;
        }
        return t;
    }

    private static int indexOf(char c) {
        for (int i = 0; i < ALPHABET.length; i++) {
            if (ALPHABET[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
