package org.campusedge.simulators.card;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.simulators.AckLatency;

/**
 * One simulated one-card reader: keeps a TCP connection to the gateway, names itself with a
 * keep-alive frame when it connects and whenever it has been quiet for a minute, sends a frame per
 * swipe, holds every swipe until it is ACKed, and after a reconnect sends the unacknowledged ones
 * again with their sequence numbers, as real readers do.
 */
public final class CardReader implements AutoCloseable {

    private final String id;
    private final InetSocketAddress gateway;
    private final Map<Long, String> unacked = new ConcurrentSkipListMap<>();
    private final Map<Long, Long> sentAt = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile AckLatency latency;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong nakked = new AtomicLong();
    private final Map<String, AtomicLong> nakCodes = new java.util.concurrent.ConcurrentHashMap<>();
    /** Swipes the gateway answered BUSY or ERROR, with when: sent again a second later. */
    private final Map<Long, Long> retryAt = new java.util.concurrent.ConcurrentHashMap<>();
    private long seq;
    private Socket socket;
    private OutputStream out;
    private Thread listener;
    private volatile boolean connected;
    private volatile long lastSent;
    private final AtomicLong connects = new AtomicLong();

    private final java.net.InetAddress local;
    /** The reader's key (frame version 2), or null for a version 1 reader. */
    private volatile byte[] key;
    /** This connection's challenge from the gateway, once it came. */
    private volatile String challenge;
    private final Object challengeArrived = new Object();
    /** Frames sent on this connection: the counter of frame version 2. */
    private long counter;
    private final AtomicLong forgedAnswers = new AtomicLong();

    public CardReader(String id, InetSocketAddress gateway) {
        this(id, gateway, null);
    }

    /** @param local the reader's own address to connect from (null: any) */
    public CardReader(String id, InetSocketAddress gateway, java.net.InetAddress local) {
        this.id = id;
        this.gateway = gateway;
        this.local = local;
    }

    public String id() {
        return id;
    }

    /**
     * Configures the reader with its key (its secret from the gateway's secrets file, as an installer
     * enters it): it then speaks frame version 2, proving each frame, and believes only ACKs that
     * carry the gateway's MAC. Null: version 1, as an old reader.
     */
    public CardReader withSecret(String secret) {
        this.key = secret == null ? null : secret.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return this;
    }

    /** Answers that claimed to be ACKs but did not carry the gateway's MAC (ignored: the swipe is kept). */
    public long forgedAnswers() {
        return forgedAnswers.get();
    }

    /** A payload as it goes on this connection: signed when the reader has a key. */
    private byte[] frame(String payload) {
        byte[] k = key;
        return ReaderWire.frame(k == null ? payload : ReaderWire.signed(payload, ++counter, challenge, k));
    }

