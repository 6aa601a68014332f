package org.campusedge.camel.card;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replaces a card number by a keyed hash (HMAC-SHA-256, first 16 bytes in hex): the same card gives
 * the same pseudonym at this school within a period, nobody without the school's secret can go back
 * to the number, and the pseudonyms of two schools cannot be matched.
 *
 * <p>Pseudonyms rotate: each period (a school year from 1 September by default, or every N months)
 * has its own key, derived from the school's secret and the period's first day, so a child's swipes
 * of one year cannot be linked to those of the next (PIPL art. 28: the data kept about minors is
 * minimised). With rotation off (0 months) the key is the secret itself, as before rotation existed.
 */
public final class CardPseudonymiser {

    /** When periods start: on {@code start} and every {@code months} after it (months divides 12; 0: never). */
    public record Rotation(MonthDay start, int months) {
        public Rotation {
            if (months < 0 || (months > 0 && 12 % months != 0)) {
                throw new IllegalArgumentException("card pseudonyms rotate every 1, 2, 3, 4, 6 or 12 months (0: never), not " + months);
            }
            if (start.getDayOfMonth() > 28) { // every month has the day: periods neither drift nor shrink (Aug 31 + 6 months)
                throw new IllegalArgumentException("a card period starts on a day 1 to 28 of a month, not " + start);
            }
        }

        public static Rotation never() {
            return new Rotation(MonthDay.of(9, 1), 0);
        }

        /** The first day of the period {@code day} is in. */
        public LocalDate periodOf(LocalDate day) {
            LocalDate p = start.atYear(day.getYear());
            if (p.isAfter(day)) {
                p = start.atYear(day.getYear() - 1);
            }
            while (!p.plusMonths(months).isAfter(day)) {
                p = p.plusMonths(months);
            }
            return p;
        }
    }

    private final byte[] secret;
    private final SecretKeySpec unrotated;
    private final Rotation rotation;
    private final java.util.function.Supplier<ZoneId> zone;
    private LocalDate cachedPeriod;
    private SecretKeySpec cachedKey;

    public CardPseudonymiser(byte[] secret) {
        this(secret, Rotation.never(), () -> ZoneId.of("UTC"));
    }

    public CardPseudonymiser(byte[] secret, Rotation rotation, java.util.function.Supplier<ZoneId> zone) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the card secret must have at least 16 bytes");
        }
        this.secret = secret.clone();
        this.unrotated = new SecretKeySpec(this.secret, "HmacSHA256");
        this.rotation = rotation;
        this.zone = zone;
    }

    /**
     * When {@code file} is missing but {@code legacy} (where releases before 2026-12 kept the secret,
     * among the data) exists, moves it to {@code file}, so that no pseudonym changes with the
     * upgrade; true when it did.
     */
    public static boolean adoptLegacy(Path file, Path legacy) throws IOException {
        if (Files.exists(file) || legacy == null || !Files.exists(legacy) || legacy.equals(file)) {
            return false;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.move(legacy, file);
        return true;
    }

    /** The secret from {@code file} (made there the first time), pseudonyms rotating as {@code rotation} says. */
    public static CardPseudonymiser fromFile(Path file, Rotation rotation, java.util.function.Supplier<ZoneId> zone) throws IOException {
        makeIfMissing(file);
        return new CardPseudonymiser(Files.readAllBytes(file), rotation, zone);
    }

    /** The period {@code at} is in ("2026-09-01"), or "" when pseudonyms do not rotate. */
    public String period(Instant at) {
        return rotation.months() == 0 ? "" : rotation.periodOf(at.atZone(zone.get()).toLocalDate()).toString();
    }

    /** The card's pseudonym for a swipe at {@code at}: that period's. */
    public synchronized String pseudonym(String cardNumber, Instant at) {
        if (rotation.months() == 0) {
            return pseudonym(cardNumber);
        }
        LocalDate period = rotation.periodOf(at.atZone(zone.get()).toLocalDate());
        if (!period.equals(cachedPeriod)) {
            cachedKey = new SecretKeySpec(hmac(unrotated, "campus-edge card period " + period), "HmacSHA256");
            cachedPeriod = period;
        }
        return HexFormat.of().formatHex(hmac(cachedKey, cardNumber), 0, 16);
    }

    /**
     * Every pseudonym the card had from {@code from} to {@code to} (each period's, and the unrotated
     * one of a store written before rotation): what a subject-access request or an erasure looks for.
     */
    public List<String> pseudonymsBetween(String cardNumber, Instant from, Instant to) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        out.add(pseudonym(cardNumber));
        if (rotation.months() > 0) {
            ZoneId z = zone.get();
            LocalDate last = to.atZone(z).toLocalDate();
            for (LocalDate p = rotation.periodOf(from.atZone(z).toLocalDate()); !p.isAfter(last); p = p.plusMonths(rotation.months())) {
                out.add(pseudonym(cardNumber, p.atStartOfDay(z).toInstant()));
            }
        }
        return List.copyOf(out);
    }

    private static byte[] hmac(SecretKeySpec key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * The school's secret from {@code file}, made there (32 random bytes, readable by the owner only)
     * the first time. Losing the file changes every pseudonym from then on.
     */
    public static CardPseudonymiser fromFile(Path file) throws IOException {
        makeIfMissing(file);
        return new CardPseudonymiser(Files.readAllBytes(file));
    }

    private static void makeIfMissing(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "card-secret", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system; the folder's permissions protect it
            }
            Files.write(tmp, secret);
            Files.move(tmp, file);
        }
    }

    /** The card's unrotated pseudonym (the secret itself as the key). */
    public String pseudonym(String cardNumber) {
        return HexFormat.of().formatHex(hmac(unrotated, cardNumber), 0, 16);
    }
}
