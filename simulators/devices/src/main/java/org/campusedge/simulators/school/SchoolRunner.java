package org.campusedge.simulators.school;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.gateway.GatewayProcess;

/**
 * The quick start: a whole simulated school and its gateway on one machine. Starts the school's
 * energy server and broadcast controller, writes the school's inventory, starts the gateway from the
 * built distribution on it, then the cameras, lab sensors and card readers, and prints what is
 * arriving, by family, until Ctrl-C (or {@code --duration} seconds).
 */
public final class SchoolRunner {

    private SchoolRunner() {
    }

    private static final String USAGE = """
            usage: SchoolRunner [--cameras N] [--labs N] [--sensors-per-lab N] [--meters N] [--readers N] [--scale K]
                                [--speed X] [--rate PACKS_PER_SECOND_PER_SENSOR] [--duration SECONDS]
                                [--home DIR] [--distribution DIR] [--coap-port N] [--coaps-port N] [--card-port N] [--http-port N] [--console-port N]
              default school: %s; --scale K multiplies it; --speed X runs the school clock X times real time (60)""";

    public static void main(String[] args) throws Exception {
        Path distribution = null;
        Path home = Path.of("run/school");
        int coapPort = 5683;
        int coapsPort = 5684;
        int cardPort = 9100;
        int httpPort = 8088;
        int consolePort = 8443; // HTTPS; the console's plain port (8080) only redirects there
        long durationSeconds = 0;
        double packsPerSecond = 1.0;
        double speed = 60;
        SchoolSize size = SchoolSize.standard();
        int scale = 1;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--distribution" -> distribution = Path.of(args[++i]);
                    case "--home" -> home = Path.of(args[++i]);
                    case "--coap-port" -> coapPort = Integer.parseInt(args[++i]);
                    case "--coaps-port" -> coapsPort = Integer.parseInt(args[++i]);
                    case "--card-port" -> cardPort = Integer.parseInt(args[++i]);
                    case "--http-port" -> httpPort = Integer.parseInt(args[++i]);
                    case "--console-port" -> consolePort = Integer.parseInt(args[++i]);
                    case "--duration" -> durationSeconds = Long.parseLong(args[++i]);
                    case "--rate" -> packsPerSecond = Double.parseDouble(args[++i]);
                    case "--speed" -> speed = Double.parseDouble(args[++i]);
                    case "--scale" -> scale = Integer.parseInt(args[++i]);
                    case "--cameras" -> size = new SchoolSize(Integer.parseInt(args[++i]), size.labs(), size.sensorsPerLab(),
                            size.meters(), size.readers(), size.controllers());
                    case "--labs" -> size = new SchoolSize(size.cameras(), Integer.parseInt(args[++i]), size.sensorsPerLab(),
                            size.meters(), size.readers(), size.controllers());
                    case "--sensors-per-lab" -> size = new SchoolSize(size.cameras(), size.labs(), Integer.parseInt(args[++i]),
                            size.meters(), size.readers(), size.controllers());
                    case "--meters" -> size = new SchoolSize(size.cameras(), size.labs(), size.sensorsPerLab(),
                            Integer.parseInt(args[++i]), size.readers(), size.controllers());
                    case "--readers" -> size = new SchoolSize(size.cameras(), size.labs(), size.sensorsPerLab(), size.meters(),
                            Integer.parseInt(args[++i]), size.controllers());
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println(e.getMessage() == null ? e.toString() : e.getMessage());
            System.err.println(USAGE.formatted(SchoolSize.standard()));
            System.exit(2);
        }
        size = size.times(scale);
        if (distribution == null) {
            distribution = GatewayProcess.defaultDistribution();
        }
        home = home.toAbsolutePath().normalize();
        Files.createDirectories(home);
        System.out.printf("Simulating a school of %s (%d devices) in %s ...%n", size, size.devices(), home);
        SimulatedSchool school = SimulatedSchool.prepare(home, "sch-sim-01", size, SimulatedSchool.morningClock(speed));
        GatewayProcess gateway;
        try {
            school.provision(home);
            gateway = GatewayProcess.start(distribution, home, List.of("camel.coapPort=" + coapPort, "camel.coapsPort=" + coapsPort, "camel.cardPort=" + cardPort,
                    "camel.httpPort=" + httpPort, "console.port=" + consolePort, "registry.inventoryFile=" + school.inventoryFile()),
                    List.of("-Xmx384m"));
        } catch (Exception e) {
            school.close();
            throw e;
        }
        school.attach(gateway, Math.round(1000 / packsPerSecond));
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C or SIGTERM: the devices stop, then the gateway stops cleanly, before the JVM ends
        Thread cleanup = new Thread(() -> {
            try {
                school.close();
                gateway.close();
            } catch (Exception e) {
                System.err.println("stopping: " + e);
            }
            stopped.countDown();
        }, "school-stop");
        Runtime.getRuntime().addShutdownHook(cleanup);
        printWhereToLook(gateway, school);
        long end = durationSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds) : Long.MAX_VALUE;
        while (!stopped.await(10, TimeUnit.SECONDS) && System.nanoTime() < end) {
            printProgress(gateway, school);
        }
        System.exit(0); // runs the cleanup hook
    }

    private static void printProgress(GatewayProcess gateway, SimulatedSchool school) {
        Map<String, Long> stored = countsByKind(gateway.storePath());
        Map<String, int[]> health = DeviceReport.byFamily(gateway.home().resolve("run/devices.tsv"));
        System.out.printf("school clock %s  (stored events by kind: %s)%n", school.clock().get().withNano(0), stored);
        System.out.printf("  cameras   posted %d, answered 200 %d, refused %d    online %s%n",
                school.cameras().accepted() + school.cameras().refused() + school.cameras().failed(),
                school.cameras().accepted(), school.cameras().refused(), DeviceReport.online(health, "camera"));
        System.out.printf("  lab       packs %s    online %s%n", school.labs().outcomes(), DeviceReport.online(health, "lab"));
        System.out.printf("  energy    readings %d, breaker writes %d    online %s%n", stored.getOrDefault("energy.reading", 0L),
                school.meters().breakerWrites().size(), DeviceReport.online(health, "energy"));
        System.out.printf("  card      swipes sent %d, ACKed %d    online %s%n", school.cards().sent(),
                school.cards().acknowledged(), DeviceReport.online(health, "card"));
        System.out.printf("  broadcast plays %d, faults stored %d    online %s%n",
                school.controllers().stream().mapToLong(c -> c.played().size()).sum(),
                stored.getOrDefault("broadcast.fault", 0L), DeviceReport.online(health, "broadcast"));
        System.out.printf("  notify    guard's WeCom group %d, head of security's DingTalk %d messages, security office's mailbox %d e-mails%n",
                school.robots().received("wecom").size(), school.robots().received("dingtalk").size(), school.mail().received().size());
    }

    private static void printWhereToLook(GatewayProcess gateway, SimulatedSchool school) {
        Path db = gateway.storePath();
        SchoolInventory inv = school.inventory();
        System.out.printf("""

                Campus Edge is running for %s, a simulated school of %d devices on this machine:
                  %d cameras push ISAPI alarms over HTTP      -> http://127.0.0.1:%d/campus/camera/{id} (HTTP Digest, each its own key)
                  %d lab sensors post SenML over CoAP+DTLS    -> coaps://127.0.0.1:%d/campus/lab/{id} (each with its own key)
                  %d lab sensors observed by the gateway      <- CoAP observe (RFC 7641)
                  %d energy meters, read over OPC UA          <- %s
                  %d card readers send swipe frames over TCP  -> 127.0.0.1:%d (each frame proven with the reader's key; card numbers stored only as pseudonyms)
                  %d broadcast controller(s), polled and reporting over HTTP (HTTP Digest both ways)
                The school clock runs %.0fx real time from 06:50.
                  school console   %s/   %s
                                   (HTTPS with a certificate made at its first start: the browser warns once; its SHA-256
                                    fingerprint was printed then, and the certificate is %s)
                  inventory        %s
                  gateway log      %s
                  device report    %s   (column -t -s $'\\t' %s)
                  event store      %s
                    sqlite3 %s "SELECT kind, count(*) FROM event_log GROUP BY kind"
                  device keys      %s   (owner-only; bin/campus-edge credentials show ID)
                  post a reading yourself as a kit, with its key (Debian package libcoap3-bin):
                    coap-client-openssl -m post -t 110 -u %s -k "$(grep -P '^%s\\t' %s | cut -f2)" \\
                      -e '[{"n":"temperature","u":"Cel","v":23.4}]' coaps://127.0.0.1:%d/campus/lab/%s
                Ctrl-C stops the devices and the gateway.

                """, inv.schoolName(), school.size().devices(), inv.cameras().size(), gateway.httpPort(), inv.labSensors().size(),
                gateway.coapsPort(), inv.observedLabSensors().size(), inv.meters().size(), school.meters().endpointUrl(), inv.cardReaders().size(), gateway.cardPort(),
                inv.controllers().size(), school.clock().speed(), gateway.consoleUrl(), adminHint(gateway),
                gateway.home().resolve("data/console-tls.crt"), school.inventoryFile(), gateway.status().getProperty("log"),
                gateway.home().resolve("run/devices.tsv"), gateway.home().resolve("run/devices.tsv"), db, db,
                gateway.home().resolve("conf/device-secrets"), firstKit(inv), firstKit(inv), gateway.home().resolve("conf/device-secrets"),
                gateway.coapsPort(), firstKit(inv));
    }

    private static String firstKit(SchoolInventory inv) {
        return inv.labSensors().isEmpty() ? "lab-phys-1-s1" : inv.labSensors().get(0);
    }

    /** The admin's first password, which the gateway printed once on its output, or where to look for it. */
    private static String adminHint(GatewayProcess gateway) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("user 'admin', password (\\S+)").matcher(gateway.console());
            return m.find() ? "(admin / " + m.group(1) + ", made at this home's first start)"
                    : "(admin's password: printed at the first start of " + gateway.home() + ", see console.log there)";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Events in the store by kind, read in one query (the gateway keeps writing meanwhile). */
    static Map<String, Long> countsByKind(Path db) {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT kind, count(*) FROM events GROUP BY kind")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        } catch (Exception e) {
            // the file is being created; the next round reads it
        }
        return out;
    }
}
