package org.campusedge.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A server's TLS key and certificate, kept in a PKCS#12 key store: one a school configures (its
 * own PEM turned key store, or one from the school's CA), or, at the first start, a self-signed one
 * made here (EC P-256, ECDSA with SHA-256, ten years, the machine's names and addresses as subject
 * alternative names). The JDK can use certificates but not make them, so the few DER structures of
 * an X.509 v3 certificate (RFC 5280) are written here; the result is read back through the JDK's
 * own parser and checked against its key before it is kept. The certificate is also written as PEM
 * beside the key store, for clients that pin it, and its SHA-256 fingerprint is what a person
 * compares with the browser's warning on the first visit.
 *
 * <p>The key store's password is a fixed word: what protects the key is the file's owner-only mode
 * (a password kept beside the file would add nothing).
 */
public final class TlsIdentity {

    public static final char[] STORE_PASSWORD = "campus-edge".toCharArray();
    private static final String ALIAS = "server";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyStore keyStore;
    private final X509Certificate certificate;
    private final boolean created;

    private TlsIdentity(KeyStore keyStore, X509Certificate certificate, boolean created) {
        this.keyStore = keyStore;
        this.certificate = certificate;
        this.created = created;
    }

    /**
     * The identity in {@code store}, or a new self-signed one written there (owner-only) with its
     * certificate as PEM at {@code certificatePem}.
     *
     * @param commonName what the certificate is for, e.g. "Campus Edge school console sch-01"
     */
    public static TlsIdentity loadOrCreate(Path store, Path certificatePem, String commonName) throws IOException {
        try {
            if (Files.exists(store)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(store)) {
                    ks.load(in, STORE_PASSWORD);
                }
                String alias = null;
                for (String a : Collections.list(ks.aliases())) {
                    if (ks.isKeyEntry(a)) {
                        alias = a;
                        break;
                    }
                }
                if (alias == null) {
                    throw new IOException(store + " holds no key");
                }
                return new TlsIdentity(ks, (X509Certificate) ks.getCertificate(alias), false);
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair pair = g.generateKeyPair();
            X509Certificate cert = selfSigned(pair, commonName, localNames(), 3650);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, pair.getPrivate(), STORE_PASSWORD, new Certificate[] {cert});
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ks.store(bytes, STORE_PASSWORD);
            OwnerOnlyFiles.write(store, bytes.toByteArray());
            Files.createDirectories(certificatePem.toAbsolutePath().getParent());
            Files.writeString(certificatePem, pem(cert), StandardCharsets.US_ASCII);
            return new TlsIdentity(ks, cert, true);
        } catch (GeneralSecurityException e) {
            throw new IOException("the TLS key store " + store + " cannot be used: " + e.getMessage(), e);
        }
    }

    public KeyStore keyStore() {
        return keyStore;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Whether this start made it (then its fingerprint is worth printing). */
    public boolean created() {
        return created;
    }

    /** SHA-256 of the certificate, as browsers show it (hex pairs, colons). */
    public String fingerprint() {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An SSL context that trusts the certificate in {@code certificatePem} and nothing else: how a
     * client pins a server whose certificate was made at its first start.
     */
    public static javax.net.ssl.SSLContext trusting(Path certificatePem) throws IOException {
        try (InputStream in = Files.newInputStream(certificatePem)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new IOException(certificatePem + " cannot be trusted: " + e.getMessage(), e);
        }
    }

    /** A certificate as PEM. */
    public static String pem(X509Certificate cert) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    /** localhost, this machine's name, 127.0.0.1, ::1 and the addresses of its network interfaces. */
    static List<String> localNames() {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            // no name: the addresses will do
        }
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (!a.isLinkLocalAddress()) {
                        names.add(a.getHostAddress().replaceAll("%.*", ""));
                    }
                }
            }
        } catch (IOException e) {
            // none listed
        }
        return new ArrayList<>(names);
    }

    /** A self-signed X.509 v3 server certificate for the key pair (EC), valid from an hour ago for {@code days}. */
    static X509Certificate selfSigned(KeyPair pair, String commonName, List<String> names, int days) throws GeneralSecurityException {
        byte[] ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
        byte[] name = seq(set(seq(oid("2.5.4.3"), tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))),
                set(seq(oid("2.5.4.10"), tlv(0x0C, "Campus Edge".getBytes(StandardCharsets.UTF_8)))));
        ZonedDateTime from = ZonedDateTime.now(ZoneOffset.UTC).minusHours(1);
        DateTimeFormatter utc = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
        byte[] validity = seq(tlv(0x17, utc.format(from).getBytes(StandardCharsets.US_ASCII)),
                tlv(0x17, utc.format(from.plusDays(days)).getBytes(StandardCharsets.US_ASCII)));
        ByteArrayOutputStream alt = new ByteArrayOutputStream();
        for (String n : names) {
            if (n.matches("[0-9.]+") || n.contains(":")) {
                try {
                    alt.writeBytes(tlv(0x87, InetAddress.getByName(n).getAddress()));
                } catch (IOException e) {
                    // not an address after all
                }
            } else {
                alt.writeBytes(tlv(0x82, n.getBytes(StandardCharsets.US_ASCII)));
            }
        }
        byte[] extensions = tlv(0xA3, seq(
                seq(oid("2.5.29.19"), tlv(0x01, new byte[] {(byte) 0xFF}), tlv(0x04, seq())),           // basicConstraints: not a CA
                seq(oid("2.5.29.15"), tlv(0x01, new byte[] {(byte) 0xFF}), tlv(0x04, tlv(0x03, new byte[] {7, (byte) 0x80}))), // digitalSignature
                seq(oid("2.5.29.37"), tlv(0x04, seq(oid("1.3.6.1.5.5.7.3.1")))),                      // extKeyUsage: serverAuth
                seq(oid("2.5.29.17"), tlv(0x04, tlv(0x30, alt.toByteArray())))));                       // subjectAltName
        byte[] serial = new byte[16];
        RANDOM.nextBytes(serial);
        serial[0] &= 0x7F;
        byte[] tbs = seq(tlv(0xA0, tlv(0x02, new byte[] {2})), tlv(0x02, new BigInteger(1, serial).toByteArray()), ecdsaSha256, name,
                validity, name, pair.getPublic().getEncoded(), extensions);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(pair.getPrivate());
        s.update(tbs);
        byte[] sig = s.sign();
        byte[] bits = new byte[sig.length + 1];
        System.arraycopy(sig, 0, bits, 1, sig.length);
        byte[] der = seq(tbs, ecdsaSha256, tlv(0x03, bits));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        cert.verify(pair.getPublic()); // what we wrote is what the JDK reads, and it is signed by the key
        return cert;
    }

    private static byte[] seq(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, concat(parts));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xFF);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] oid(String dotted) {
        String[] p = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(p[0]) * 40 + Integer.parseInt(p[1]));
        for (int i = 2; i < p.length; i++) {
            long v = Long.parseLong(p[i]);
            byte[] tmp = new byte[10];
            int k = tmp.length;
            tmp[--k] = (byte) (v & 0x7F);
            while ((v >>= 7) > 0) {
                tmp[--k] = (byte) (0x80 | (v & 0x7F));
            }
            out.write(tmp, k, tmp.length - k);
        }
        return tlv(0x06, out.toByteArray());
    }
}
