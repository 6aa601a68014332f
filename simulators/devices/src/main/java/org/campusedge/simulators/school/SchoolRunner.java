package org.campusedge.simulators.school;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.LocalTime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.card.CardReaderSimulator;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.lab.LabSensor;
import org.campusedge.simulators.lab.LabSensorSimulator;

/**
 * The quick start: a simulated school and its gateway on one machine. Starts the gateway from the
 * built distribution, plays every lab sensor of the example school's inventory against it, and
 * prints where to look and what is arriving until Ctrl-C (or {@code --duration} seconds).
 */
public final class SchoolRunner {

    private SchoolRunner() {
    }

    public static void main(String[] args) throws Exception {
        Path distribution = null;
        Path home = Path.of("run/school");
        int coapPort = 5683;
        int cardPort = 9100;
        long durationSeconds = 0;
        double packsPerSecond = 1.0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--distribution" -> distribution = Path.of(args[++i]);
                case "--home" -> home = Path.of(args[++i]);
                case "--coap-port" -> coapPort = Integer.parseInt(args[++i]);
                case "--card-port" -> cardPort = Integer.parseInt(args[++i]);
                case "--duration" -> durationSeconds = Long.parseLong(args[++i]);
                case "--rate" -> packsPerSecond = Double.parseDouble(args[++i]);
                default -> {
                    System.err.println("usage: SchoolRunner [--distribution DIR] [--home DIR] [--coap-port N] [--card-port N]"
                            + " [--rate PACKS_PER_SECOND_PER_SENSOR] [--duration SECONDS]");
                    System.exit(2);
                }
            }
        }
        if (distribution == null) {
            distribution = GatewayProcess.defaultDistribution();
        }
        home = home.toAbsolutePath().normalize();
        SchoolInventory school = SchoolInventory.read(distribution.resolve("device-profiles/schools/example-school.yaml"));
        System.out.printf("Starting the gateway for %s (%s) in %s ...%n", school.schoolName(), school.schoolId(), home);
        GatewayProcess gateway = GatewayProcess.start(distribution, home, List.of("camel.coapPort=" + coapPort, "camel.cardPort=" + cardPort),
                List.of("-Xmx256m"));
        List<LabSensor> sensors = new ArrayList<>();
        long lessonStart = System.currentTimeMillis();
        for (int i = 0; i < school.labSensors().size(); i++) {
            String id = school.labSensors().get(i);
            sensors.add(new LabSensor(id, id.startsWith("lab-chem"), i, lessonStart));
        }
        LabSensorSimulator labs = new LabSensorSimulator(URI.create("coap://127.0.0.1:" + gateway.coapPort()), sensors);
        // the school day runs a minute a second, from 06:50: the morning rush at the gates comes in a minute
        CardReaderSimulator cards = new CardReaderSimulator(new InetSocketAddress("127.0.0.1", gateway.cardPort()),
                school.cardReaders(), school.enrolment(), 60, LocalTime.of(6, 50));
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C or SIGTERM: the sensors stop, then the gateway stops cleanly, before the JVM ends
        Thread cleanup = new Thread(() -> {
            labs.close();
            cards.close();
            try {
                gateway.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "school-stop");
        Runtime.getRuntime().addShutdownHook(cleanup);
        labs.start(7, Math.round(1000 / packsPerSecond));
        cards.start();
        printWhereToLook(gateway, school, sensors.size());
        long end = durationSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds) : Long.MAX_VALUE;
        while (!stopped.await(10, TimeUnit.SECONDS) && System.nanoTime() < end) {
            Map<String, Long> stored = countsByKind(gateway.storePath());
            System.out.printf("lab packs %s; readings in SQLite %d%n", labs.outcomes(), stored.getOrDefault("lab.reading", 0L));
            System.out.printf("school clock %s: card swipes sent %d, stored (ACK) %d; in SQLite %d swipes, %d denied%n",
                    cards.clock().withNano(0), cards.sent(), cards.acknowledged(), stored.getOrDefault("card.swipe", 0L),
                    stored.getOrDefault("card.denied", 0L));
        }
        System.exit(0); // runs the cleanup hook
    }

    private static void printWhereToLook(GatewayProcess gateway, SchoolInventory school, int sensors) {
        Path db = gateway.storePath();
        System.out.printf("""

                Campus Edge is running: %d lab sensors of %s post SenML over CoAP to the gateway,
                and its one-card readers send swipes over TCP (card numbers are stored only as pseudonyms).
                  gateway log     %s
                  gateway console %s
                  event store     %s
                    sqlite3 %s "SELECT device_id, kind, json_extract(measurements,'$[0].n') AS point, json_extract(measurements,'$[0].v') AS value, json_extract(measurements,'$[0].u') AS unit FROM event_log ORDER BY id DESC LIMIT 10"
                  post a reading yourself (Debian package libcoap3-bin):
                    coap-client-notls -m post -t 110 -e '[{"n":"temperature","u":"Cel","v":23.4}]' coap://127.0.0.1:%d/campus/lab/%s
                Ctrl-C stops the sensors and the gateway.

                """, sensors, school.schoolName(), gateway.status().getProperty("log"), gateway.home().resolve("console.log"),
                db, db, gateway.coapPort(), school.labSensors().get(0));
    }

    /** Events in the store by kind, read in one query (the gateway keeps writing meanwhile). */
    static Map<String, Long> countsByKind(Path db) {
        Map<String, Long> out = new java.util.HashMap<>();
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
