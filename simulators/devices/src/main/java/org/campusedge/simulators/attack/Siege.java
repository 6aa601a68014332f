package org.campusedge.simulators.attack;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every attack at once against one gateway on loopback, at a strength: the siege test runs step 1,
 * the siege benchmark steps 1 to 4. Each attack comes from its own loopback addresses
 * (127.0.N.x, one N per attack), the good devices from 127.0.0.1, the way a school LAN has
 * students' machines beside the cameras; everything targets the gateway on 127.0.0.1.
 */
public final class Siege implements AutoCloseable {

    /** Where the gateway listens, and the inventory names the attacks use. */
    public record Target(int coapPort, int httpPort, int cardPort, int consolePort, List<String> labPaths,
                         List<String> cameraPaths, String cardReader, String runawayKit) {
    }

    /**
     * How hard each attack pushes. Step 1 is already several times what took the unprotected
     * gateway down (3,000 block-wise datagrams, 8 slow senders, ~512 idle sockets).
     */
    public record Strength(int step, double blockwisePerSecond, long blockwiseTotal, int slowDevice, int slowConsole,
                           int idleCard, double coapGarbagePerSecond, double malformedSenmlPerSecond,
                           double ghostAlertsPerSecond, double oversizedPerSecond, double httpGarbagePerSecond,
                           double cardGarbagePerSecond, double runawayPacksPerSecond, int runawayRecords) {

        public static Strength step(int k) {
            return new Strength(k, 1000.0 * k, 10_000L * k, 64 * k, 128 * k, 600 * k, 2000.0 * k, 2000.0 * k,
                    200.0 * k, 10.0 * k, 100.0 * k, 200.0 * k, 200.0 * k, 50);
        }

        public String describe() {
            return String.format(Locale.ROOT, "step %d: %,d block-wise first blocks at %.0f/s from fresh ports; %d slow senders on"
                            + " the device port, %d on the console; %d idle card connections; CoAP garbage %.0f/s; malformed SenML"
                            + " %.0f/s; alerts from unknown cameras %.0f/s; 1-8 MiB bodies %.0f/s; garbage alert bodies %.0f/s;"
                            + " card garbage %.0f writes/s; a runaway lab kit %.0f packs/s of %d readings",
                    step, blockwiseTotal, blockwisePerSecond, slowDevice, slowConsole, idleCard, coapGarbagePerSecond,
                    malformedSenmlPerSecond, ghostAlertsPerSecond, oversizedPerSecond, httpGarbagePerSecond,
                    cardGarbagePerSecond, runawayPacksPerSecond, runawayRecords);
        }
    }

    private final List<Attack> attacks = new ArrayList<>();

    private Siege() {
    }

    /** Starts every attack. */
    public static Siege start(Target t, Strength s) throws UnknownHostException {
        Siege siege = new Siege();
        InetSocketAddress coap = new InetSocketAddress("127.0.0.1", t.coapPort());
        InetSocketAddress http = new InetSocketAddress("127.0.0.1", t.httpPort());
        InetSocketAddress card = new InetSocketAddress("127.0.0.1", t.cardPort());
        InetSocketAddress console = new InetSocketAddress("127.0.0.1", t.consolePort());
        siege.attacks.add(UdpAttacks.blockwiseFlood(address(1, 1), coap, t.labPaths(), s.blockwisePerSecond(), s.blockwiseTotal()));
        siege.attacks.add(HttpAttacks.slowRequests("http-slow-device", addresses(2, 8), http, t.cameraPaths().get(0), s.slowDevice()));
        siege.attacks.add(HttpAttacks.slowRequests("http-slow-console", addresses(3, 8), console, "/login", s.slowConsole()));
        siege.attacks.add(TcpAttacks.idleConnections(addresses(4, 20), card, s.idleCard()));
        siege.attacks.add(UdpAttacks.garbage(address(5, 1), coap, s.coapGarbagePerSecond()));
        siege.attacks.add(UdpAttacks.malformedSenml(address(6, 1), coap, t.labPaths(), s.malformedSenmlPerSecond()));
        List<String> ghosts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ghosts.add("/campus/camera/cam-ghost-" + i);
        }
        byte[] alert = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><EventNotificationAlert><ipAddress>10.0.0.9</ipAddress>"
                + "<channelID>1</channelID><dateTime>2026-12-02T02:00:00+08:00</dateTime><activePostCount>1</activePostCount>"
                + "<eventType>linedetection</eventType><eventState>active</eventState>"
                + "<eventDescription>intrusion</eventDescription></EventNotificationAlert>").getBytes(StandardCharsets.UTF_8);
        siege.attacks.add(HttpAttacks.posts("http-unknown-cameras", address(7, 1), http, ghosts, "application/xml", n -> alert, false,
                s.ghostAlertsPerSecond(), 4));
        HttpAttacks.BodyMaker big = HttpAttacks.randomBytes(1 << 20);
        siege.attacks.add(HttpAttacks.posts("http-oversized", address(8, 1), http, t.cameraPaths(), "application/xml",
                n -> n % 2 == 0 ? big.body(n) : new byte[8 << 20], true, s.oversizedPerSecond(), 2));
        siege.attacks.add(HttpAttacks.posts("http-garbage", address(9, 1), http, t.cameraPaths(), "application/xml",
                HttpAttacks.randomBytes(4096), false, s.httpGarbagePerSecond(), 4));
        siege.attacks.add(TcpAttacks.garbageAndImpostor(address(10, 1), card, t.cardReader(), s.cardGarbagePerSecond()));
        siege.attacks.add(UdpAttacks.runawayKit(address(11, 1), coap, t.runawayKit(), s.runawayPacksPerSecond(), s.runawayRecords()));
        for (Attack a : siege.attacks) {
            a.start();
        }
        return siege;
    }

    public List<Attack> attacks() {
        return List.copyOf(attacks);
    }

    public Attack attack(String name) {
        return attacks.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    /** One line per attack: what it sent and what it was answered. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        for (Attack a : attacks) {
            sb.append("  ").append(a).append('\n');
        }
        return sb.toString();
    }

    /** Stops every attack and closes what they hold, then prints the report when run as a process. */
    @Override
    public void close() throws InterruptedException {
        for (Attack a : attacks) {
            a.stop();
        }
    }

    /**
     * The siege as a process of its own, so that a benchmark can run it at a lower CPU priority
     * ({@code nice}), standing in for machines elsewhere on the LAN:
     * {@code Siege STEP COAP HTTP CARD CONSOLE LAB_PATHS CAMERA_PATHS READER RUNAWAY} with the paths
     * comma-separated. Runs until its standard input closes, then prints the report.
     */
    public static void main(String[] args) throws Exception {
        Target t = new Target(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Integer.parseInt(args[4]), List.of(args[5].split(",")), List.of(args[6].split(",")), args[7], args[8]);
        Siege siege = start(t, Strength.step(Integer.parseInt(args[0])));
        System.out.println("siege running");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until whoever started it closes our standard input
        }
        siege.close();
        System.out.print(siege.report());
        System.out.flush();
    }

    /** 127.0.{group}.{host}: a loopback address of its own for each attacker. */
    static InetAddress address(int group, int host) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, (byte) group, (byte) host});
    }

    static List<InetAddress> addresses(int group, int count) throws UnknownHostException {
        List<InetAddress> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(address(group, i));
        }
        return out;
    }
}
