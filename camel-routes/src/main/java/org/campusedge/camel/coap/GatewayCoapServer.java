package org.campusedge.camel.coap;

import java.net.InetSocketAddress;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's CoAP server (UDP) with settings chosen for many small devices at high rates.
 *
 * <p>De-duplication: Californium's default (mark-and-sweep) keeps every exchange for the whole
 * EXCHANGE_LIFETIME of 247 s; at 10,000 requests/s that is 2.5 million exchanges with their
 * payloads, gigabytes of heap. We use the per-peer variant, which remembers only the last
 * {@code dedupPerPeer} messages of each peer (and still sweeps them after the lifetime). A device
 * retransmits only requests it has outstanding, and a sensor has few in flight (NSTART is 1 by
 * RFC 7252), so 16 per peer still catches every retransmission while the memory stays bounded by
 * peers x 16, whatever the rate.
 */
public final class GatewayCoapServer {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCoapServer.class);

    /** Settings the gateway exposes; the rest are Californium's defaults. */
    public record Settings(String host, int port, int dedupPerPeer, int maxPeers, int protocolThreads,
                           int receiveBufferBytes) {
        public static Settings defaults(String host, int port) {
            return new Settings(host, port, 16, 20_000, 2, 4 * 1024 * 1024);
        }

        public Settings withDedupPerPeer(int messages) {
            return new Settings(host, port, messages, maxPeers, protocolThreads, receiveBufferBytes);
        }
    }

    private GatewayCoapServer() {
    }

    /** Californium configuration for these settings. */
    public static Configuration configuration(Settings s) {
        CoapConfig.register();
        UdpConfig.register();
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP);
        c.set(CoapConfig.PEERS_MARK_AND_SWEEP_MESSAGES, s.dedupPerPeer());
        c.set(CoapConfig.MAX_ACTIVE_PEERS, s.maxPeers());
        c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, s.protocolThreads());
        c.set(UdpConfig.UDP_RECEIVE_BUFFER_SIZE, s.receiveBufferBytes());
        c.set(UdpConfig.UDP_SEND_BUFFER_SIZE, s.receiveBufferBytes());
        // SenML packs above one datagram arrive block-wise; cap what one request may assemble
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 256 * 1024);
        return c;
    }

    /**
     * Creates the server without starting it: resources can be added first, so that no device is
     * told 4.04 while the routes are still being created.
     */
    public static CoapServer create(Settings s) {
        Configuration config = configuration(s);
        CoapServer server = new CoapServer(config);
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(s.host(), s.port())).build();
        server.addEndpoint(endpoint);
        return server;
    }

    /** Starts a server made by {@link #create}; its port is known from {@link #port(CoapServer)} afterwards. */
    public static void start(CoapServer server, Settings s) {
        server.start();
        LOG.info("CoAP server listening on udp {}:{} (dedup {} messages per peer)", s.host(), port(server), s.dedupPerPeer());
    }

    /** The UDP port the server's first endpoint is bound to. */
    public static int port(CoapServer server) {
        return server.getEndpoints().get(0).getAddress().getPort();
    }
}
