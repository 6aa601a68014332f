package org.campusedge.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server (Jetty 12 core) with every resource a peer can make it hold bounded: connections
 * in all and per source address, the time to send a request's headers (a slow sender is cut off,
 * however slowly it trickles), the idle time of a connection, the header size, requests in flight,
 * and each source's request rate, with a penalty for sources that send only bad requests
 * ({@link SourceGuard}). A request over a bound is answered 503 with Retry-After (or, at the
 * connection level, the connection is closed at once), counted against its source, and costs the
 * other sources nothing. The handler inside sees only requests that passed.
 */
public final class BoundedHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedHttpServer.class);

    /**
     * The bounds of one server.
     *
     * @param headerDeadline time from a connection's first byte of a request to its last header byte
     * @param keepAlive      false closes every connection after its one answer, so every request meets
     *                       the header deadline on a fresh connection (what devices need)
     * @param bodyDeadline   when not null, the server reads each request's body (at most {@code maxBodyBytes},
     *                       within this time: 413 and 408 otherwise) before the handler runs, so a handler that
     *                       reads in the blocking style never waits on a slow sender; null leaves the body to
     *                       the handler (which must then bound it itself)
     */
    public record Limits(int connections, int connectionsPerSource, Duration headerDeadline, Duration idleTimeout,
                         int requestHeaderBytes, int threads, int maxInFlight, double requestsPerSourcePerSecond,
                         double requestBurst, int penaltyRejections, int penaltySeconds, boolean keepAlive,
                         Duration bodyDeadline, int maxBodyBytes) {

        SourceGuard.Limits sourceLimits() {
            return new SourceGuard.Limits(requestsPerSourcePerSecond, requestBurst, connectionsPerSource, connections,
                    penaltyRejections, penaltySeconds, 4096);
        }
    }

    private final String name;
    private final Limits limits;
    private final SourceGuard sources;
    private final Server server;
    private final ServerConnector connector;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder busy = new LongAdder();
    private final LongAdder slowBodies = new LongAdder();
    private final HeaderDeadline headers;
    private final ScheduledExecutorService sweeper;

    /**
     * @param handler what answers the requests that passed every bound; it may finish them later,
     *                from any thread
     */
    public BoundedHttpServer(String name, String host, int port, Limits limits, Handler handler) {
        this(name, host, port, limits, handler, null);
    }

    /**
     * @param tls when not null the server speaks HTTPS only (TLS 1.2 and 1.3) with this key and
     *            certificate, and tells browsers to keep to HTTPS for a year (HSTS)
     */
    public BoundedHttpServer(String name, String host, int port, Limits limits, Handler handler, TlsIdentity tls) {
        this.name = name;
        this.limits = limits;
        this.sources = new SourceGuard(name, limits.sourceLimits());
        QueuedThreadPool threads = new QueuedThreadPool(limits.threads(), Math.min(2, limits.threads()), 60_000);
        threads.setName(name);
        threads.setDaemon(true);
        this.server = new Server(threads);
        server.setStopTimeout(2_000);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(limits.requestHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        if (tls == null) {
            this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        } else {
            org.eclipse.jetty.util.ssl.SslContextFactory.Server ssl = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
            ssl.setKeyStore(tls.keyStore());
            ssl.setKeyStorePassword(new String(TlsIdentity.STORE_PASSWORD));
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            org.eclipse.jetty.server.SecureRequestCustomizer secure = new org.eclipse.jetty.server.SecureRequestCustomizer(false);
            secure.setStsMaxAge(Duration.ofDays(365).toSeconds());
            http.addCustomizer(secure);
            this.connector = new ServerConnector(server, 1, 1, new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(http));
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        // a flood of connections from other addresses must not overflow the kernel's queue of new ones: a dropped SYN
        // costs a camera a second (its retransmission), the time an alarm must not lose
        connector.setAcceptQueueSize(1024);
        connector.addBean(new PerSourceConnections(sources));
        server.addBean(new NetworkConnectionLimit(limits.connections(), connector));
        server.addConnector(connector);
        server.setHandler(new RequestGate(this, handler));
        this.headers = new HeaderDeadline(name, connector, limits.headerDeadline());
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-deadlines");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() throws Exception {
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IOException(name + " could not listen on tcp " + connector.getHost() + ":" + connector.getPort() + ": "
                    + e.getMessage());
        }
        sweeper.scheduleWithFixedDelay(headers::sweep, 1, 1, TimeUnit.SECONDS);
        LOG.info("{} listening on tcp/{} ({} connections, {} per source, {} s to send headers, {} in flight)", name, port(),
                limits.connections(), limits.connectionsPerSource(), limits.headerDeadline().toSeconds(), limits.maxInFlight());
    }

    public int port() {
        return connector.getLocalPort();
    }

    public SourceGuard sources() {
        return sources;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Takes one of the {@code maxInFlight} slots for a request whose body is in and whose work begins
     * (a slow sender never holds one); false, counted, when none is free. Every true is matched by one
     * {@link #leave()}. With a {@code bodyDeadline} the server does this itself; without, the handler
     * does, once it has read the body.
     */
    public boolean enter() {
        if (inFlight.incrementAndGet() > limits.maxInFlight()) {
            inFlight.decrementAndGet();
            busy.increment();
            return false;
        }
        return true;
    }

    public void leave() {
        inFlight.decrementAndGet();
    }

    /** A callback that gives the request's slot back ({@link #leave()}) once, whichever way the request ends. */
    public Callback leaving(Callback callback) {
        java.util.concurrent.atomic.AtomicBoolean left = new java.util.concurrent.atomic.AtomicBoolean();
        return new Callback() {
            @Override
            public void succeeded() {
                if (left.compareAndSet(false, true)) {
                    leave();
                }
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                if (left.compareAndSet(false, true)) {
                    leave();
                }
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
    }

    /** Requests answered 503 because the server had {@code maxInFlight} in progress. */
    public long busy() {
        return busy.sum();
    }

    /** Slow senders cut off: connections whose headers took longer than the deadline, requests whose body did (408). */
    public long slowSenders() {
        return headers.cut() + slowBodies.sum();
    }

    HeaderDeadline headers() {
        return headers;
    }

    java.util.concurrent.Executor threadPool() {
        return server.getThreadPool();
    }

    ScheduledExecutorService scheduler() {
        return sweeper;
    }

    void slowBody() {
        slowBodies.increment();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Name of the request attribute holding the body read by the server ({@link Limits#bodyDeadline()}), a byte[]. */
    public static final String BODY = "org.campusedge.net.body";

    /** The source address of a request. */
    public static InetAddress source(Request request) {
        SocketAddress a = request.getConnectionMetaData().getRemoteSocketAddress();
        return a instanceof InetSocketAddress i ? i.getAddress() : InetAddress.getLoopbackAddress();
    }

    /** Answers with a status and a one-line text (none for 204), adding Retry-After to a 503. */
    public static void answer(Response response, Callback callback, int status, String text) {
        response.setStatus(status);
        if (status == 503 || status == 429) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (text == null || text.isEmpty()) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
            response.write(true, null, callback);
            return;
        }
        byte[] bytes = (text.endsWith("\n") ? text : text + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("{}: stop failed: {}", name, e.toString());
        }
    }
}
