package org.campusedge.camel.energy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Period;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.campusedge.api.ServerCertificates;
import org.campusedge.net.OwnerOnlyFiles;
import org.campusedge.net.TlsIdentity;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultClientCertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.FileBasedCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.FileBasedTrustListManager;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's OPC UA certificates, in the folder layout OPC UA tools share ({@code own/},
 * {@code trusted/certs}, {@code issuers/certs}, {@code rejected/certs}): its application instance
 * certificate and key, made at the first start (RSA 2048, SHA-256, the application URI in the
 * subject alternative name, five years), and the trust list a meter server's certificate is checked
 * against. A server not on it is refused and its certificate lands in {@code rejected/certs}, where the
 * admin page shows it and can move it to the trusted ones (or an admin does with {@code mv}: Milo
 * watches the folder).
 */
public final class OpcUaPki implements ServerCertificates, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpcUaPki.class);
    private static final String ALIAS = "gateway";

    private final Path dir;
    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final FileBasedTrustListManager trustList;
    private final FileBasedCertificateQuarantine rejected;
    private final CertificateValidator validator;
    private final List<Runnable> trustListeners = new CopyOnWriteArrayList<>();

    private OpcUaPki(Path dir, KeyPair keyPair, X509Certificate certificate) throws IOException {
        this.dir = dir;
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.trustList = FileBasedTrustListManager.createAndInitialize(dir);
        this.rejected = FileBasedCertificateQuarantine.create(dir.resolve("rejected/certs"));
        this.validator = new DefaultClientCertificateValidator(trustList, rejected);
    }

    /** The PKI in {@code dir}, with a new application instance certificate for {@code applicationUri} when there is none. */
    public static OpcUaPki open(Path dir, String applicationUri, String commonName) throws IOException {
        Files.createDirectories(dir);
        Path store = dir.resolve("own/private/gateway.p12");
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            if (Files.exists(store)) {
                try (InputStream in = Files.newInputStream(store)) {
                    ks.load(in, TlsIdentity.STORE_PASSWORD);
                }
                X509Certificate cert = (X509Certificate) ks.getCertificate(ALIAS);
                PrivateKey key = (PrivateKey) ks.getKey(ALIAS, TlsIdentity.STORE_PASSWORD);
                if (cert == null || key == null) {
                    throw new IOException(store + " holds no '" + ALIAS + "' key");
                }
                return new OpcUaPki(dir, new KeyPair(cert.getPublicKey(), key), cert);
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair pair = g.generateKeyPair();
            SelfSignedCertificateBuilder b = new SelfSignedCertificateBuilder(pair)
                    .setCommonName(commonName).setOrganization("Campus Edge").setApplicationUri(applicationUri)
                    .setValidityPeriod(Period.ofYears(5)).addIpAddress("127.0.0.1");
            String host = hostName();
            if (host != null) {
                b.addDnsName(host);
            }
            X509Certificate cert = b.build();
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, pair.getPrivate(), TlsIdentity.STORE_PASSWORD, new Certificate[] {cert});
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ks.store(bytes, TlsIdentity.STORE_PASSWORD);
            OwnerOnlyFiles.write(store, bytes.toByteArray());
            Path certs = Files.createDirectories(dir.resolve("own/certs"));
            Files.write(certs.resolve("gateway.der"), cert.getEncoded());
            Files.writeString(certs.resolve("gateway.pem"), TlsIdentity.pem(cert), StandardCharsets.US_ASCII);
            LOG.info("OPC UA: made the gateway's application instance certificate {} (SHA-1 {}); put {} in each meter"
                    + " server's trust list", applicationUri, thumbprint(cert), certs.resolve("gateway.der"));
            return new OpcUaPki(dir, pair, cert);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("the OPC UA key store " + store + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return null;
        }
    }

    public Path dir() {
        return dir;
    }

    KeyPair keyPair() {
        return keyPair;
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** The application URI in the gateway's certificate, which the gateway must also name in its sessions. */
    String applicationUri() {
        return entry(certificate, true).applicationUri();
    }

    /** Milo's validator over the trust list; a server it refuses is put in {@code rejected/certs}. */
    CertificateValidator validator() {
        return validator;
    }

    private org.eclipse.milo.opcua.stack.core.types.builtin.DateTime seenUpdate;

    /** Whether the trust list changed since the last call (a file an admin put in or took out of trusted/certs). */
    synchronized boolean trustListChanged() {
        var now = trustList.getLastUpdateTime();
        boolean changed = seenUpdate != null && !now.equals(seenUpdate);
        seenUpdate = now;
        return changed;
    }

    /** Told when an admin trusted a certificate, so that a refused server is tried again at once. */
    void onTrusted(Runnable r) {
        trustListeners.add(r);
    }

    /** The SHA-1 thumbprint of a certificate, in hex, as OPC UA tools show it. */
    public static String thumbprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Entry entry(X509Certificate c, boolean trusted) {
        String uri = null;
        try {
            if (c.getSubjectAlternativeNames() != null) {
                for (List<?> san : c.getSubjectAlternativeNames()) {
                    if (Integer.valueOf(6).equals(san.get(0))) { // uniformResourceIdentifier
                        uri = String.valueOf(san.get(1));
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // no URI to show
        }
        return new Entry(thumbprint(c), c.getSubjectX500Principal().getName(), uri, c.getNotAfter().toInstant(), trusted);
    }

    @Override
    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        trustList.getTrustedCertificates().forEach(c -> out.add(entry(c, true)));
        rejected.getRejectedCertificates().stream().filter(c -> !trustList.getTrustedCertificates().contains(c))
                .forEach(c -> out.add(entry(c, false)));
        return out;
    }

    @Override
    public boolean trust(String thumbprint) {
        for (X509Certificate c : rejected.getRejectedCertificates()) {
            if (thumbprint(c).equalsIgnoreCase(thumbprint)) {
                trustList.addTrustedCertificate(c);
                rejected.removeRejectedCertificate(c);
                LOG.info("OPC UA: now trusting the server certificate {} (SHA-1 {})", c.getSubjectX500Principal().getName(),
                        thumbprint(c));
                trustListeners.forEach(Runnable::run);
                return true;
            }
        }
        return false;
    }

    /** Trusts a certificate the admin (or an installer's script) hands over, e.g. a meter server's .der file. */
    public void trust(X509Certificate c) {
        trustList.addTrustedCertificate(c);
        trustListeners.forEach(Runnable::run);
    }

    @Override
    public boolean distrust(String thumbprint) {
        for (X509Certificate c : trustList.getTrustedCertificates()) {
            if (thumbprint(c).equalsIgnoreCase(thumbprint)) {
                try {
                    boolean removed = trustList.removeTrustedCertificate(ByteString.of(MessageDigest.getInstance("SHA-1")
                            .digest(c.getEncoded())));
                    LOG.info("OPC UA: no longer trusting the server certificate {} (SHA-1 {})",
                            c.getSubjectX500Principal().getName(), thumbprint);
                    return removed;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return false;
    }

    @Override
    public String ownCertificatePem() {
        try {
            return TlsIdentity.pem(certificate);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String ownThumbprint() {
        return thumbprint(certificate);
    }

    /** A validator that tells {@code refused} which server certificate it refused, and why, before it throws. */
    CertificateValidator reporting(java.util.function.BiConsumer<X509Certificate, UaException> refused) {
        return (chain, applicationUri, hostnames) -> {
            try {
                validator.validateCertificateChain(chain, applicationUri, hostnames);
            } catch (UaException e) {
                refused.accept(chain.isEmpty() ? null : chain.get(0), e);
                throw e;
            }
        };
    }

    @Override
    public void close() throws IOException {
        trustList.close();
    }
}
