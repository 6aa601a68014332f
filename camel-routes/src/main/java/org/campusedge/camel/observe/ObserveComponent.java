package org.campusedge.camel.observe;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultComponent;
import org.campusedge.camel.ingest.ReceiveOnlyEndpoint;
import org.campusedge.camel.coap.GatewayCoapServer;
import org.campusedge.camel.ingest.IngressCounters;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;

/**
 * Camel component {@code campus-observe:DEVICE?address=coaps://host:port/path&silence=SECONDS}: the
 * gateway observes (RFC 7641) a sensor's resource and every notification becomes an exchange of the
 * device's route. Over coaps the gateway is the DTLS client and presents the kit's id and secret
 * ({@link ObserverPskStore}): only a kit that holds that secret completes the handshake. Plain
 * {@code coap://} only for kits the inventory marks {@code security: none}. All observations share one
 * client endpoint per scheme (one UDP socket each).
 */
public final class ObserveComponent extends DefaultComponent {

    private final Configuration config;
    private final ScheduledExecutorService scheduler;
    private final IngressCounters counters;
    private final java.util.function.Predicate<String> plainAllowed;
    private final ObserverPskStore keys;
    private CoapEndpoint client;
    private CoapEndpoint secureClient;
    private org.eclipse.californium.scandium.DTLSConnector dtls;

    public ObserveComponent(Configuration config, ScheduledExecutorService scheduler, IngressCounters counters) {
        this(config, scheduler, counters, device -> true, null);
    }

    /**
     * @param plainAllowed whether a device may be observed over plain CoAP: only one the inventory marks
     *                     {@code security: none}; nothing proves who answers at a plain CoAP address
     * @param credentials  the kits' secrets, for coaps; null: no coaps observation
     */
    public ObserveComponent(Configuration config, ScheduledExecutorService scheduler, IngressCounters counters,
                            java.util.function.Predicate<String> plainAllowed, org.campusedge.api.DeviceCredentials credentials) {
        this.keys = credentials == null ? null : new ObserverPskStore(credentials);
        this.plainAllowed = plainAllowed;
        this.config = config;
        this.scheduler = scheduler;
        this.counters = counters;
    }

