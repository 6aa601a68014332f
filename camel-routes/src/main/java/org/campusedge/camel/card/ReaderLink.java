package org.campusedge.camel.card;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reader's connection, its answers going out through a small queue written by a thread of the
 * connection's own. Whoever answers (the store's acknowledgement thread, once a swipe is durable)
 * only enqueues: a peer that stops reading fills its own queue and its own socket buffer, never the
 * gateway's threads. A full queue, or a write that has been stuck longer than the write deadline,
 * closes the connection; the reader sends its unacknowledged swipes again after it reconnects.
 */
final class ReaderLink {

    private static final Logger LOG = LoggerFactory.getLogger(ReaderLink.class);
    /** Answers waiting to be written; a reader has one or two swipes in flight, a flood of frames gets NAKs. */
    static final int QUEUE = 256;

    private final Socket socket;
    private final InetAddress source;
    private final org.campusedge.net.SourceGuard.Slot slot;
    private final BlockingQueue<byte[]> outbound = new ArrayBlockingQueue<>(QUEUE);
    private final Thread writer;
    private volatile long writingSince; // nanos at which the write in progress began, 0 when none
    /** Put in the queue by {@link #finish()}: the writer closes the connection when it reaches it. */
    private static final byte[] END = new byte[0];

    private final java.util.function.Consumer<ReaderLink> ended;

    /** @param ended told when the connection is over and its last answer written (or given up) */
    ReaderLink(Socket socket, org.campusedge.net.SourceGuard.Slot slot, java.util.function.Consumer<ReaderLink> ended) {
        this.ended = ended;
        this.socket = socket;
        this.slot = slot;
        this.source = socket.getInetAddress();
        this.writer = new Thread(this::write, "card-out-" + socket.getRemoteSocketAddress());
        writer.setDaemon(true);
    }

    void start() {
        writer.start();
    }

    private volatile String reader;

    /** The reader this connection speaks for, once it named (or proved) it. */
    void speaksFor(String readerId) {
        this.reader = readerId;
    }

    String speaksFor() {
        return reader;
    }

    Socket socket() {
        return socket;
    }

    InetAddress source() {
        return source;
    }

    /** The connection slot of its source address, given back when the connection ends. */
    org.campusedge.net.SourceGuard.Slot slot() {
        return slot;
    }

    /** Queues a frame to go out; closes the connection when the peer has let {@link #QUEUE} answers pile up. */
    void send(byte[] frame) {
        if (!outbound.offer(frame)) {
            LOG.debug("card connection {} does not read its answers; closing it", socket.getRemoteSocketAddress());
            close();
        }
    }

    /** True when a write has been blocked for longer than {@code nanos} (the peer does not read). */
    boolean stuckLongerThan(long nanos) {
        long since = writingSince;
        return since != 0 && System.nanoTime() - since > nanos;
    }

    private void write() {
        try (OutputStream out = socket.getOutputStream()) {
            while (!socket.isClosed()) {
                byte[] frame = outbound.poll(1, TimeUnit.SECONDS);
                if (frame == null) {
                    continue;
                }
                writingSince = System.nanoTime();
                boolean end = frame == END;
                if (!end) {
                    out.write(frame);
                    byte[] more;
                    while ((more = outbound.poll()) != null) {
                        if (more == END) {
                            end = true;
                            break;
                        }
                        out.write(more);
                    }
                }
                out.flush();
                writingSince = 0;
                if (end) {
                    return; // every answer before the end is out: now the connection closes
                }
            }
        } catch (IOException e) {
            LOG.debug("card connection {}: answer not written: {}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            writingSince = 0;
            close();
            ended.accept(this);
        }
    }

    /**
     * Ends the connection once the answers already queued are written (the NAKs of a peer put in its
     * penalty are its explanation); at once when the queue is full. A peer that does not read is cut
     * off by the server's check on writes blocked too long.
     */
    void finish() {
        if (!outbound.offer(END)) {
            close();
        }
    }

    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
