package org.campusedge.simulators.lab;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.AckLatency;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.campusedge.simulators.net.CoapsClient;
import org.campusedge.simulators.net.DeviceKeys;
import org.campusedge.simulators.net.Loopback;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;

/**
 * Simulated lab sensor kits posting SenML packs to the gateway over CoAP, each from its own UDP
 * port like a real device, with confirmable requests (retransmitted until the gateway answers).
 * Counts what the gateway acknowledged (2.04), refused (4.xx/5.xx) and what timed out.
 */
public final class LabSensorSimulator implements AutoCloseable {

    private final URI gateway;
    private final List<LabSensor> sensors;
    private final List<CoapEndpoint> endpoints = new ArrayList<>();
    private final ScheduledExecutorService main;
    private final ScheduledExecutorService secondary;
    private final ScheduledExecutorService ticker;
    private final PackOutcomes outcomes = new PackOutcomes();
    private volatile AckLatency latency;
    private ScheduledFuture<?> task;

    /** @param gateway e.g. {@code coap://127.0.0.1:5683}; sensors post to {@code /campus/lab/<id>} over plain CoAP */
    public LabSensorSimulator(URI gateway, List<LabSensor> sensors) {
        this(gateway, sensors, DeviceKeys.none());
    }

    /**
     * @param gateway {@code coaps://127.0.0.1:5684}: every kit posts over DTLS with its key from
     *                {@code keys} (a kit without a key is a mistake here: it throws);
     *                {@code coap://}: plain CoAP for all
     */
    public LabSensorSimulator(URI gateway, List<LabSensor> sensors, DeviceKeys keys) {
        this.gateway = gateway;
        this.sensors = List.copyOf(sensors);
        this.main = ExecutorsUtil.newScheduledThreadPool(2, new NamedThreadFactory("lab-sim#"));
        this.secondary = ExecutorsUtil.newDefaultSecondaryScheduler("lab-sim-timer#");
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "lab-sim-ticker"));
        Configuration config = clientConfiguration();
        for (int i = 0; i < sensors.size(); i++) {
            // each kit from an address of its own, as on a school LAN (the gateway's limits are per source address)
            InetSocketAddress bind = new InetSocketAddress(Loopback.device(Loopback.LAB_SENSORS, i), 0);
            CoapEndpoint ep;
            if ("coaps".equals(gateway.getScheme())) {
                String id = sensors.get(i).deviceId();
                String secret = keys.secret(id);
                if (secret == null) {
                    throw new IllegalArgumentException("lab kit " + id + " has no key to post over coaps");
                }
                ep = CoapsClient.endpoint(bind, id, secret, config, main);
            } else {
                ep = new CoapEndpoint.Builder().setConfiguration(config).setInetSocketAddress(bind).build();
            }
            ep.setExecutors(main, secondary);
            endpoints.add(ep);
            try {
                ep.start();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("could not open a UDP port for sensor " + sensors.get(i).deviceId(), e);
            }
        }
    }

    /**
     * Plays lab sensors against a running gateway until Ctrl-C:
     * {@code LabSensorSimulator --gateway coap://127.0.0.1:5683 --sensors lab-chem-1-s1,lab-chem-1-s2 --period-ms 1000 --records 7}.
     * Without --sensors, {@code --count N} sensors named lab-sim-000... are played (they must be in the inventory).
     */
    public static void main(String[] args) throws InterruptedException {
        URI gateway = URI.create("coap://127.0.0.1:5683");
        List<String> ids = new java.util.ArrayList<>();
        int count = 8;
        long periodMs = 1000;
        int records = 7;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--gateway" -> gateway = URI.create(args[i + 1]);
                case "--sensors" -> ids.addAll(List.of(args[i + 1].split(",")));
                case "--count" -> count = Integer.parseInt(args[i + 1]);
                case "--period-ms" -> periodMs = Long.parseLong(args[i + 1]);
                case "--records" -> records = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--gateway URI, --sensors ID,ID | --count N, --period-ms MS, --records N)");
            }
        }
        if (ids.isEmpty()) {
            for (int i = 0; i < count; i++) {
                ids.add(String.format("lab-sim-%03d", i));
            }
        }
        List<LabSensor> sensors = new java.util.ArrayList<>();
        long start = System.currentTimeMillis();
        for (int i = 0; i < ids.size(); i++) {
            sensors.add(new LabSensor(ids.get(i), ids.get(i).contains("chem"), i, start));
        }
        try (LabSensorSimulator sim = new LabSensorSimulator(gateway, sensors)) {
            sim.start(records, periodMs);
            java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            while (!stop.await(10, TimeUnit.SECONDS)) {
                System.out.println(sim.outcomes());
            }
        }
    }

    static Configuration clientConfiguration() {
        CoapConfig.register();
        UdpConfig.register();
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(CoapConfig.MAX_ACTIVE_PEERS, 4);
        c.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        c.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        return c;
    }

    /** Every sensor posts one pack of {@code records} records every {@code period}, spread over the period. */
    public void start(int records, long periodMillis) {
        task = ticker.scheduleAtFixedRate(new Runnable() {
            private int next;

            @Override
            public void run() {
                // one tick every period/n so that the sensors do not all send at the same instant
                int i = next++ % sensors.size();
                post(i, records);
            }
        }, 0, Math.max(1, periodMillis * 1000 / sensors.size()), TimeUnit.MICROSECONDS);
    }

    /** Sends one pack from sensor {@code index}; the outcome is counted when the gateway answers. */
    public void post(int index, int records) {
        LabSensor s = sensors.get(index);
        Request r = Request.newPost();
        r.setConfirmable(true);
        r.setURI(gateway.resolve("/campus/lab/" + s.deviceId()));
        r.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_SENML_JSON);
        r.setPayload(s.pack(records, System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        AckLatency l = latency;
        r.addMessageObserver(outcomes.observe(response -> {
            if (l != null) {
                l.record(t0);
            }
        }, () -> { }));
        endpoints.get(index).sendRequest(r);
    }

    /** Where the time from post to 2.04 goes, or null. */
    public void measure(AckLatency latency) {
        this.latency = latency;
    }

    /** Sent, acknowledged, refused and unanswered packs so far. */
    public PackOutcomes outcomes() {
        return outcomes;
    }

    public void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    @Override
    public void close() {
        stop();
        ticker.shutdownNow();
        endpoints.forEach(CoapEndpoint::destroy);
        ExecutorsUtil.shutdownExecutorGracefully(1000, main, secondary);
    }
}
