package org.campusedge.simulators.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.campusedge.simulators.net.CoapsClient;
import org.campusedge.simulators.net.DeviceKeys;
import org.campusedge.simulators.net.Loopback;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;

/**
 * Many lab sensors at a high, steady rate: confirmable SenML POSTs spread over a pool of UDP client
 * endpoints, paced by one thread at a fixed rate with a cap on requests in flight. Latency is
 * measured from the moment a request was due, not when it was sent, so a gateway that falls
 * behind shows it in the percentiles (no coordinated omission).
 */
public final class LabLoadGenerator implements AutoCloseable {

    /** Builds the payload of pack number {@code seq} for a device. */
    @FunctionalInterface
    public interface PackFactory {
        String pack(long seq, String deviceId);
    }

    /** Told about each acknowledged pack; called on Californium's threads. */
    @FunctionalInterface
    public interface AckListener {
        void acknowledged(long seq);
    }

    private final URI gateway;
    private final List<String> devices;
    private final List<CoapEndpoint> endpoints = new ArrayList<>();
    private final ScheduledExecutorService main;
    private final ScheduledExecutorService secondary;
    private final Semaphore[] inFlight; // one per endpoint
    private final int perEndpoint;
    /** Endpoint i posts only for device i (one kit per endpoint; always so over coaps). */
    private final boolean ownDevice;
    private final Recorder latency = new Recorder(3);
    private final PackOutcomes outcomes = new PackOutcomes();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean running;
    private volatile long windowAcked;

    /**
     * @param endpoints   UDP client endpoints (distinct source ports, i.e. distinct CoAP peers)
     * @param maxInFlight most requests awaiting an answer, spread evenly over the endpoints; a pack due
     *                    while its endpoint has its share in flight is skipped and counted. Keep the
     *                    share per endpoint within the gateway's de-duplication window per peer (16):
     *                    a retransmission older than the window would be taken as a new request.
     * @param threads     Californium protocol threads of the client side
     */
    public LabLoadGenerator(URI gateway, List<String> devices, int endpoints, int maxInFlight, int threads) {
        this(gateway, devices, endpoints, maxInFlight, threads, DeviceKeys.none());
    }

    /**
     * Over coaps ({@code gateway} {@code coaps://...}) each endpoint is one kit with its DTLS session,
     * presenting its device id and key from {@code keys}, and posts only its own packs: {@code endpoints}
     * must then equal the number of devices. Over plain CoAP with as many endpoints as devices, each
     * endpoint posts for its own device too (the same shape, for a comparison).
     */
    public LabLoadGenerator(URI gateway, List<String> devices, int endpoints, int maxInFlight, int threads, DeviceKeys keys) {
        this.gateway = gateway;
        boolean secure = "coaps".equals(gateway.getScheme());
        if (secure && endpoints != devices.size()) {
            throw new IllegalArgumentException("over coaps every kit is its own endpoint: " + devices.size() + " devices, "
                    + endpoints + " endpoints");
        }
        this.ownDevice = endpoints == devices.size();
        this.devices = List.copyOf(devices);
        this.perEndpoint = Math.max(1, maxInFlight / endpoints);
        this.inFlight = new Semaphore[endpoints];
        for (int i = 0; i < endpoints; i++) {
            inFlight[i] = new Semaphore(perEndpoint);
        }
        this.main = ExecutorsUtil.newScheduledThreadPool(threads, new NamedThreadFactory("load#"));
        this.secondary = ExecutorsUtil.newDefaultSecondaryScheduler("load-timer#");
        Configuration config = LabSensorSimulator.clientConfiguration();
        // a load generator is one client talking to one server: many requests may be in flight at once
        config.set(CoapConfig.NSTART, perEndpoint);
        for (int i = 0; i < endpoints; i++) {
            // one address per endpoint: the load of many kits comes from many addresses, as in a school
            InetSocketAddress bind = new InetSocketAddress(Loopback.device(Loopback.LOAD_GENERATOR, i), 0);
            CoapEndpoint ep;
            if (secure) {
                String secret = keys.secret(devices.get(i));
                if (secret == null) {
                    throw new IllegalArgumentException("lab kit " + devices.get(i) + " has no key to post over coaps");
                }
                ep = CoapsClient.endpoint(bind, devices.get(i), secret, config, main);
            } else {
                ep = new CoapEndpoint.Builder().setConfiguration(config).setInetSocketAddress(bind).build();
            }
            ep.setExecutors(main, secondary);
            try {
                ep.start();
            } catch (IOException e) {
                throw new IllegalStateException("could not open a UDP client port", e);
            }
            this.endpoints.add(ep);
        }
    }

