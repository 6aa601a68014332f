package org.campusedge.camel.card;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
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
 */
public final class CardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CardServer.class);
    private static final int MAX_CONNECTIONS = 512;

    /** Receives the swipes of one reader: the consumer of its route. */
    interface Route {
        Exchange createExchange();

        void process(Exchange exchange, Runnable whenDone);

        void release(Exchange exchange);
    }

    private final ServerSocket server;
    private final IngressCounters counters;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    /** The live connection of each reader: a reader that reconnects replaces its half-open old one. */
    private final Map<String, Socket> readerSockets = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private volatile boolean running = true;

    public CardServer(String host, int port, IngressCounters counters) throws IOException {
        this.counters = counters;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, port));
        this.acceptor = new Thread(this::accept, "card-accept");
        acceptor.setDaemon(true);
    }

    /** Starts taking connections (after the routes are in place, so no reader hears READER for nothing). */
    public void start() {
        acceptor.start();
        LOG.info("Card reader server listening on tcp {}:{}", server.getInetAddress().getHostAddress(), port());
    }

    public int port() {
        return server.getLocalPort();
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
        while (running) {
            try {
                Socket s = server.accept();
                if (connections.size() >= MAX_CONNECTIONS) {
                    s.close(); // a flood of connections must not take every thread of the box
                    continue;
                }
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
                connections.add(s);
                Thread t = new Thread(() -> serve(s), "card-" + s.getRemoteSocketAddress());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (running) {
                    LOG.warn("Accepting a card reader connection failed: {}", e.getMessage());
                }
            }
        }
    }

    /** Counter key for input that names no reader of the inventory; one key, whatever a client sends. */
    static final String UNKNOWN_READER = "card:unknown-reader";

    private void serve(Socket socket) {
        String reader = null; // the inventory reader this connection speaks for, once a frame said so
        CardFrameDecoder decoder = new CardFrameDecoder();
        byte[] buf = new byte[4096];
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                for (CardFrameDecoder.Result r : decoder.feed(buf, 0, n)) {
                    if (r instanceof CardFrameDecoder.Damaged d) {
                        counters.rejected(reader != null ? reader : UNKNOWN_READER, d.reason());
                        send(out, CardFrames.nak("-", "FORMAT"));
                    } else if (r instanceof CardFrameDecoder.Payload p) {
                        String id = Swipe.readerOf(p.text());
                        if (id != null && routes.containsKey(id) && !id.equals(reader)) {
                            reader = id;
                            Socket old = readerSockets.put(id, socket);
                            if (old != null && old != socket) {
                                old.close(); // the reader reconnected; its old connection is half-open
                            }
                        }
                        handle(p.text(), id, out);
                    }
                }
            }
        } catch (SocketException e) {
            LOG.debug("card reader connection {} closed: {}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.debug("card reader connection {} failed: {}", socket.getRemoteSocketAddress(), e.toString());
        } finally {
            connections.remove(socket);
            if (reader != null) {
                readerSockets.remove(reader, socket);
            }
        }
    }

    private void handle(String payload, String readerId, OutputStream out) throws IOException {
        Swipe swipe;
        try {
            swipe = Swipe.parse(payload);
        } catch (RejectedInputException e) {
            counters.rejected(readerId != null && routes.containsKey(readerId) ? readerId : UNKNOWN_READER, e.getMessage());
            send(out, CardFrames.nak(seqOf(payload), "FORMAT"));
            return;
        }
        Route route = routes.get(swipe.readerId());
        if (route == null) {
            counters.rejected(UNKNOWN_READER, "a reader that is not in the inventory sent a swipe");
            send(out, CardFrames.nak(Long.toString(swipe.seq()), "READER"));
            return;
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
    }

    private void answer(OutputStream out, Swipe swipe, Exchange exchange) {
        Exception failure = exchange.getException();
        String seq = Long.toString(swipe.seq());
        byte[] frame = switch (counters.record(swipe.readerId(), failure)) {
            case ACCEPTED -> CardFrames.ack(swipe.seq());
            case REJECTED -> CardFrames.nak(seq, ((RejectedInputException) failure).reason()
                    == RejectedInputException.Reason.UNKNOWN_DEVICE ? "READER" : "FORMAT");
            case DEFERRED -> CardFrames.nak(seq, "BUSY");
            case FAILED -> CardFrames.nak(seq, "ERROR");
        };
        try {
            send(out, frame);
        } catch (IOException e) {
            LOG.debug("answer to reader {} lost: {}", swipe.readerId(), e.getMessage()); // it re-sends the swipe
        }
    }

    private static String seqOf(String payload) {
        String[] f = payload.split("\\|", 4);
        return f.length >= 3 && f[2].matches("\\d{1,10}") ? f[2] : "-";
    }

    private static void send(OutputStream out, byte[] frame) throws IOException {
        synchronized (out) {
            out.write(frame);
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        server.close();
        for (Socket s : connections) {
            s.close();
        }
    }
}