    /** The client socket exists only while the component runs: a context that never starts leaks none. */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        client = new CoapEndpoint.Builder().setConfiguration(config).setInetSocketAddress(new InetSocketAddress(0)).build();
        client.start();
        if (keys != null) {
            dtls = dtlsClient(config, keys, counters::unproven);
            secureClient = new CoapEndpoint.Builder().setConfiguration(config).setConnector(dtls).build();
            secureClient.start();
        }
    }

    /** The gateway as a DTLS 1.2 client: the PSK suites its server takes, HelloVerify honoured, a bounded table. */
    private static org.eclipse.californium.scandium.DTLSConnector dtlsClient(Configuration coap, ObserverPskStore keys,
                                                                            java.util.function.BiConsumer<String, String> refused) {
        org.eclipse.californium.scandium.config.DtlsConfig.register();
        Configuration c = new Configuration(coap);
        c.set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_ROLE,
                org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.setAsList(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_CIPHER_SUITES,
                org.eclipse.californium.scandium.dtls.cipher.CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
                org.eclipse.californium.scandium.dtls.cipher.CipherSuite.TLS_PSK_WITH_AES_128_CCM,
                org.eclipse.californium.scandium.dtls.cipher.CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256);
        c.set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_MAX_CONNECTIONS, 1_000);
        // a kit that does not hold its key never answers the gateway's Finished: give up on the handshake after
        // 1 + 2 + 4 s (not the default 31 s, behind which the next registration would queue)
        c.set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 2);
        c.set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        c.set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        return new org.eclipse.californium.scandium.DTLSConnector(org.eclipse.californium.scandium.config.DtlsConnectorConfig
                .builder(c).setAddress(new InetSocketAddress(0)).setAdvancedPskStore(keys).setLoggingTag("observe")
                .setSessionListener(keys.refusals(refused)).build());
    }

    /** Client settings: the gateway's CoAP configuration. */
    public static Configuration configuration() {
        return GatewayCoapServer.configuration(GatewayCoapServer.Settings.defaults("0.0.0.0", 0));
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Object address = parameters.remove("address");
        Object silence = parameters.remove("silence");
        boolean secure = address != null && address.toString().startsWith("coaps://");
        if (address == null || !(secure || address.toString().startsWith("coap://"))) {
            throw new IllegalArgumentException("campus-observe needs address=coaps://host:port/path, got " + address);
        }
        if (secure && keys == null) {
            throw new IllegalArgumentException("lab kit " + remaining + " is to be observed over coaps, but the gateway has no"
                    + " device credentials");
        }
        if (!secure && !plainAllowed.test(remaining)) {
            throw new IllegalArgumentException("lab kit " + remaining + " is observed over plain CoAP, where nothing proves who"
                    + " answers; mark it 'security: none' in the inventory if it is an old kit that cannot do better");
        }
        Duration limit = Duration.ofSeconds(silence == null ? 60 : Long.parseLong(silence.toString()));
        return new ObserveEndpoint(uri, this, remaining, URI.create(address.toString()), limit);
    }

    @Override
    protected void doStop() throws Exception {
        if (client != null) {
            client.destroy();
            client = null;
        }
        if (secureClient != null) {
            secureClient.destroy();
            secureClient = null;
            dtls = null;
        }
        super.doStop();
    }

    /** The endpoint for an address: over coaps the gateway's DTLS client, set to present the kit's identity there. */
    CoapEndpoint client(String deviceId, URI address) {
        if (!"coaps".equals(address.getScheme())) {
            return client;
        }
        if (!keys.observe(peer(address), deviceId)) {
            throw new IllegalArgumentException("another lab kit is already observed at " + peer(address) + "; one kit per address");
        }
        return secureClient;
    }

    void forget(String deviceId, URI address) {
        if (keys != null && "coaps".equals(address.getScheme())) {
            keys.forget(peer(address), deviceId);
            endSessions(java.util.Set.of(deviceId)); // a session proven with this kit's key must not outlive its route
        }
    }

    /**
     * The credentials of these kits changed (rotated, revoked): their DTLS sessions end and leave the session
     * cache (a resumption would reuse the old key's master secret), so the next handshake needs the new key.
     */
    public void credentialsChanged(java.util.Set<String> kits) {
        if (keys != null) {
            endSessions(kits);
        }
    }

    private void endSessions(java.util.Set<String> kits) {
        org.eclipse.californium.scandium.DTLSConnector c = dtls;
        if (c != null) {
            c.startTerminateConnectionsForPrincipal((org.eclipse.californium.elements.util.Filter<java.security.Principal>) p ->
                    p instanceof org.eclipse.californium.elements.auth.PreSharedKeyIdentity psk && kits.contains(psk.getIdentity()), true);
        }
    }

    private static InetSocketAddress peer(URI address) {
        return new InetSocketAddress(address.getHost(), address.getPort() < 0 ? 5684 : address.getPort());
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    IngressCounters counters() {
        return counters;
    }

    /** One observed resource. */
    static final class ObserveEndpoint extends ReceiveOnlyEndpoint {
        final String deviceId;
        final URI address;
        final Duration silence;

        ObserveEndpoint(String uri, ObserveComponent component, String deviceId, URI address, Duration silence) {
            super(uri, component);
            this.deviceId = deviceId;
            this.address = address;
            this.silence = silence;
        }

        @Override
        public ObserveComponent getComponent() {
            return (ObserveComponent) super.getComponent();
        }

        @Override
        protected Consumer newConsumer(Processor processor) {
            return new ObserveConsumer(this, processor);
        }
    }
}
