package org.campusedge.simulators.attack;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** Attacks on the CoAP port (UDP): block-wise floods, garbage datagrams, malformed SenML. */
public final class UdpAttacks {

    private UdpAttacks() {
    }

    /**
     * Starts block-wise uploads it never finishes: each datagram is the first block (NUM 0, more to
     * come, 1 KiB) of a POST to a lab sensor's path, from a fresh source port, so that every one looks
     * like a new peer beginning a new transfer. A server that keeps a body buffer per transfer for
     * minutes runs out of memory.
     */
    public static Attack blockwiseFlood(InetAddress source, InetSocketAddress gateway, List<String> paths, double perSecond,
                                        long total) {
        return new Attack("coap-blockwise-flood") {
            @Override
            protected void loop(int thread) throws Exception {
                byte[] block = new byte[1024];
                new Random(1).nextBytes(block);
                long start = System.nanoTime();
                for (long n = 0; running && n < total; n++) {
                    pace(start, n, perSecond);
                    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0))) {
                        byte[] msg = CoapWire.request(CoapWire.CON, CoapWire.POST, (int) (n & 0xFFFF), token(n),
                                paths.get((int) (n % paths.size())), 110, CoapWire.block1(0, true, 6), block);
                        s.send(new DatagramPacket(msg, msg.length, gateway));
                        count("sent");
                    } catch (IOException e) {
                        count("send failed");
                    }
                }
            }
        };
    }

    /** Random bytes, random lengths up to 1,400, as fast as {@code perSecond} from one socket; counts answers. */
    public static Attack garbage(InetAddress source, InetSocketAddress gateway, double perSecond) {
        return new Attack("coap-garbage") {
            @Override
            protected void loop(int thread) throws Exception {
                Random random = new Random(2);
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0))) {
                    Thread drain = answers(s, this);
                    long start = System.nanoTime();
                    for (long n = 0; running; n++) {
                        pace(start, n, perSecond);
                        byte[] junk = new byte[1 + random.nextInt(1400)];
                        random.nextBytes(junk);
                        if (n % 2 == 0) {
                            junk[0] = 0x40; // half of it looks like a CoAP header, to get past the first check
                        }
                        s.send(new DatagramPacket(junk, junk.length, gateway));
                        count("sent");
                    }
                    drain.interrupt();
                }
            }
        };
    }

    /**
     * SenML that is not: broken JSON, wrong types, unknown points, posted to real lab sensors' paths
     * at a high rate, half confirmable (the server keeps state for those), half not.
     */
    public static Attack malformedSenml(InetAddress source, InetSocketAddress gateway, List<String> paths, double perSecond) {
        String[] bodies = {
            "[{\"n\":\"temperature\",\"v\":\"hot\"}]",
            "[{\"bn\":\"x\",\"n\":\"nosuchpoint\",\"v\":1}]",
            "{\"this is\": not json",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            "[{\"n\":\"temperature\",\"u\":\"furlongs\",\"v\":1}]",
        };
        return new Attack("coap-malformed-senml") {
            @Override
            protected void loop(int thread) throws Exception {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0))) {
                    Thread drain = answers(s, this);
                    long start = System.nanoTime();
                    for (long n = 0; running; n++) {
                        pace(start, n, perSecond);
                        byte[] body = bodies[(int) (n % bodies.length)].getBytes(StandardCharsets.UTF_8);
                        byte[] msg = CoapWire.request(n % 2 == 0 ? CoapWire.CON : CoapWire.NON, CoapWire.POST, (int) (n & 0xFFFF),
                                token(n), paths.get((int) (n % paths.size())), 110, -1, body);
                        s.send(new DatagramPacket(msg, msg.length, gateway));
                        count("sent");
                    }
                    drain.interrupt();
                }
            }
        };
    }

    /**
     * A broken lab kit: valid packs of {@code records} readings for one inventory device, as fast as
     * {@code perSecond}, non-confirmable (it does not wait for answers). Counts the answers it gets.
     */
    public static Attack runawayKit(InetAddress source, InetSocketAddress gateway, String deviceId, double perSecond, int records) {
        return new Attack("coap-runaway-kit") {
            @Override
            protected void loop(int thread) throws Exception {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0))) {
                    Thread drain = answers(s, this);
                    long start = System.nanoTime();
                    for (long n = 0; running; n++) {
                        pace(start, n, perSecond);
                        StringBuilder pack = new StringBuilder("[{\"bn\":\"urn:dev:").append(deviceId).append(":\",\"bt\":")
                                .append(System.currentTimeMillis() / 1000.0).append(",\"n\":\"temperature\",\"u\":\"Cel\",\"v\":21.5}");
                        for (int i = 1; i < records; i++) {
                            pack.append(",{\"n\":\"temperature\",\"t\":").append(i / 1000.0).append(",\"v\":21.").append(i % 10).append('}');
                        }
                        byte[] body = pack.append(']').toString().getBytes(StandardCharsets.UTF_8);
                        byte[] msg = CoapWire.request(CoapWire.NON, CoapWire.POST, (int) (n & 0xFFFF), token(n),
                                "/campus/lab/" + deviceId, 110, -1, body);
                        s.send(new DatagramPacket(msg, msg.length, gateway));
                        count("sent");
                    }
                    drain.interrupt();
                }
            }
        };
    }

    private static byte[] token(long n) {
        return new byte[] {(byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    /** Reads and counts the gateway's answers on a socket by CoAP code, on a daemon thread. */
    static Thread answers(DatagramSocket s, Attack attack) throws IOException {
        s.setSoTimeout(500);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (!s.isClosed() && !Thread.currentThread().isInterrupted()) {
                try {
                    s.receive(p);
                    String code = CoapWire.responseCode(buf, p.getLength());
                    attack.count("answered " + (code == null ? "non-CoAP" : code.equals("0.00") ? "ACK/RST" : code));
                } catch (SocketTimeoutException e) {
                    // keep listening
                } catch (IOException e) {
                    return;
                }
            }
        }, "attack-answers-" + attack.name());
        t.setDaemon(true);
        t.start();
        return t;
    }
}
