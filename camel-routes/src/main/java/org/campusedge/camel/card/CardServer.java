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

    /** Payload of the keep-alive frame a reader sends when it has nothing else to say: {@code K|<reader id>}. */
    static final String KEEP_ALIVE = "K|";

    private void serve(ReaderLink link) {
        Socket socket = link.socket();
        InetAddress source = link.source();
        String reader = null; // the inventory reader this connection speaks for, once a frame said so
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
                if (reader == null && now - opened > limits.identifyWithin().toNanos()
                        || now - lastGood > limits.idleTimeout().toNanos() || sources.inPenalty(source)) {
                    closedIdle.increment();
                    LOG.debug("closing card connection {} ({})", socket.getRemoteSocketAddress(),
                            reader == null ? "never named a reader" : "silent");
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
                        send(out, CardFrames.nak(r instanceof CardFrameDecoder.Payload p ? seqOf(p.text()) : "-", "BUSY"));
                        continue;
                    }
                    if (r instanceof CardFrameDecoder.Damaged d) {
                        sources.rejected(source);
                        counters.rejected(reader != null ? reader : UNKNOWN_READER, d.reason());
                        send(out, CardFrames.nak("-", "FORMAT"));
                    } else if (r instanceof CardFrameDecoder.Payload p) {
                        String named = p.text().startsWith(KEEP_ALIVE) ? p.text().substring(KEEP_ALIVE.length()) : Swipe.readerOf(p.text());
                        if (reader == null && named != null && routes.containsKey(named)) {
                            reader = named; // this connection speaks for that reader from now on
                            unidentified.decrementAndGet();
                        }
                        if (named != null && reader != null && !named.equals(reader)) {
                            sources.rejected(source);
                            counters.rejected(reader, "a frame on this reader's connection named another reader");
                            send(out, CardFrames.nak(seqOf(p.text()), "READER"));
                            continue;
                        }
                        if (p.text().startsWith(KEEP_ALIVE)) {
                            if (reader != null) {
                                lastGood = System.nanoTime();
                                counters.seen(reader);
                                send(out, CardFrames.encode("A|K"));
                            } else {
                                sources.rejected(source);
                                counters.rejected(UNKNOWN_READER, "a keep-alive named a reader that is not in the inventory");
                                send(out, CardFrames.nak("-", "READER"));
                            }
                            continue;
                        }
                        if (handle(p.text(), reader, out, source)) {
                            lastGood = System.nanoTime();
                        }
                    }
                }
            }
        } catch (SocketException e) {
            LOG.debug("card reader connection {} closed: {}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.debug("card reader connection {} failed: {}", socket.getRemoteSocketAddress(), e.toString());
        } finally {
            if (reader == null) {
                unidentified.decrementAndGet();
            }
            link.finish(); // its writer sends what is queued, closes, and takes it out of the connections (still watched until then)
            link.slot().close();
        }
    }

    /** Hands a swipe to its reader's route; false when the frame was refused at once (bad, or no such reader). */
    private boolean handle(String payload, String readerId, ReaderLink out, InetAddress source) {
        Swipe swipe;
        try {
            swipe = Swipe.parse(payload);
        } catch (RejectedInputException e) {
            sources.rejected(source);
            counters.rejected(readerId != null && routes.containsKey(readerId) ? readerId : UNKNOWN_READER, e.getMessage());
            send(out, CardFrames.nak(seqOf(payload), "FORMAT"));
            return false;
        }
        Route route = routes.get(swipe.readerId());
        if (route == null) {
            sources.rejected(source);
            counters.rejected(UNKNOWN_READER, "a reader that is not in the inventory sent a swipe");
            send(out, CardFrames.nak(Long.toString(swipe.seq()), "READER"));
            return false;
        }
        Exchange exchange = route.createExchange();
        exchange.getIn().setBody(swipe);
        AtomicBoolean answered = new AtomicBoolean();
        Runnable answer = () -> {
            if (answered.compareAndSet(false, true)) {
                try {
                    answer(out, swipe, exchange);
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

    private void answer(ReaderLink out, Swipe swipe, Exchange exchange) {
        Exception failure = exchange.getException();
        String seq = Long.toString(swipe.seq());
        byte[] frame = switch (counters.record(swipe.readerId(), failure)) {
            case ACCEPTED -> CardFrames.ack(swipe.seq());
            case REJECTED -> CardFrames.nak(seq, ((RejectedInputException) failure).reason()
                    == RejectedInputException.Reason.UNKNOWN_DEVICE ? "READER" : "FORMAT");
            case DEFERRED -> CardFrames.nak(seq, "BUSY");
            case FAILED -> CardFrames.nak(seq, "ERROR");
        };
        send(out, frame); // a lost answer: the reader sends the swipe again after it reconnects
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
