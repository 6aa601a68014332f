package org.campusedge.camel.card;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replaces a card number by a keyed hash (HMAC-SHA-256 with the school's secret, first 16 bytes in
 * hex): the same card gives the same pseudonym at this school, nobody without the secret can go
 * back to the number, and the pseudonyms of two schools cannot be matched.
 */
public final class CardPseudonymiser {

    private final SecretKeySpec key;

    public CardPseudonymiser(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the card secret must have at least 16 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /**
     * The school's secret from {@code file}, made there (32 random bytes, readable by the owner only)
     * the first time. Losing the file changes every pseudonym from then on.
     */
    public static CardPseudonymiser fromFile(Path file) throws IOException {
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
        return new CardPseudonymiser(Files.readAllBytes(file));
    }

    public String pseudonym(String cardNumber) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] h = mac.doFinal(cardNumber.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
