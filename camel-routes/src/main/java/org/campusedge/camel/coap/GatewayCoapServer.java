package org.campusedge.camel.coap;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.Watchdog;
import org.campusedge.net.SourceGuard;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.InMemoryMessageExchangeStore;
import org.eclipse.californium.core.network.RandomTokenGenerator;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.core.network.stack.BlockwiseLayer;
import org.eclipse.californium.core.network.stack.CongestionControlLayer;
import org.eclipse.californium.core.network.stack.ExchangeCleanupLayer;
import org.eclipse.californium.core.network.stack.Layer;
import org.eclipse.californium.core.network.stack.ObserveLayer;
import org.eclipse.californium.core.network.Outbox;
import org.eclipse.californium.core.network.stack.BaseCoapStack;
import org.eclipse.californium.core.network.stack.CoapStack;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.core.network.ExtendedCoapStackFactory;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's CoAP server (UDP), with everything a peer can make it hold bounded:
 *
 * <ul>
 * <li>datagrams: a rate per source address, a penalty for a source that sends only bad requests,
 * and a cap on datagrams waiting for the protocol threads ({@link GuardedConnector});
 * <li>bodies: {@code maxBodyBytes} per request (4.13 beyond), and block-wise uploads: a few per
 * source and a few dozen in all, each with a short lifetime (5.03 beyond; {@link BlockwiseGuard}).
 * Californium otherwise allocates a body buffer per transfer up front and keeps it for five minutes:
 * three thousand first blocks from fresh ports filled a 256 MB heap;
 * <li>de-duplication: a fixed number of remembered exchanges in all ({@link BoundedDeduplicator}),
 * with their payloads released once answered (message offloading). Californium's deduplicators
 * bound time or messages per peer, never the number of peers.
 * </ul>
 *
 * With device credentials it also listens for coaps: DTLS 1.2 with each device's pre-shared key
 * ({@link SecureCoap}); the resources are the same, and each decides whether a request may speak for
 * its device ({@link CoapDeviceAuth}).
 *
 * <p>The protocol threads are watched: if datagrams wait and none is processed for a minute, the
 * {@link Watchdog} stops the gateway.
 */
