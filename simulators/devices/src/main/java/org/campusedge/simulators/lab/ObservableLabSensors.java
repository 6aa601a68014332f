package org.campusedge.simulators.lab;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * Lab sensor kits that serve their readings instead of posting them: one observable resource
 * {@code /lab/<id>} per kit (RFC 7641), whose SenML pack changes every {@code periodMillis} and is
 * pushed to observers as a confirmable notification. Plain ({@link #start}): one CoAP server for
 * all kits, as old kits marked {@code security: none}. Secured ({@link #startSecured}): each kit a
 * coaps server of its own, taking only its own id as PSK identity with its own key, so only who holds
 * that key (the gateway) can observe it. Stopping and starting again on the same ports plays kits
 * that reboot and forget their observers.
 */
public final class ObservableLabSensors implements AutoCloseable {

    private final List<LabSensor> sensors;
    private final int records;
    private final long periodMillis;
    private final List<CoapServer> servers = new java.util.ArrayList<>();
    private ScheduledExecutorService ticker;

    public ObservableLabSensors(List<LabSensor> sensors, int records, long periodMillis) {
        this.sensors = List.copyOf(sensors);
        this.records = records;
        this.periodMillis = periodMillis;
    }

    /** Starts serving every kit over plain CoAP on 127.0.0.1:{@code port} (0 picks one); returns the port. */
    public synchronized int start(int port) {
        CoapServer s = new CoapServer(LabSensorSimulator.clientConfiguration());
        s.addEndpoint(new CoapEndpoint.Builder().setConfiguration(LabSensorSimulator.clientConfiguration())
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", port)).build());
        startTicker();
        s.add(resources(sensors));
        s.start();
        servers.add(s);
        return s.getEndpoints().get(0).getAddress().getPort();
    }

    /**
     * Starts each kit as a coaps server of its own on 127.0.0.1 (its port from {@code ports}, else a free
     * one); returns each kit's port. A kit's key comes from {@code keyOf} at each handshake (null: not set
     * up yet, and no handshake succeeds).
     */
    public synchronized Map<String, Integer> startSecured(Map<String, Integer> ports, Function<String, String> keyOf) {
        DtlsConfig.register();
        startTicker();
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (LabSensor sensor : sensors) {
            String kit = sensor.deviceId();
            Configuration c = new Configuration(LabSensorSimulator.clientConfiguration());
            c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
            c.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_PSK_WITH_AES_128_CCM);
            c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
            c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
            c.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 16);
            DTLSConnector dtls = new DTLSConnector(DtlsConnectorConfig.builder(c)
                    .setAddress(new InetSocketAddress("127.0.0.1", ports.getOrDefault(kit, 0)))
                    .setAdvancedPskStore(new OwnKey(kit, keyOf)).setLoggingTag(kit).build());
            CoapServer s = new CoapServer(c);
            s.addEndpoint(new CoapEndpoint.Builder().setConfiguration(c).setConnector(dtls).build());
            s.add(resources(List.of(sensor)));
            s.start();
            servers.add(s);
            out.put(kit, s.getEndpoints().get(0).getAddress().getPort());
        }
        return out;
    }

    private void startTicker() {
        if (ticker == null || ticker.isShutdown()) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "observable-lab");
                t.setDaemon(true);
                return t;
            });
        }
    }

    private CoapResource resources(List<LabSensor> kits) {
        CoapResource lab = new CoapResource("lab");
        for (LabSensor sensor : kits) {
            SensorResource r = new SensorResource(sensor);
            lab.add(r);
            ticker.scheduleAtFixedRate(r::changed, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }
        return lab;
    }

    /** A kit's DTLS key: only its own id is an identity it knows. */
    private record OwnKey(String kit, Function<String, String> keyOf) implements AdvancedPskStore {
        @Override
        public boolean hasEcdhePskSupported() {
            return false;
        }

        @Override
        public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName, PskPublicInformation identity,
                                                      String hmacAlgorithm, javax.crypto.SecretKey otherSecret, byte[] seed,
                                                      boolean useExtendedMasterSecret) {
            String key = identity.getPublicInfoAsString().equals(kit) ? keyOf.apply(kit) : null;
            return new PskSecretResult(cid, identity, key == null ? null
                    : SecretUtil.create(key.getBytes(StandardCharsets.US_ASCII), PskSecretResult.ALGORITHM_PSK));
        }

        @Override
        public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
            return null; // a server: it never opens a handshake
        }

        @Override
        public void setResultHandler(HandshakeResultHandler resultHandler) {
            // answers are synchronous
        }
    }

    /** Stops serving: the observers' relations are gone, as after a power cut. */
    public synchronized void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        servers.forEach(CoapServer::destroy);
        servers.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private final class SensorResource extends CoapResource {
        private final LabSensor sensor;

        SensorResource(LabSensor sensor) {
            super(sensor.deviceId());
            this.sensor = sensor;
            setObservable(true);
            setObserveType(CoAP.Type.CON);
            getAttributes().setObservable();
            getAttributes().addContentType(MediaTypeRegistry.APPLICATION_SENML_JSON);
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            exchange.setMaxAge(Math.max(1, periodMillis / 1000 * 2));
            exchange.respond(CoAP.ResponseCode.CONTENT,
                    sensor.pack(records, System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8),
                    MediaTypeRegistry.APPLICATION_SENML_JSON);
        }
    }
}