    /**
     * Sends packs at {@code packsPerSecond} for {@code seconds} (or until {@link #stop()}), then waits
     * up to 15 s for the answers still outstanding. Returns the number of packs due in that time;
     * {@link #acknowledgedInWindow()} tells how many were acknowledged within it.
     */
    public long run(double packsPerSecond, double seconds, long firstSeq, PackFactory packs, AckListener onAck)
            throws InterruptedException {
        running = true;
        long intervalNanos = (long) (1e9 / packsPerSecond);
        long ackedBefore = outcomes.acknowledged();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long seq = firstSeq;
        long due = start;
        while (running && due < end) {
            long now = System.nanoTime();
            if (now < due) {
                // wake at most every half millisecond and send what is due in a burst: a pacer that
                // woke per request would spin a core the gateway needs (the latency still counts
                // from each request's due time)
                LockSupport.parkNanos(Math.max(due - now, 500_000));
                continue;
            }
            int endpoint = (int) (seq % endpoints.size());
            if (inFlight[endpoint].tryAcquire()) {
                send(seq, endpoint, due, packs, onAck);
            } else {
                skipped.incrementAndGet();
            }
            seq++;
            due += intervalNanos;
        }
        running = false;
        windowAcked = outcomes.acknowledged() - ackedBefore;
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15); // let the answers come in
        for (Semaphore s : inFlight) {
            long left = Math.max(0, drainDeadline - System.nanoTime());
            if (s.tryAcquire(perEndpoint, left, TimeUnit.NANOSECONDS)) {
                s.release(perEndpoint);
            }
        }
        return seq - firstSeq;
    }

    /** Packs acknowledged while the last {@link #run} was sending, not counting its drain. */
    public long acknowledgedInWindow() {
        return windowAcked;
    }

    private void send(long seq, int endpoint, long dueNanos, PackFactory packs, AckListener onAck) {
        String device = devices.get(ownDevice ? endpoint : (int) (seq % devices.size()));
        Request r = Request.newPost();
        r.setURI(gateway.resolve("/campus/lab/" + device));
        r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_SENML_JSON);
        r.setPayload(packs.pack(seq, device).getBytes(StandardCharsets.UTF_8));
        Semaphore permit = inFlight[endpoint];
        r.addMessageObserver(outcomes.observe(response -> {
            latency.recordValue(Math.max(0, System.nanoTime() - dueNanos) / 1000);
            onAck.acknowledged(seq);
        }, permit::release));
        endpoints.get(endpoint).sendRequest(r);
    }

    public void stop() {
        running = false;
    }

    /** Acknowledgement latency in microseconds since the last call (resets it). */
    public org.HdrHistogram.Histogram takeLatency() {
        return latency.getIntervalHistogram();
    }

    /** Sent, acknowledged, refused and unanswered packs so far. */
    public PackOutcomes outcomes() {
        return outcomes;
    }

    /** Packs that were due while their endpoint had its share in flight, so not sent. */
    public long skipped() {
        return skipped.get();
    }

    @Override
    public void close() {
        running = false;
        endpoints.forEach(CoapEndpoint::destroy);
        ExecutorsUtil.shutdownExecutorGracefully(1000, main, secondary);
    }
}
