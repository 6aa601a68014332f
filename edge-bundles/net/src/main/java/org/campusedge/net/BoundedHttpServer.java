package org.campusedge.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
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
    private final LongAdder slowSenders = new LongAdder();
    private final Map<EndPoint, long[]> progress = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    /**
     * @param handler what answers the requests that passed every bound; it may finish them later,
     *                from any thread
     */
    public BoundedHttpServer(String name, String host, int port, Limits limits, Handler handler) {
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
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(128);
        connector.addBean(new PerSourceConnections());
        server.addBean(new NetworkConnectionLimit(limits.connections(), connector));
        server.addConnector(connector);
        server.setHandler(new Gate(handler));
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
        sweeper.scheduleWithFixedDelay(this::cutSlowSenders, 1, 1, TimeUnit.SECONDS);
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

    /** Connections closed because their request's headers took longer than the deadline. */
    public long slowSenders() {
        return slowSenders.sum();
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

    /**
     * Closes connections that have been sending a request's headers for longer than the deadline:
     * a fresh connection with no complete request, or one whose bytes keep arriving with no new
     * request begun. Jetty's idle timeout alone is reset by every byte of a trickle.
     */
    private void cutSlowSenders() {
        try {
            long now = System.nanoTime();
            long deadline = limits.headerDeadline().toNanos();
            java.util.Set<EndPoint> alive = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (EndPoint ep : connector.getConnectedEndPoints()) {
                alive.add(ep);
                Connection c = ep.getConnection();
                if (c == null) {
                    continue;
                }
                long messages = c.getMessagesIn();
                long bytes = c.getBytesIn();
                // [messages seen, bytes seen, nanos since which bytes arrive without a new request; 0 = none]
                long[] p = progress.computeIfAbsent(ep, k -> new long[] {messages, bytes, 0});
                if (messages == 0 && System.currentTimeMillis() - ep.getCreatedTimeStamp() > limits.headerDeadline().toMillis()) {
                    slow(ep);
                    continue;
                }
                if (messages != p[0]) {
                    p[0] = messages;
                    p[1] = bytes;
                    p[2] = 0;
                } else if (bytes != p[1]) {
                    p[1] = bytes;
                    if (p[2] == 0) {
                        p[2] = now;
                    } else if (now - p[2] > deadline && !handling(ep)) {
                        slow(ep);
                    }
                }
            }
            progress.keySet().retainAll(alive);
        } catch (RuntimeException e) {
            LOG.debug("{}: deadline sweep failed: {}", name, e.toString());
        }
    }

    private final Map<EndPoint, Boolean> handling = new ConcurrentHashMap<>();

    private boolean handling(EndPoint ep) {
        return handling.containsKey(ep);
    }

    private void slow(EndPoint ep) {
        slowSenders.increment();
        progress.remove(ep);
        ep.close();
    }

    /** Per-source connection slots, taken when a connection is accepted and given back when it closes. */
    private final class PerSourceConnections implements SelectorManager.AcceptListener {
        private final Map<SelectableChannel, SourceGuard.Slot> open = new ConcurrentHashMap<>();

        @Override
        public void onAccepting(SelectableChannel channel) {
            InetAddress source;
            try {
                source = ((InetSocketAddress) ((SocketChannel) channel).getRemoteAddress()).getAddress();
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                return;
            }
            SourceGuard.Slot slot = sources.opened(source);
            if (slot == null) {
                closeQuietly(channel); // over its share: the cheapest answer there is
                return;
            }
            open.put(channel, slot);
        }

        @Override
        public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
            release(channel);
        }

        @Override
        public void onClosed(SelectableChannel channel) {
            release(channel);
        }

        private void release(SelectableChannel channel) {
            SourceGuard.Slot slot = open.remove(channel);
            if (slot != null) {
                slot.close();
            }
        }

        private void closeQuietly(SelectableChannel channel) {
            try {
                channel.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    /** The request-level bounds in front of the application's handler: source rate and penalty, requests in flight. */
    private final class Gate extends Handler.Wrapper {
        Gate(Handler inner) {
            super(inner);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (!limits.keepAlive()) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            InetAddress source = source(request);
            if (!sources.admit(source)) {
                answer(response, callback, 503, "too many requests from " + source.getHostAddress() + "; retry later");
                return true;
            }
            EndPoint ep = request.getConnectionMetaData().getConnection().getEndPoint();
            handling.put(ep, Boolean.TRUE); // its body is the handler's (or the pre-read's) to bound, not the header sweep's
            Callback done = new Callback() {
                @Override
                public void succeeded() {
                    handling.remove(ep);
                    callback.succeeded();
                }

                @Override
                public void failed(Throwable x) {
                    handling.remove(ep);
                    callback.failed(x);
                }

                @Override
                public InvocationType getInvocationType() {
                    return callback.getInvocationType();
                }
            };
            if (limits.bodyDeadline() == null) {
                inner(request, response, done); // the handler reads the body, then takes its slot (enter/leave)
            } else if (request.getLength() == 0 && !chunked(request)) {
                enterThenHandle(request, response, done);
            } else {
                readBodyThenHandle(request, response, done);
            }
            return true;
        }

        /** Takes a request slot for the handler's work, or answers 503; the slot is given back with the answer. */
        private void enterThenHandle(Request request, Response response, Callback done) {
            if (!enter()) {
                answer(response, done, 503, "the gateway is busy; retry later");
                return;
            }
            inner(request, response, leaving(done));
        }

        private boolean chunked(Request request) {
            return request.getLength() < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        }

        private void inner(Request request, Response response, Callback done) {
            try {
                if (!super.handle(request, response, done)) {
                    answer(response, done, 404, "not found");
                }
            } catch (Exception | Error e) {
                done.failed(e);
            }
        }

        /** Reads the body without holding a thread, within the deadline, then runs the handler on a pool thread. */
        private void readBodyThenHandle(Request request, Response response, Callback done) {
            if (request.getLength() > limits.maxBodyBytes()) {
                sources.rejected(source(request));
                answer(response, done, 413, "request body over " + limits.maxBodyBytes() + " bytes");
                return;
            }
            java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
            var timer = sweeper.schedule(() -> {
                if (settled.compareAndSet(false, true)) {
                    slowSenders.increment();
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                    answer(response, done, 408, "the request body did not arrive within " + limits.bodyDeadline().toSeconds() + " s");
                }
            }, limits.bodyDeadline().toMillis(), TimeUnit.MILLISECONDS);
            org.eclipse.jetty.io.Content.Source.asByteArrayAsync(request, limits.maxBodyBytes(),
                    org.eclipse.jetty.util.Promise.Invocable.from(org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING,
                            body -> {
                                if (settled.compareAndSet(false, true)) {
                                    timer.cancel(false);
                                    request.setAttribute(BODY, body);
                                    server.getThreadPool().execute(() -> enterThenHandle(request, response, done));
                                }
                            },
                            failure -> {
                                if (settled.compareAndSet(false, true)) {
                                    timer.cancel(false);
                                    sources.rejected(source(request));
                                    boolean tooLarge = String.valueOf(failure.getMessage()).contains("Max size")
                                            || (failure.getCause() != null && String.valueOf(failure.getCause().getMessage()).contains("Max size"));
                                    answer(response, done, tooLarge ? 413 : 400, tooLarge ? "request body over " + limits.maxBodyBytes()
                                            + " bytes" : "the request body could not be read");
                                }
                            }));
        }
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
