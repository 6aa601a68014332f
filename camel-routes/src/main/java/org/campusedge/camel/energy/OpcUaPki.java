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
    private final List<Runnable> distrustListeners = new CopyOnWriteArrayList<>();
    /** Endpoint URL to the thumbprint of the one certificate accepted there (pins.properties). */
    private final java.util.Properties pins = new java.util.Properties();
    /** Thumbprint to the endpoint where it was refused, for the admin page and for pinning it when trusted. */
    private final java.util.Map<String, String> refusedAt = new java.util.concurrent.ConcurrentHashMap<>();

    private OpcUaPki(Path dir, KeyPair keyPair, X509Certificate certificate) throws IOException {
        this.dir = dir;
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.trustList = FileBasedTrustListManager.createAndInitialize(dir);
        this.rejected = FileBasedCertificateQuarantine.create(dir.resolve("rejected/certs"));
        this.validator = new DefaultClientCertificateValidator(trustList, rejected);
        Path pinFile = dir.resolve("pins.properties");
        if (Files.exists(pinFile)) {
            try (InputStream in = Files.newInputStream(pinFile)) {
                pins.load(in);
            }
        }
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
        return entry(certificate, true, null).applicationUri();
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

    /** Told when an admin stopped trusting a certificate, so that sessions with that server end now. */
    void onDistrusted(Runnable r) {
        distrustListeners.add(r);
    }

    private synchronized void pin(String endpoint, String thumbprint) {
        pins.setProperty(endpoint, thumbprint);
        try {
            java.io.StringWriter w = new java.io.StringWriter();
            pins.store(w, "Campus Edge: the one server certificate (SHA-1) accepted at each OPC UA endpoint");
            OwnerOnlyFiles.write(dir.resolve("pins.properties"), w.toString().getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            LOG.warn("OPC UA: could not save the certificate pins: {}", e.toString());
        }
        LOG.info("OPC UA: {} is now bound to the server certificate SHA-1 {}", endpoint, thumbprint);
    }

    private synchronized void unpin(String thumbprint) {
        for (String endpoint : pins.stringPropertyNames()) {
            if (pins.getProperty(endpoint).equalsIgnoreCase(thumbprint)) {
                pins.remove(endpoint);
            }
        }
    }

    /**
     * The check of a server's certificate at one endpoint. The certificate must be on the trust list
     * (Milo's validation) and be the one bound to that endpoint: a trust list holds every school server's
     * certificate, and one server's key must not let it answer for another's address (it would get that
     * server's password). The first trusted certificate seen at an endpoint is bound to it; another one
     * there later is refused and listed like an untrusted one, and trusting it on the admin page binds it instead.
     */
    CertificateValidator validatorFor(String endpoint, java.util.function.BiConsumer<X509Certificate, String> refused) {
        return (chain, applicationUri, hostnames) -> {
            X509Certificate cert = chain.isEmpty() ? null : chain.get(0);
            String thumbprint = cert == null ? "" : thumbprint(cert);
            try {
                validator.validateCertificateChain(chain, applicationUri, hostnames);
            } catch (UaException e) {
                refusedAt.put(thumbprint, endpoint);
                refused.accept(cert, "not in the trust list");
                throw e;
            }
            String pinned;
            synchronized (this) {
                pinned = pins.getProperty(endpoint);
                if (pinned == null) {
                    pin(endpoint, thumbprint);
                    return;
                }
            }
            if (!pinned.equalsIgnoreCase(thumbprint)) {
                rejected.addRejectedCertificate(cert);
                refusedAt.put(thumbprint, endpoint);
                refused.accept(cert, "trusted, but not the certificate bound to this endpoint (SHA-1 " + pinned + ")");
                throw new UaException(org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_CertificateUntrusted,
                        "not the certificate bound to " + endpoint);
            }
        };
    }

    /** A certificate's subject fit for a log line, an event and a page: printable, at most 200 characters. */
    static String printable(String s) {
        String p = s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]", "?");
        return p.length() > 200 ? p.substring(0, 200) + "..." : p;
    }

    /** The SHA-1 thumbprint of a certificate, in hex, as OPC UA tools show it. */
    public static String thumbprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Entry entry(X509Certificate c, boolean trusted, String endpoint) {
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
        return new Entry(thumbprint(c), printable(c.getSubjectX500Principal().getName()), uri == null ? null : printable(uri),
                c.getNotAfter().toInstant(), trusted, endpoint);
    }

    @Override
    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        java.util.Map<String, String> bound = new java.util.HashMap<>();
        synchronized (this) {
            pins.stringPropertyNames().forEach(e -> bound.merge(pins.getProperty(e).toLowerCase(), e, (a, b) -> a + ", " + b));
        }
        trustList.getTrustedCertificates().forEach(c -> out.add(entry(c, true, bound.get(thumbprint(c)))));
        // refused ones, including a trusted certificate refused at an endpoint bound to another
        rejected.getRejectedCertificates().forEach(c -> out.add(entry(c, false, refusedAt.get(thumbprint(c)))));
        return out;
    }

    @Override
    public boolean trust(String thumbprint) {
        for (X509Certificate c : rejected.getRejectedCertificates()) {
            if (thumbprint(c).equalsIgnoreCase(thumbprint)) {
                if (c.getBasicConstraints() >= 0) {
                    throw new IllegalArgumentException("that is a CA certificate: trusting it would trust every server it signed;"
                            + " trust the server's own certificate");
                }
                if (!trustList.getTrustedCertificates().contains(c)) {
                    trustList.addTrustedCertificate(c);
                }
                rejected.removeRejectedCertificate(c);
                String endpoint = refusedAt.remove(thumbprint(c));
                if (endpoint != null) {
                    pin(endpoint, thumbprint(c));
                }
                LOG.info("OPC UA: now trusting the server certificate {} (SHA-1 {}){}", printable(c.getSubjectX500Principal().getName()),
                        thumbprint(c), endpoint == null ? "" : " at " + endpoint);
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
                    unpin(thumbprint);
                    LOG.info("OPC UA: no longer trusting the server certificate {} (SHA-1 {})",
                            printable(c.getSubjectX500Principal().getName()), thumbprint);
                    distrustListeners.forEach(Runnable::run);
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

    @Override
    public void close() throws IOException {
        trustList.close();
    }
}
