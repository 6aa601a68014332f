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

    ReaderLink(Socket socket, org.campusedge.net.SourceGuard.Slot slot) {
        this.socket = socket;
        this.slot = slot;
        this.source = socket.getInetAddress();
        this.writer = new Thread(this::write, "card-out-" + socket.getRemoteSocketAddress());
        writer.setDaemon(true);
    }

    void start() {
        writer.start();
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
                out.write(frame);
                byte[] more;
                while ((more = outbound.poll()) != null) {
                    out.write(more);
                }
                out.flush();
                writingSince = 0;
            }
        } catch (IOException e) {
            LOG.debug("card connection {}: answer not written: {}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            writingSince = 0;
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