    /** Opens the connection (again) and re-sends what was not acknowledged. */
    public synchronized void connect() throws IOException {
        closeSocket();
        socket = new Socket();
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        socket.connect(gateway, 5_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        connected = true;
        connects.incrementAndGet();
        challenge = null;
        counter = 0;
        listener = new Thread(() -> listen(in), "reader-" + id);
        listener.setDaemon(true);
        listener.start();
        out.write(ReaderWire.frame(ReaderWire.keepAlive(id)));
        out.flush();
        if (key != null) {
            awaitChallenge();
            out.write(frame(ReaderWire.keepAlive(id))); // the first proven frame: from now on the connection speaks for the reader
        }
        for (String payload : unacked.values()) {
            out.write(frame(payload));
        }
        out.flush();
        lastSent = System.nanoTime();
    }

    private void awaitChallenge() throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        synchronized (challengeArrived) {
            while (challenge == null && connected) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    closeSocket();
                    throw new IOException(id + ": the gateway sent no challenge within 5 s");
                }
                try {
                    challengeArrived.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
        if (challenge == null) {
            throw new IOException(id + ": the gateway closed the connection instead of sending a challenge");
        }
    }

    /** Whether the connection is up, as far as the reader knows (the gateway has not closed it). */
    public boolean connected() {
        return connected;
    }

    /** Connections made so far (1 + reconnects). */
    public long connects() {
        return connects.get();
    }

    /**
     * Sends a keep-alive frame if nothing was sent for {@code quietNanos}, and again the swipes the
     * gateway answered "busy" a second ago; a lost connection is opened again.
     */
    public synchronized void keepAlive(long quietNanos) throws IOException {
        if (!connected) {
            connect();
            return;
        }
        long now = System.nanoTime();
        for (Map.Entry<Long, Long> r : retryAt.entrySet()) {
            String payload = unacked.get(r.getKey());
            if (payload == null) {
                retryAt.remove(r.getKey());
            } else if (now > r.getValue()) {
                retryAt.remove(r.getKey());
                out.write(frame(payload));
                lastSent = now;
            }
        }
        out.flush();
        if (System.nanoTime() - lastSent > quietNanos) {
            out.write(frame(ReaderWire.keepAlive(id)));
            out.flush();
            lastSent = System.nanoTime();
        }
    }

    /** Sends one swipe; it stays pending until the gateway ACKs it. */
    public synchronized void swipe(String card, char direction, boolean granted, long millis) throws IOException {
        long s = seq++;
        String payload = ReaderWire.swipe(id, s, card, direction, granted, millis);
        unacked.put(s, payload);
        if (latency != null) {
            sentAt.put(s, System.nanoTime());
        }
        out.write(frame(payload));
        out.flush();
        lastSent = System.nanoTime();
    }

    /** Sends a swipe payload again as a new frame (signed when the reader has a key), as after a lost ACK. */
    public synchronized void resend(String payload) throws IOException {
        out.write(frame(payload));
        out.flush();
    }

    /** Writes raw bytes on the connection, for the tests of damaged input. */
    public synchronized void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private void listen(InputStream in) {
        try {
            String answer;
            while ((answer = ReaderWire.readAnswer(in)) != null) {
                String[] f = answer.split("\\|");
                if (f[0].equals("C") && f.length == 3) {
                    synchronized (challengeArrived) {
                        challenge = f[2];
                        challengeArrived.notifyAll();
                    }
                    continue;
                }
                byte[] readerKey = key;
                String c = challenge;
                if (readerKey != null && c != null) {
                    if (ReaderWire.answeredByGateway(answer, c, readerKey)) {
                        f = java.util.Arrays.copyOf(f, f.length - 1);
                    } else if (f[0].equals("A")) {
                        forgedAnswers.incrementAndGet(); // not from the gateway: the swipe stays pending
                        continue;
                    }
                }
                if (f[0].equals("A") && f.length == 2 && f[1].equals("K")) {
                    continue; // the keep-alive's answer
                }
                if (f[0].equals("A") && f.length == 2) {
                    long s = Long.parseLong(f[1]);
                    if (unacked.remove(s) != null) {
                        acked.incrementAndGet();
                        Long t0 = sentAt.remove(s);
                        AckLatency l = latency;
                        if (t0 != null && l != null) {
                            l.record(t0);
                        }
                    }
                } else if (f[0].equals("N") && f.length == 3) {
                    nakked.incrementAndGet();
                    nakCodes.computeIfAbsent(f[2], k -> new AtomicLong()).incrementAndGet();
                    if (!f[1].equals("-") && !f[2].equals("BUSY") && !f[2].equals("ERROR")) {
                        unacked.remove(Long.parseLong(f[1])); // FORMAT/READER: sending it again will not help
                    } else if (!f[1].equals("-")) {
                        retryAt.put(Long.parseLong(f[1]), System.nanoTime() + 1_000_000_000L); // busy: try again in a second
                    }
                }
            }
        } catch (IOException e) {
            // the connection went; connect() starts over
        } finally {
            connected = false;
            synchronized (challengeArrived) {
                challengeArrived.notifyAll();
            }
        }
    }

    /** Where the time from swipe to ACK goes, or null. */
    public void measure(AckLatency latency) {
        this.latency = latency;
    }

    public long acknowledged() {
        return acked.get();
    }

    public long naks(String code) {
        AtomicLong n = nakCodes.get(code);
        return n == null ? 0 : n.get();
    }

    public int pending() {
        return unacked.size();
    }

    public long sent() {
        return seq;
    }

    private void closeSocket() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @Override
    public synchronized void close() {
        closeSocket();
    }
}
