package org.campusedge.bench;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventIds;
import org.campusedge.api.Location;
import org.campusedge.api.Measurement;
import org.campusedge.api.json.EventCodec;
import org.campusedge.simulators.attack.CoapWire;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.gateway.HeapSampler;

/**
 * What each bound of the gateway costs in heap, measured, for the README's arithmetic: the live
 * heap of a real gateway (after a full collection) before and while a bound is filled by real
 * traffic — remembered CoAP exchanges, open connections on each port — and, in this JVM, the size
 * of one queued or buffered event as the store and the bus hold it. Prints each item's bytes, its
 * bound and the worst case. {@code ./campus-edge.sh bench heap}.
 */
public final class HeapBounds {

    private HeapBounds() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("campus-heap-bounds");
        try {
            events();
            gateway(home);
        } finally {
            LabBenchmark.deleteTree(home);
        }
    }

    /** A lab reading as the lab normaliser makes it, and as the store queues it (with its encoded JSON). */
    private static void events() {
        int n = 200_000;
        Location room = new Location("科学楼 Science Building", "3F", "301 化学实验室 Chemistry Lab", "bench-1");
        long before = used();
        List<Object> held = new ArrayList<>(n);
        Instant t0 = Instant.now();
        for (int i = 0; i < n; i++) {
            Instant t = t0.plusMillis(i);
            CampusEvent e = CampusEvent.builder().id(EventIds.forKey(t.toEpochMilli(), "lab-chem-1-s1|temperature|" + i))
                    .schoolId("sch-example-01").deviceId("lab-chem-1-s1").profileId("lab-sensor-kit").location(room)
                    .kind("lab.reading").occurredAt(t).receivedAt(t)
                    .measurements(List.of(Measurement.numeric("temperature", "Cel", 20 + i % 100 / 10.0, t))).build();
            held.add(e);
        }
        long eventBytes = (used() - before) / n;
        held.clear();
        before = used();
        for (int i = 0; i < n; i++) {
            Instant t = t0.plusMillis(i);
            List<Measurement> ms = List.of(Measurement.numeric("temperature", "Cel", 20 + i % 100 / 10.0, t));
            held.add(EventCodec.measurementsToJson(ms, t.minusSeconds(1)));
        }
        long rowExtra = (used() - before) / n;
        held.clear();
        System.out.printf(Locale.ROOT, "a lab reading event: %d bytes; as a queued store row (+ its encoded measurement): %d bytes%n",
                eventBytes, eventBytes + rowExtra + 24);
    }

    private static long used() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static void gateway(Path home) throws Exception {
        try (GatewayProcess gw = GatewayProcess.start(GatewayProcess.defaultDistribution(), home.resolve("gateway"),
                List.of("camel.coapPort=0", "camel.cardPort=0", "camel.httpPort=0", "console.port=0"),
                LabBenchmark.gatewayJvmOptions("256m"))) {
            Thread.sleep(5_000);
            double base = HeapSampler.liveAfterFullGcMb(gw.pid());
            System.out.printf(Locale.ROOT, "gateway (example school, idle): %.1f MB live%n", base);

            // 24,000 distinct confirmable packs from 48 addresses within a minute: the de-duplicator fills (20,000)
            List<String> kits = Files.readAllLines(GatewayProcess.defaultDistribution().resolve("device-profiles/schools/example-school.yaml"))
                    .stream().map(String::trim).filter(l -> l.startsWith("- id: lab-")).map(l -> l.substring(6)).toList();
            InetSocketAddress coap = new InetSocketAddress("127.0.0.1", gw.coapPort());
            int mid = 0;
            long t = System.currentTimeMillis() / 1000;
            for (int a = 1; a <= 48 * 50; a++) { // 2,400 peers (fresh ports) of 10 packs each: past the 8,000 kept in all
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr(20, 1 + a % 48), 0))) {
                    for (int i = 0; i < 10; i++) {
                        ++mid;
                        byte[] body = ("[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":" + (mid % 1000) / 10.0 + ",\"t\":" + (t + mid / 1000.0) + "}]")
                                .getBytes(StandardCharsets.UTF_8);
                        byte[] m = CoapWire.request(CoapWire.CON, CoapWire.POST, mid & 0xFFFF, new byte[] {(byte) a, (byte) (i >> 8), (byte) i},
                                "/campus/lab/" + kits.get(mid % kits.size()), 110, -1, body);
                        s.send(new DatagramPacket(m, m.length, coap));
                    }
                    if (a % 3 == 0) {
                        Thread.sleep(20); // about 1,500 a second, what the store takes without saying busy
                    }
                }
            }
            Thread.sleep(2_000);
            double dedup = HeapSampler.liveAfterFullGcMb(gw.pid());
            System.out.printf(Locale.ROOT, "CoAP de-duplication full (8,000 exchanges remembered): %.1f MB live, %.0f bytes an exchange%n",
                    dedup, (dedup - base) * 1024 * 1024 / 8_000);
            Thread.sleep(65_000); // they are forgotten after their minute
            double after = HeapSampler.liveAfterFullGcMb(gw.pid());

            // connections held open: 512 on the device port, 256 on the card port, 256 on the console, from enough addresses
            List<Socket> held = new ArrayList<>();
            int http = hold(held, gw.httpPort(), 21, 32, 16, "POST /campus/camera/cam-gate-east-1 HTTP/1.1\r\nHo");
            int card = hold(held, gw.cardPort(), 22, 64, 4, "");
            int console = hold(held, gw.consolePort(), 23, 8, 32, "GET / HTTP/1.1\r\nHo");
            double conns = HeapSampler.liveAfterFullGcMb(gw.pid());
            System.out.printf(Locale.ROOT, "connections held (device HTTP %d, card %d, console %d): %.1f MB live, %.0f bytes a connection%n",
                    http, card, console, conns, (conns - after) * 1024 * 1024 / Math.max(1, http + card + console));
            for (Socket s : held) {
                s.close();
            }

            // DTLS connections: 500 sessions, the example school's kits from many ports (a session is per address and port)
            Thread.sleep(2_000);
            double beforeDtls = HeapSampler.liveAfterFullGcMb(gw.pid());
            org.campusedge.simulators.net.DeviceKeys keys = gw.deviceKeys();
            List<org.eclipse.californium.core.network.CoapEndpoint> sessions = new ArrayList<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            int established = 0;
            try {
                for (int i = 0; i < 500; i++) {
                    String kit = kits.get(i % kits.size());
                    var ep = org.campusedge.simulators.net.CoapsClient.endpoint(new InetSocketAddress(addr(24, 1 + i % 200), 0), kit,
                            keys.secret(kit), org.eclipse.californium.elements.config.Configuration.createStandardWithoutFile(), pool);
                    sessions.add(ep);
                    var c = new org.eclipse.californium.core.CoapClient("coaps://127.0.0.1:" + gw.coapsPort() + "/campus/lab/" + kit);
                    c.setEndpoint(ep);
                    c.setTimeout(5_000L);
                    var r = c.post(("[{\"n\":\"ph\",\"v\":" + (i % 140) / 10.0 + "}]").getBytes(StandardCharsets.UTF_8), 110);
                    established += r != null ? 1 : 0;
                }
                double dtls = HeapSampler.liveAfterFullGcMb(gw.pid());
                System.out.printf(Locale.ROOT, "DTLS sessions held (%d established): %.1f MB live, %.0f bytes a session%n", established, dtls,
                        (dtls - beforeDtls) * 1024 * 1024 / Math.max(1, established));
            } finally {
                sessions.forEach(org.eclipse.californium.core.network.CoapEndpoint::destroy);
                pool.shutdownNow();
            }
        }
    }

    private static int hold(List<Socket> held, int port, int group, int addresses, int each, String partial) throws Exception {
        int n = 0;
        for (int a = 1; a <= addresses; a++) {
            for (int i = 0; i < each; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress(addr(group, a), 0));
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                if (!partial.isEmpty()) {
                    s.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
                }
                held.add(s);
                n++;
            }
        }
        Thread.sleep(1_000);
        return n;
    }

    private static InetAddress addr(int group, int host) throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, (byte) group, (byte) host});
    }
}