public final class GatewayCoapServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCoapServer.class);

    /** The bounds of the CoAP port; see the README's table of limits. */
    public record Limits(int maxBodyBytes, int transfersPerSource, int transfers, Duration transferLifetime, int dedupMessages,
                         int dedupPerPeer, Duration dedupLifetime, double datagramsPerSourcePerSecond, double datagramBurst, int maxQueuedDatagrams,
                         int penaltyRejections, int penaltySeconds, int maxSources) {
        public static Limits defaults() {
            return new Limits(16 * 1024, 4, 64, Duration.ofSeconds(30), 8_000, 16, Duration.ofSeconds(60), 500, 1000, 4_000, 50, 30,
                    4096);
        }
    }

    /**
     * Where the server listens, its limits, and its threads. {@code securePort} is the coaps (DTLS)
     * port, -1 for none; {@code dtlsConnections} bounds the DTLS connections (the least recently used
     * idle one goes when a new device needs room).
     */
    public record Settings(String host, int port, int securePort, Limits limits, int protocolThreads, int receiveBufferBytes,
                           int dtlsConnections) {
        public static Settings defaults(String host, int port) {
            return new Settings(host, port, -1, Limits.defaults(), 2, 4 * 1024 * 1024, 4_000);
        }

        public Settings withLimits(Limits l) {
            return new Settings(host, port, securePort, l, protocolThreads, receiveBufferBytes, dtlsConnections);
        }

        public Settings withSecurePort(int p) {
            return new Settings(host, port, p, limits, protocolThreads, receiveBufferBytes, dtlsConnections);
        }
    }

    private final Settings settings;
    private final CoapServer server;
    private final SourceGuard sources;
    private final BlockwiseGuard blockwise;
    private final BoundedDeduplicator dedup;
    private final GuardedConnector connector;
    private final SecureCoap secure;
    private final GuardedConnector secureConnector;
    private final Watchdog.Heartbeat heartbeat;

    /**
     * Creates the server without starting it: resources can be added first, so that no device is
     * told 4.04 while the routes are still being created.
     */
    public GatewayCoapServer(Settings s, Watchdog watchdog) {
        this(s, watchdog, null);
    }

    /** With {@code credentials} and a secure port, also listens for coaps (DTLS with each device's pre-shared key). */
    public GatewayCoapServer(Settings s, Watchdog watchdog, org.campusedge.api.DeviceCredentials credentials) {
        this.settings = s;
        Limits l = s.limits();
        Configuration config = configuration(s);
        this.sources = new SourceGuard("CoAP server", new SourceGuard.Limits(l.datagramsPerSourcePerSecond(), l.datagramBurst(),
                0, 0, l.penaltyRejections(), l.penaltySeconds(), l.maxSources()));
        this.blockwise = new BlockwiseGuard(l.transfersPerSource(), l.transfers(), l.transferLifetime().toNanos(),
                sources::overLimit);
        this.dedup = new BoundedDeduplicator(l.dedupMessages(), l.dedupPerPeer(), l.dedupLifetime().toMillis());
        ProgressExecutor protocol = new ProgressExecutor(s.protocolThreads());
        this.heartbeat = watchdog.watch("CoAP protocol threads", Duration.ofSeconds(60), () -> !protocol.getQueue().isEmpty());
        protocol.heartbeat = heartbeat;
        ScheduledExecutorService secondary = ExecutorsUtil.newDefaultSecondaryScheduler("coap-timer#");
        this.connector = new GuardedConnector(new UDPConnector(new InetSocketAddress(s.host(), s.port()), config), sources, protocol,
                l.maxQueuedDatagrams());
        InMemoryMessageExchangeStore exchanges = new InMemoryMessageExchangeStore("coap", config, new RandomTokenGenerator(config));
        exchanges.setDeduplicator(dedup);
        ExtendedCoapStackFactory stacks = stacksWith(blockwise);
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector)
                .setMessageExchangeStore(exchanges).setCoapStackFactory(stacks).build();
        endpoint.addInterceptor(penalties());
        this.server = new CoapServer(config);
        server.setExecutors(protocol, secondary, false);
        server.addEndpoint(endpoint);
        if (credentials != null && s.securePort() >= 0) {
            InMemoryMessageExchangeStore secureExchanges = new InMemoryMessageExchangeStore("coaps", config, new RandomTokenGenerator(config));
            secureExchanges.setDeduplicator(new BoundedDeduplicator(l.dedupMessages(), l.dedupPerPeer(), l.dedupLifetime().toMillis()));
            this.secure = new SecureCoap(s.host(), s.securePort(), s.dtlsConnections(), config, credentials, sources);
            // decrypted records meet the same gate as plain datagrams: per-address rate and penalty, the protocol threads' queue
            this.secureConnector = new GuardedConnector(secure.connector(), sources, protocol, l.maxQueuedDatagrams());
            // a block-wise budget of its own: forged plain uploads must not use up the uploads of kits that proved who they are
            ExtendedCoapStackFactory secureStacks = stacksWith(new BlockwiseGuard(l.transfersPerSource(), l.transfers(),
                    l.transferLifetime().toNanos(), sources::overLimit));
            CoapEndpoint coaps = new CoapEndpoint.Builder().setConfiguration(config).setConnector(secureConnector)
                    .setMessageExchangeStore(secureExchanges).setCoapStackFactory(secureStacks).build();
            coaps.addInterceptor(penalties());
            server.addEndpoint(coaps);
        } else {
            this.secure = null;
            this.secureConnector = null;
        }
    }

    /** Californium's stacks with {@code guard} below the block-wise layer. */
    private static ExtendedCoapStackFactory stacksWith(BlockwiseGuard guard) {
        return new ExtendedCoapStackFactory() {
            @Override
            public CoapStack createCoapStack(String protocol, String tag, Configuration cfg, EndpointContextMatcher matching,
                                             Outbox outbox, Object custom) {
                return new GuardedStack(tag, cfg, matching, outbox, guard);
            }

            @Override
            @SuppressWarnings("deprecation")
            public CoapStack createCoapStack(String protocol, String tag, Configuration cfg, Outbox outbox, Object custom) {
                return new GuardedStack(tag, cfg, null, outbox, guard);
            }
        };
    }

    /** Every 4.xx a source is answered counts towards its penalty, whoever answered it (a route or Californium's 4.04). */
    private MessageInterceptorAdapter penalties() {
        return new MessageInterceptorAdapter() {
            @Override
            public void sendResponse(Response response) {
                if (response.getDestinationContext() == null) {
                    return;
                }
                if (response.getCode().codeClass == 4) {
                    sources.rejected(response.getDestinationContext().getPeerAddress().getAddress());
                } else if (response.getCode().codeClass == 2 && response.getCode() != CoAP.ResponseCode.CONTINUE) {
                    sources.accepted(response.getDestinationContext().getPeerAddress().getAddress());
                }
            }
        };
    }

    /** Californium configuration for these settings (also the observe client's, with the same body cap). */
    public static Configuration configuration(Settings s) {
        CoapConfig.register();
        UdpConfig.register();
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(CoapConfig.MAX_ACTIVE_PEERS, 20_000);
        c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, s.protocolThreads());
        c.set(UdpConfig.UDP_RECEIVE_BUFFER_SIZE, s.receiveBufferBytes());
        c.set(UdpConfig.UDP_SEND_BUFFER_SIZE, s.receiveBufferBytes());
        // a pack above one datagram arrives block-wise: what one request may assemble, and for how long
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, s.limits().maxBodyBytes());
        c.set(CoapConfig.BLOCKWISE_STATUS_LIFETIME, s.limits().transferLifetime().toMillis(), TimeUnit.MILLISECONDS);
        c.set(CoapConfig.BLOCKWISE_STRICT_BLOCK1_OPTION, true);
        // answered exchanges let go of their payloads while de-duplication remembers them
        c.set(CoapConfig.USE_MESSAGE_OFFLOADING, true);
        return c;
    }

    public CoapServer server() {
        return server;
    }

    /** Starts listening; fails, naming the port, when it cannot be bound. */
    public void start() {
        try {
            server.start();
            // Californium starts what it can and fails only when no endpoint started: one port taken is as fatal
            for (var ep : server.getEndpoints()) {
                if (!ep.isStarted()) {
                    server.stop();
                    throw new IllegalStateException(ep.getUri().toString());
                }
            }
        } catch (IllegalStateException e) {
            // not chained: the status report shows the deepest cause, and this is the one that says which port
            throw new IllegalStateException("the CoAP server could not listen on udp " + settings.host() + ":" + settings.port()
                    + (secure != null ? " and " + settings.securePort() + " (coaps)" : "") + " (is another gateway or CoAP server using it?)");
        }
        if (secure != null) {
            LOG.info("CoAP over DTLS (coaps) listening on udp {}:{}: pre-shared keys from the device credentials, at most {} connections",
                    settings.host(), securePort(), settings.dtlsConnections());
        }
        Limits l = settings.limits();
        LOG.info("CoAP server listening on udp {}:{} (bodies {} bytes, {} block-wise uploads ({} per source) for {} s,"
                + " {} datagrams/s per source, {} exchanges remembered)", settings.host(), port(), l.maxBodyBytes(), l.transfers(),
                l.transfersPerSource(), l.transferLifetime().toSeconds(), (int) l.datagramsPerSourcePerSecond(), l.dedupMessages());
    }

    /** The UDP port the server is bound to. */
    public int port() {
        return server.getEndpoints().get(0).getAddress().getPort();
    }

    /** The coaps (DTLS) port, -1 when there is none. */
    public int securePort() {
        return secure == null ? -1 : server.getEndpoints().get(1).getAddress().getPort();
    }

    /** DTLS handshakes that named an identity without a credential; -1 without coaps. */
    public long unknownIdentities() {
        return secure == null ? -1 : secure.unknownIdentities();
    }

    public SourceGuard sources() {
        return sources;
    }

    public Limits limits() {
        return settings.limits();
    }

    /** Block-wise uploads open now, and refused so far. */
    public int transfersOpen() {
        return blockwise.open();
    }

    public long transfersRefused() {
        return blockwise.refused();
    }

    /** Datagrams dropped because the protocol threads were behind; exchanges forgotten early because the table was full. */
    public long datagramsDroppedBusy() {
        return connector.droppedFull() + (secureConnector == null ? 0 : secureConnector.droppedFull());
    }

    public long dedupEvicted() {
        return dedup.evicted();
    }

    @Override
    public void close() {
        server.destroy();
        if (secure != null) {
            secure.close();
        }
        heartbeat.close();
    }

    /** Californium's UDP stack with the {@link BlockwiseGuard} right below the block-wise layer. */
    private static final class GuardedStack extends BaseCoapStack {
        GuardedStack(String tag, Configuration cfg, EndpointContextMatcher matching, Outbox outbox, BlockwiseGuard guard) {
            super(outbox);
            setLayers(new Layer[] {new ExchangeCleanupLayer(cfg), new ObserveLayer(cfg),
                new BlockwiseLayer(tag, false, cfg, matching), guard, CongestionControlLayer.newImplementation(tag, cfg)});
        }
    }

    /** Californium's protocol threads, telling the watchdog each time they finish a task. */
    private static final class ProgressExecutor extends ScheduledThreadPoolExecutor {
        volatile Watchdog.Heartbeat heartbeat;

        ProgressExecutor(int threads) {
            super(threads, new NamedThreadFactory("coap-protocol#"));
            setRemoveOnCancelPolicy(true);
        }

        @Override
        protected void afterExecute(Runnable r, Throwable t) {
            Watchdog.Heartbeat h = heartbeat;
            if (h != null) {
                h.beat();
            }
        }
    }
}
