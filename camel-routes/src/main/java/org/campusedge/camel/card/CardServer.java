package org.campusedge.camel.card;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Watchdog;
import org.campusedge.net.SourceGuard;
import org.apache.camel.Exchange;
import org.campusedge.api.RejectedInputException;
import org.campusedge.camel.ingest.IngressCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP server one-card readers connect to. Each connection has a thread and a
 * {@link CardFrameDecoder}; each swipe goes to the Camel route of its reader (registered by the
 * {@code campus-card:} consumer) and is answered ACK once stored, NAK with a code otherwise
 * (device-profiles/frames/card-reader-frame.md). Damaged frames are skipped and NAKed; nothing a
 * reader sends stops the server or another reader. Card numbers never reach a log.
 *
 * <p>Bounded for a hostile network ({@link Limits}): connections in all and per source address (one
 * over gets {@code N|-|BUSY} and is closed), a deadline for a new connection to name its reader (a
 * swipe or a keep-alive frame), an idle timeout counted from the last good frame (a trickle of bytes
 * does not keep a connection), a frame rate per source (NAK BUSY beyond), and a penalty for a source
 * that sends only garbage. A connection speaks for the first reader it names: frames naming another
 * reader are refused on it, and nothing one connection sends ever closes another's.
 */
public final class CardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CardServer.class);

    /** The card port's bounds; see the README's table of limits. */
    public record Limits(int connections, int connectionsPerSource, int unidentified, Duration identifyWithin, Duration idleTimeout,
                         double framesPerSourcePerSecond, double frameBurst, int penaltyRejections, int penaltySeconds) {
        public static Limits defaults() {
            return new Limits(256, 4, 64, Duration.ofSeconds(30), Duration.ofSeconds(180), 50, 200, 50, 30);
        }
    }

    /** Receives the swipes of one reader: the consumer of its route. */
    interface Route {
        Exchange createExchange();

        void process(Exchange exchange, Runnable whenDone);

        void release(Exchange exchange);
    }

    private final ServerSocket server;
    private final IngressCounters counters;
    private final Limits limits;
    private final SourceGuard sources;
    private final Watchdog watchdog;
    private final ReaderSession.Keys keys;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Set<ReaderLink> connections = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ScheduledExecutorService deadlines = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "card-deadlines");
        t.setDaemon(true);
        return t;
    });
    /** How long a write may stay blocked on a peer that does not read before its connection is closed. */
    static final long WRITE_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private final LongAdder closedIdle = new LongAdder();
    /** Connections that have not named a reader yet: capped on their own, so idle sockets cannot take every slot. */
    private final java.util.concurrent.atomic.AtomicInteger unidentified = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread acceptor;
    private volatile boolean running = true;

    public CardServer(String host, int port, IngressCounters counters, Limits limits, Watchdog watchdog) throws IOException {
        this(host, port, counters, limits, watchdog, ReaderSession.Keys.NONE);
    }

    /**
     * @param credentials the readers' keys: a reader of the inventory not marked {@code security: none}
     *                    must prove itself with its key (frame version 2); null: every reader speaks
     *                    version 1 unproven (tests of the routes' own logic)
     */
    public CardServer(String host, int port, IngressCounters counters, Limits limits, Watchdog watchdog, DeviceRegistry registry,
                      DeviceCredentials credentials) throws IOException {
        this(host, port, counters, limits, watchdog, credentials == null ? ReaderSession.Keys.NONE : new ReaderSession.Keys() {
            @Override
            public boolean keyed(String readerId) {
                return registry.device(readerId).map(d -> !d.unprotected()).orElse(true); // unknown: never taken unproven
            }

            @Override
            public byte[] key(String readerId) {
                return credentials.secret(readerId).map(DeviceCredentials.Secret::bytes).orElse(null);
            }
        });
    }

    private CardServer(String host, int port, IngressCounters counters, Limits limits, Watchdog watchdog, ReaderSession.Keys keys)
            throws IOException {
        this.keys = keys;
        this.counters = counters;
        this.limits = limits;
        this.watchdog = watchdog;
        this.sources = new SourceGuard("card reader server", new SourceGuard.Limits(limits.framesPerSourcePerSecond(),
                limits.frameBurst(), limits.connectionsPerSource(), limits.connections(), limits.penaltyRejections(),
                limits.penaltySeconds(), 4096));
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        try {
            server.bind(new InetSocketAddress(host, port), 1024); // a flood of connects must not crowd real readers out of the queue
        } catch (IOException e) {
            server.close();
            throw new IOException("the card reader server could not listen on tcp " + host + ":" + port + ": " + e.getMessage());
        }
        this.acceptor = new Thread(this::accept, "card-accept");
        acceptor.setDaemon(true);
    }

    /** Starts taking connections (after the routes are in place, so no reader hears READER for nothing). */
    public void start() {
        acceptor.start();
        deadlines.scheduleWithFixedDelay(() -> connections.stream().filter(c -> c.stuckLongerThan(WRITE_DEADLINE_NANOS))
                .forEach(ReaderLink::close), 1, 1, TimeUnit.SECONDS);
        LOG.info("Card reader server listening on tcp {}:{} ({} connections, {} per source, {} s to name the reader, idle {} s)",
                server.getInetAddress().getHostAddress(), port(), limits.connections(), limits.connectionsPerSource(),
                limits.identifyWithin().toSeconds(), limits.idleTimeout().toSeconds());
    }

    public int port() {
        return server.getLocalPort();
    }

    public SourceGuard sources() {
        return sources;
    }

    /** Connections open now, and closed for saying nothing good for too long. */
    public int open() {
        return connections.size();
    }

    public long closedIdle() {
        return closedIdle.sum();
    }

    /**
     * Closes the connections that speak for these readers (their credential was rotated or revoked):
     * a reader with its new key connects again and proves itself afresh; one without gets nowhere.
     */
    public void dropReaders(Set<String> readerIds) {
        connections.stream().filter(c -> readerIds.contains(c.speaksFor())).forEach(ReaderLink::close);
    }

    void register(String readerId, Route route) {
        if (routes.putIfAbsent(readerId, route) != null) {
            throw new IllegalStateException("reader " + readerId + " already has a route");
        }
    }

    void unregister(String readerId, Route route) {
        routes.remove(readerId, route);
    }

    private void accept() {
        try {
            while (running) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    if (running) {
                        LOG.warn("Accepting a card reader connection failed: {}", e.getMessage());
                    }
                    continue;
                }
                InetAddress source = s.getInetAddress();
                SourceGuard.Slot slot = sources.opened(source);
                if (slot == null || unidentified.get() >= limits.unidentified()) {
                    if (slot != null) {
                        slot.close();
                    }
                    refuse(s); // over the source's or the server's share of connections
                    continue;
                }
                unidentified.incrementAndGet();
                ReaderLink link = new ReaderLink(s, slot, connections::remove);
                connections.add(link);
                link.start();
                Thread t = new Thread(() -> serve(link), "card-" + s.getRemoteSocketAddress());
                t.setDaemon(true);
                t.start();
            }
        } catch (RuntimeException | Error e) {
            if (running) {
                watchdog.fatal("the card reader server's acceptor", e);
            }
            throw e;
        }
    }

    /** Tells a connection over its share that the gateway is busy, and closes it. */
    private static void refuse(Socket s) {
        try (s) {
            s.setSoTimeout(1000);
            s.getOutputStream().write(CardFrames.nak("-", "BUSY"));
        } catch (IOException e) {
            // it went already
        }
    }

    /** Counter key for input that names no reader of the inventory; one key, whatever a client sends. */
    static final String UNKNOWN_READER = "card:unknown-reader";

    private void serve(ReaderLink link) {
        Socket socket = link.socket();
        InetAddress source = link.source();
        ReaderSession session = new ReaderSession(keys); // the inventory reader this connection speaks for, once it is proven or named
        boolean identified = false;
        CardFrameDecoder decoder = new CardFrameDecoder();
        byte[] buf = new byte[4096];
        long opened = System.nanoTime();
        long lastGood = opened;
        ReaderLink out = link;
        try { // the socket is closed by the link's writer once the answers queued are out (finally, below)
            InputStream in = socket.getInputStream();
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.setSoTimeout(1000); // wake up to check the deadlines even when nothing arrives
            while (running) {
                long now = System.nanoTime();
                if (!identified && now - opened > limits.identifyWithin().toNanos()
                        || now - lastGood > limits.idleTimeout().toNanos() || sources.inPenalty(source)) {
                    closedIdle.increment();
                    LOG.debug("closing card connection {} ({})", socket.getRemoteSocketAddress(),
                            identified ? "silent" : "never named (or proved) a reader");
                    return;
                }
                int n;
                try {
                    n = in.read(buf);
                } catch (java.net.SocketTimeoutException quiet) {
                    continue;
                }
                if (n < 0) {
                    return;
                }
                for (CardFrameDecoder.Result r : decoder.feed(buf, 0, n)) {
                    if (!sources.admit(source)) {
                        // over the source's frame rate: busy, with the swipe's sequence so the reader sends it again
                        send(out, CardFrames.encode(session.answer("N|" + (r instanceof CardFrameDecoder.Payload p ? seqOf(p.text()) : "-")
                                + "|BUSY")));
                        continue;
                    }
                    if (r instanceof CardFrameDecoder.Damaged d) {
                        sources.rejected(source);
                        counters.rejected(session.reader() != null ? session.reader() : UNKNOWN_READER, d.reason());
                        send(out, CardFrames.encode(session.answer("N|-|FORMAT")));
                    } else if (r instanceof CardFrameDecoder.Payload p) {
                        ReaderSession.Accepted frame;
                        try {
                            frame = session.read(p.text(), routes::containsKey);
                        } catch (ReaderSession.Refusal refusal) {
                            sources.rejected(source);
                            String against = session.reader() != null ? session.reader() : UNKNOWN_READER;
                            if (refusal.code.equals("AUTH") || refusal.code.equals("REPLAY")) {
                                String claimed = Swipe.readerOf(p.text());
                                counters.unproven(claimed != null && routes.containsKey(claimed) ? claimed : against, refusal.getMessage());
                            } else {
                                counters.rejected(against, refusal.getMessage());
                            }
                            send(out, CardFrames.encode(session.answer("N|" + seqOf(p.text()) + "|" + refusal.code)));
                            continue;
                        }
                        if (session.reader() != null && !identified) {
                            identified = true; // this connection speaks for that reader from now on
                            unidentified.decrementAndGet();
                            link.speaksFor(session.reader());
                        }
                        switch (frame.kind()) {
                            case CHALLENGE -> send(out, CardFrames.encode("C|" + frame.reader() + "|" + session.challenge()));
                            case KEEP_ALIVE -> {
                                lastGood = System.nanoTime();
                                sources.accepted(source); // something at this address is a reader: its neighbours' failures never shut it out
                                counters.seen(frame.reader());
                                send(out, CardFrames.encode(session.answer("A|K")));
                            }
                            case SWIPE -> {
                                if (session.proven()) {
                                    sources.accepted(source);
                                }
                                if (handle(frame.swipePayload(), session, out, source)) {
                                    lastGood = System.nanoTime();
                                }
                            }
                        }
                    }
                }
            }
        } catch (SocketException e) {
            LOG.debug("card reader connection {} closed: {}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.debug("card reader connection {} failed: {}", socket.getRemoteSocketAddress(), e.toString());
        } finally {
            if (!identified) {
                unidentified.decrementAndGet();
            }
            link.finish(); // its writer sends what is queued, closes, and takes it out of the connections (still watched until then)
            link.slot().close();
        }
    }

    /** Hands a swipe to its reader's route; false when the frame was refused at once (bad, or no such reader). */
    private boolean handle(String payload, ReaderSession session, ReaderLink out, InetAddress source) {
        String readerId = session.reader();
        Swipe swipe;
        try {
            swipe = Swipe.parse(payload);
        } catch (RejectedInputException e) {
            sources.rejected(source);
            counters.rejected(readerId != null && routes.containsKey(readerId) ? readerId : UNKNOWN_READER, e.getMessage());
            send(out, CardFrames.encode(session.answer("N|" + seqOf(payload) + "|FORMAT")));
            return false;
        }
        Route route = routes.get(swipe.readerId());
        if (route == null) {
            sources.rejected(source);
            counters.rejected(UNKNOWN_READER, "a reader that is not in the inventory sent a swipe");
            send(out, CardFrames.encode(session.answer("N|" + swipe.seq() + "|READER")));
            return false;
        }
        Exchange exchange = route.createExchange();
        exchange.getIn().setBody(swipe);
        AtomicBoolean answered = new AtomicBoolean();
        Runnable answer = () -> {
            if (answered.compareAndSet(false, true)) {
                try {
                    answer(out, swipe, exchange, session);
                } finally {
                    route.release(exchange);
                }
            }
        };
        try {
            route.process(exchange, answer);
        } catch (RuntimeException e) {
            exchange.setException(e);
            answer.run();
        }
        return true;
    }

    private void answer(ReaderLink out, Swipe swipe, Exchange exchange, ReaderSession session) {
        Exception failure = exchange.getException();
        String seq = Long.toString(swipe.seq());
        String answer = switch (counters.record(swipe.readerId(), failure)) {
            case ACCEPTED -> "A|" + seq;
            case REJECTED -> "N|" + seq + "|" + (((RejectedInputException) failure).reason()
                    == RejectedInputException.Reason.UNKNOWN_DEVICE ? "READER" : "FORMAT");
            case DEFERRED -> "N|" + seq + "|BUSY";
            case FAILED -> "N|" + seq + "|ERROR";
        };
        send(out, CardFrames.encode(session.answer(answer))); // a lost answer: the reader sends the swipe again after it reconnects
    }

    private static String seqOf(String payload) {
        String[] f = payload.split("\\|", 4);
        return f.length >= 3 && f[2].matches("\\d{1,10}") ? f[2] : "-";
    }

    private static void send(ReaderLink out, byte[] frame) {
        out.send(frame); // only queued: the connection's own thread writes it
    }

    @Override
    public void close() throws IOException {
        running = false;
        deadlines.shutdownNow();
        server.close();
        for (ReaderLink c : connections) {
            c.close();
        }
    }
}
