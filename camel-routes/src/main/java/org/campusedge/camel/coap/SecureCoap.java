package org.campusedge.camel.coap;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.DeviceCredentials;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.Filter;
import java.net.DatagramPacket;
import org.campusedge.net.SourceGuard;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.DatagramFilter;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.Record;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DTLS side of the gateway's CoAP server (coaps): DTLS 1.2 with a pre-shared key per device
 * ({@link DevicePskStore}), server only. What a peer can make it hold is bounded like the plain side:
 * a HelloVerifyRequest cookie before any state (a forged source address gets nothing), at most
 * {@code maxConnections} connections (a new device takes the place of the least recently used one
 * idle for over a minute; beyond that, handshakes are refused), the anti-replay window on every record
 * (a recorded datagram sent again is dropped), and small queues in front of its threads. When a
 * device's credential is rotated or revoked, its connections are dropped: it must prove itself
 * again with the new key.
 */
final class SecureCoap implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SecureCoap.class);

    private final DTLSConnector connector;
    private final DevicePskStore keys;
    private final AutoCloseable listener;

    /**
     * Handshake records a second one address may send (a handshake is three or four; a kit makes one a
     * session), four times that in a burst: one address cannot fill the 4,000 connections in under
     * five minutes, and the stale ones it could push out are those idle for a minute.
     */
    static final double HANDSHAKE_RECORDS_PER_SECOND = 50;

    SecureCoap(String host, int port, int maxConnections, Configuration coapConfig, DeviceCredentials credentials,
               SourceGuard sources) {
        this.keys = new DevicePskStore(credentials);
        SourceGuard handshakes = new SourceGuard("coaps handshakes", new SourceGuard.Limits(HANDSHAKE_RECORDS_PER_SECOND,
                4 * HANDSHAKE_RECORDS_PER_SECOND, 0, 0, 1_000_000, 1, 4096));
        DtlsConnectorConfig cfg = DtlsConnectorConfig.builder(config(new InetSocketAddress(host, port), maxConnections, coapConfig, keys)).setDatagramFilter(new Gate(sources, handshakes)).build();
        this.connector = new DTLSConnector(cfg);
        this.listener = credentials.addListener(this::credentialsChanged);
    }

    /** The server connector's settings. */
    private static DtlsConnectorConfig config(InetSocketAddress bind, int maxConnections, Configuration coapConfig, DevicePskStore keys) {
        DtlsConfig.register();
        Configuration c = new Configuration(coapConfig);
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
        // PSK suites with authenticated encryption only (no CBC): CCM_8 is CoAP's mandatory one (RFC 7252 9.1.3.1),
        // CCM and GCM what libcoap's OpenSSL and GnuTLS builds offer
        c.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_PSK_WITH_AES_128_CCM,
                CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
        c.set(DtlsConfig.DTLS_MAX_CONNECTIONS, maxConnections);
        c.set(DtlsConfig.DTLS_STALE_CONNECTION_THRESHOLD, 60, TimeUnit.SECONDS);
        c.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, true);
        c.set(DtlsConfig.DTLS_USE_ANTI_REPLAY_FILTER, true);
        c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 2);
        c.set(DtlsConfig.DTLS_MAX_PENDING_INBOUND_JOBS, 4_000);
        c.set(DtlsConfig.DTLS_MAX_PENDING_OUTBOUND_JOBS, 4_000);
        c.set(DtlsConfig.DTLS_MAX_PENDING_HANDSHAKE_RESULT_JOBS, 500);
        c.set(DtlsConfig.DTLS_RECEIVE_BUFFER_SIZE, 4 * 1024 * 1024);
        return DtlsConnectorConfig.builder(c).setAddress(bind).setAdvancedPskStore(keys).setLoggingTag("coaps")
                .build();
    }

    /**
     * In front of the DTLS state: an address in its penalty is not listened to, handshake records are
     * held to a rate per address (each handshake past the cookie takes a connection slot and, with
     * ECDHE, a key pair), and a record that fails its MAC counts against its address and closes the
     * connection.
     */
    private record Gate(SourceGuard sources, SourceGuard handshakes) implements DatagramFilter {
        private static final byte HANDSHAKE = 22;

        @Override
        public boolean onReceiving(DatagramPacket packet) {
            java.net.InetAddress from = packet.getAddress();
            if (from == null || sources.inPenalty(from)) {
                return false;
            }
            return packet.getLength() == 0 || packet.getData()[packet.getOffset()] != HANDSHAKE || handshakes.admit(from);
        }

        @Override
        public boolean onReceiving(Record record, Connection connection) {
            return true;
        }

        @Override
        public boolean onMacError(Record record, Connection connection) {
            if (record.getPeerAddress() != null) {
                sources.rejected(record.getPeerAddress().getAddress());
            }
            return true;
        }
    }

    DTLSConnector connector() {
        return connector;
    }

    long unknownIdentities() {
        return keys.unknownIdentities();
    }

    private void credentialsChanged(Set<String> devices) {
        Filter<Principal> changed = p -> p instanceof PreSharedKeyIdentity psk && devices.contains(psk.getIdentity());
        connector.startTerminateConnectionsForPrincipal(changed);
        LOG.info("DTLS: dropped the connections of {} device(s) whose credential changed", devices.size());
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (Exception e) {
            // the credentials service is going away too
        }
    }
}
