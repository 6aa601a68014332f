package org.campusedge.simulators.net;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

/**
 * A lab kit's coaps (CoAP over DTLS 1.2) client endpoint: it presents its device id as the PSK
 * identity and its secret (the ASCII of the text) as the key, as a kit is configured on site.
 */
public final class CoapsClient {

    private CoapsClient() {
    }

    /**
     * @param executor shared by many simulated kits (null: the connector makes its own threads)
     */
    public static CoapEndpoint endpoint(InetSocketAddress bind, String identity, String secret, Configuration coap,
                                        ExecutorService executor) {
        DtlsConfig.register();
        Configuration c = new Configuration(coap);
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4);
        DTLSConnector connector = new DTLSConnector(DtlsConnectorConfig.builder(c).setAddress(bind)
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, secret.getBytes(StandardCharsets.US_ASCII)))
                .setLoggingTag(identity).build());
        if (executor != null) {
            connector.setExecutor(executor);
        }
        return new CoapEndpoint.Builder().setConfiguration(c).setConnector(connector).build();
    }

    /**
     * One SenML pack POSTed as a kit on a DTLS session of its own, closed afterwards; null when nothing
     * answered within {@code timeoutMillis} (a refused handshake is never answered).
     */
    public static org.eclipse.californium.core.CoapResponse post(InetSocketAddress bind, String identity, String secret,
                                                                 java.net.URI resource, String payload, long timeoutMillis)
            throws Exception {
        CoapEndpoint ep = endpoint(bind, identity, secret, Configuration.createStandardWithoutFile(), null);
        org.eclipse.californium.core.CoapClient c = new org.eclipse.californium.core.CoapClient(resource);
        c.setEndpoint(ep);
        c.setTimeout(timeoutMillis);
        try {
            return c.post(payload.getBytes(StandardCharsets.UTF_8),
                    org.eclipse.californium.core.coap.MediaTypeRegistry.APPLICATION_SENML_JSON);
        } finally {
            c.shutdown();
            ep.destroy();
        }
    }
}
