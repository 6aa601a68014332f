package org.campusedge.city;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.LongSupplier;

/**
 * The bureau's signing key and the signature on every command it sends: a JWS in compact form
 * (RFC 7515; EdDSA with Ed25519, RFC 8037) whose claims name the bureau ({@code iss}), the school
 * ({@code sub}), the command ({@code cmd}), who sent it ({@code user}), when ({@code iat}), until
 * when it may be carried out ({@code exp}), a nonce ({@code jti}) and the command's own JSON
 * ({@code body}). The key pair is made at the dashboard's first start: the private half in an
 * owner-only file, the public half beside it ({@code .pub}, PEM) for each school's gateway.
 */
public final class CommandSigner {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final String issuer;
    private final PrivateKey key;
    private final PublicKey publicKey;
    private final Path publicKeyFile;
    private final Duration validity;
    private final LongSupplier clockMillis;

    private CommandSigner(String issuer, KeyPair pair, Path publicKeyFile, Duration validity, LongSupplier clockMillis) {
        this.issuer = issuer;
        this.key = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.publicKeyFile = publicKeyFile;
        this.validity = validity;
        this.clockMillis = clockMillis;
    }

    /**
     * The signer of the key in {@code keyFile}, made (with its {@code .pub}) when the file does not exist.
     *
     * @param validity how long a command may wait before a school carries it out (the schools take at most 10 minutes)
     */
    public static CommandSigner loadOrCreate(Path keyFile, String issuer, Duration validity) throws IOException {
        Path pub = keyFile.resolveSibling(keyFile.getFileName() + ".pub");
        try {
            KeyFactory kf = KeyFactory.getInstance("Ed25519");
            KeyPair pair;
            if (!Files.exists(keyFile) && !create(keyFile, pub)) {
                waitFor(pub); // another dashboard instance made the key in this folder a moment ago: use its key
            }
            PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(pem(Files.readString(keyFile, StandardCharsets.US_ASCII))));
            PublicKey pubKey = kf.generatePublic(new X509EncodedKeySpec(pem(Files.readString(pub, StandardCharsets.US_ASCII))));
            pair = new KeyPair(pubKey, priv);
            return new CommandSigner(issuer, pair, pub, validity, System::currentTimeMillis);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the command signing key " + keyFile + " cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * Makes a key pair in {@code keyFile} and {@code pub}, unless another process does so at the same moment: the
     * private key appears at once and whole (a hard link to a finished file, which fails if the name is taken).
     *
     * @return false when another process made the key first
     */
    private static boolean create(Path keyFile, Path pub) throws IOException, GeneralSecurityException {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path dir = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmpKey = dir.resolve("." + keyFile.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Path tmpPub = dir.resolve("." + pub.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            org.campusedge.net.OwnerOnlyFiles.write(tmpKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded())
                    .getBytes(StandardCharsets.US_ASCII));
            Files.writeString(tmpPub, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
            try {
                Files.createLink(keyFile.toAbsolutePath(), tmpKey);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                return false;
            }
            Files.move(tmpPub, pub, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        } finally {
            Files.deleteIfExists(tmpKey);
            Files.deleteIfExists(tmpPub);
        }
    }

    private static void waitFor(Path pub) throws IOException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(pub)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the public half " + pub + " of the signing key did not appear");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /** The same key, signing with another clock and validity (for tests of expiry). */
    public CommandSigner at(LongSupplier clockMillis, Duration validity) {
        return new CommandSigner(issuer, new KeyPair(publicKey, key), publicKeyFile, validity, clockMillis);
    }

    /** Where the public key is, for the schools' gateways ({@code cloud.cityKeyFile}). */
    public Path publicKeyFile() {
        return publicKeyFile;
    }

    /** SHA-256 of the public key's encoding, the first 16 bytes as hex pairs: what a school compares when it installs the key. */
    public String fingerprint() {
        try {
            return HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signed command: a JWS of the claims around {@code bodyJson}. */
    public String sign(String command, String school, String user, String bodyJson) {
        return sign(command, school, user, bodyJson, Long.MAX_VALUE);
    }

    /**
     * As {@link #sign(String, String, String, String)}, valid no later than {@code notAfterMs} either (a broadcast's
     * expiry: a school that gets a retry late must not play it after that).
     */
    public String sign(String command, String school, String user, String bodyJson, long notAfterMs) {
        try {
            long now = clockMillis.getAsLong() / 1000;
            long exp = Math.min(now + validity.toSeconds(), notAfterMs / 1000);
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            ObjectNode claims = MAPPER.createObjectNode()
                    .put("iss", issuer).put("sub", school).put("cmd", command).put("user", user == null ? "program" : user)
                    .put("iat", now).put("exp", exp).put("jti", B64URL.encodeToString(nonce));
            claims.set("body", MAPPER.readTree(bodyJson));
            String signingInput = B64URL.encodeToString("{\"alg\":\"EdDSA\",\"typ\":\"campus-command\"}".getBytes(StandardCharsets.UTF_8))
                    + "." + B64URL.encodeToString(MAPPER.writeValueAsBytes(claims));
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64URL.encodeToString(s.sign());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the command: " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] pem(String text) {
        return Base64.getDecoder().decode(text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
    }
}
