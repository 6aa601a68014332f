package org.campusedge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.campusedge.city.CityConfig;
import org.campusedge.city.CityDashboard;
import org.campusedge.sandbox.HonoSandbox;
import org.campusedge.sandbox.Registry;
import org.campusedge.sandbox.SandboxConfig;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.school.SchoolSize;
import org.campusedge.simulators.school.SimulatedSchool;

/**
 * The README's quick start: the product whole on one machine. The Hono sandbox and the city
 * dashboard (in this process), then one or more simulated schools, each with its own gateway (the
 * built distribution) linked to the sandbox as its Hono gateway. Prints the URLs of the school
 * consoles and of the city dashboard, and what reaches the city, until Ctrl-C.
 */
public final class CityRunner {

    private CityRunner() {
    }

    private static final String USAGE = """
            usage: CityRunner [--schools N] [--scale K] [--speed X] [--summary-seconds S] [--duration SECONDS] [--home DIR]
                              [--console-port N] [--city-port N] [--drill-after SECONDS] [--kafka]
              N simulated schools (1), each the standard school times K, its clock X times real time (60);
              summaries to the city every S seconds (60 here; a gateway's default is 300); the first school's
              security office starts a drill after 75 s (0: no drill). --kafka: Hono's Kafka-based messaging instead of
              AMQP northbound: a Kafka broker, the sandbox producing to it, and two city dashboards in one consumer
              group on one PostgreSQL (the city ports N and N+1)""";

    public static void main(String[] args) throws Exception {
        int schools = 1;
        int scale = 1;
        double speed = 60;
        int summarySeconds = 60;
        long duration = 0;
        long drillAfter = 75;
        int consolePort = 8443; // HTTPS; the console's plain port (8080) only redirects there
        int cityPort = 8090;
        Path home = Path.of("run/city");
        boolean kafka = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--schools" -> schools = Integer.parseInt(args[++i]);
                    case "--scale" -> scale = Integer.parseInt(args[++i]);
                    case "--speed" -> speed = Double.parseDouble(args[++i]);
                    case "--summary-seconds" -> summarySeconds = Integer.parseInt(args[++i]);
                    case "--duration" -> duration = Long.parseLong(args[++i]);
                    case "--drill-after" -> drillAfter = Long.parseLong(args[++i]);
                    case "--home" -> home = Path.of(args[++i]);
                    case "--console-port" -> consolePort = Integer.parseInt(args[++i]);
                    case "--city-port" -> cityPort = Integer.parseInt(args[++i]);
                    case "--kafka" -> kafka = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println(e.getMessage() == null ? e.toString() : e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
        home = home.toAbsolutePath().normalize();
        Files.createDirectories(home);
        String tenant = "jiangcheng";
        List<String> ids = new ArrayList<>();
        Registry.Builder registry = Registry.builder().tenant(tenant);
        for (int s = 1; s <= schools; s++) {
            String id = "sch-sim-%02d".formatted(s);
            ids.add(id);
            registry.gateway("gw-" + id, "gw-secret-" + id, List.of(id + ".*"));
        }
        // AMQPS on both sides of the sandbox: its certificate is the test CA the gateways and the dashboard trust
        Path honoCa = home.resolve("hono-sandbox-ca.crt");
        org.campusedge.net.TlsIdentity.loadOrCreate(home.resolve("hono-sandbox-tls.p12"), honoCa, "Campus Edge Hono sandbox (test CA)");
        // --kafka: the bureau's side as it scales out - a Kafka broker (its own process), a PostgreSQL server, and two
        // dashboards sharing the schools' partitions; both kept in this home, so a restart keeps what the city stored.
        // Whatever started is stopped again if a later part cannot start (and by the shutdown hook below).
        List<AutoCloseable> infra = new java.util.concurrent.CopyOnWriteArrayList<>();
        SandboxConfig.Builder sandboxConfig = SandboxConfig.builder().registry(registry.north("city-dashboard", "city-secret").build())
                .tls(home.resolve("hono-sandbox-tls.p12"), new String(org.campusedge.net.TlsIdentity.STORE_PASSWORD));
        String cityDb = "jdbc:sqlite:" + home.resolve("city.db");
        String bootstrap = null;
        HonoSandbox sandbox;
        List<CityDashboard> cities = new ArrayList<>();
        try {
            if (kafka) {
                System.out.println("Starting a Kafka broker and PostgreSQL for the city (in " + home + "/kafka and /postgres) ...");
                org.campusedge.kafka.BrokerProcess broker = org.campusedge.kafka.BrokerProcess.start(Path.of(System.getProperty(
                        org.campusedge.kafka.BrokerProcess.TARGET_PROPERTY, "simulators/kafka-broker/target")), home.resolve("kafka"), 8,
                        java.time.Duration.ofSeconds(90));
                infra.add(0, broker);
                org.campusedge.city.LocalPostgres postgres = org.campusedge.city.LocalPostgres.in(home.resolve("postgres"));
                infra.add(0, postgres);
                bootstrap = broker.bootstrap();
                sandboxConfig.kafka(bootstrap);
                cityDb = postgres.jdbcUrl();
            }
            sandbox = HonoSandbox.start(sandboxConfig.build());
            infra.add(0, sandbox);
            for (int instance = 0; instance < (kafka ? 2 : 1); instance++) {
                CityConfig.Builder cityConfig = CityConfig.builder().honoHost("127.0.0.1").honoPort(kafka ? 5671 : sandbox.northPort())
                        .honoUser("city-dashboard").honoPassword("city-secret").tenant(tenant).jdbcUrl(cityDb)
                        .httpPort(cityPort == 0 ? 0 : cityPort + instance).usersFile(home.resolve("city-users"))
                        .honoTls(true).honoTrustStore(honoCa);
                if (kafka) {
                    cityConfig.kafka(bootstrap).kafkaGroup(tenant + "-city-dashboard");
                }
                CityDashboard c = CityDashboard.start(cityConfig.build());
                cities.add(c);
                infra.add(0, c);
            }
        } catch (Exception e) {
            closeAll(infra);
            throw e;
        }
        CityDashboard city = cities.get(0);
        List<SimulatedSchool> simulated = new ArrayList<>();
        List<GatewayProcess> gateways = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (SimulatedSchool s : simulated) {
                try {
                    s.close();
                } catch (Exception e) {
                    System.err.println("stopping a school: " + e);
                }
            }
            for (GatewayProcess g : gateways) {
                try {
                    g.close();
                } catch (Exception e) {
                    System.err.println("stopping a gateway: " + e);
                }
            }
            closeAll(infra); // the dashboards, the sandbox, then PostgreSQL and the broker
            stopped.countDown();
        }, "city-stop"));
        SchoolSize size = SchoolSize.standard().times(scale);
        for (int s = 0; s < schools; s++) {
            String id = ids.get(s);
            Path dir = home.resolve(id);
            Files.createDirectories(dir);
            System.out.printf("Simulating %s: %s (%d devices) in %s ...%n", id, size, size.devices(), dir);
            SimulatedSchool school = SimulatedSchool.prepare(dir, id, size, SimulatedSchool.morningClock(speed));
            // the gateway's Hono password, in an owner-only file of its own (conf/cloud-password), as a school keeps it
            Path password = Files.createDirectories(dir.resolve("conf")).resolve("cloud-password");
            Files.writeString(password, "gw-secret-" + id + "\n");
            Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            simulated.add(school);
            school.provision(dir);
            GatewayProcess gw = GatewayProcess.start(GatewayProcess.defaultDistribution(), dir, List.of("camel.coapPort=0", "camel.cardPort=0",
                    "camel.httpPort=0", "console.port=" + (s == 0 ? consolePort : 0), "registry.inventoryFile=" + school.inventoryFile(),
                    "cloud.host=127.0.0.1", "cloud.port=" + sandbox.devicePort(), "cloud.tls=true",
                    "cloud.trustStorePath=" + honoCa, "cloud.tenant=" + tenant,
                    "cloud.summaryPeriodSeconds=" + summarySeconds,
                    // the bureau's public key, as the school's installer copies it: the city's commands are checked against it
                    "cloud.cityKeyFile=" + city.signer().publicKeyFile()), List.of("-Xmx384m"));
            gateways.add(gw);
            school.attach(gw, 1000);
        }
        System.out.printf("%nCampus Edge is running: %d simulated school(s), their gateways, a Hono sandbox (a development stand-in"
                + " for Eclipse Hono) and the city dashboard.%n", schools);
        for (int s = 0; s < schools; s++) {
            System.out.printf("  school console  %s  %s/   (gateway log %s)%n", ids.get(s), gateways.get(s).consoleUrl(),
                    gateways.get(s).status().getProperty("log"));
            adminPassword(gateways.get(s));
        }
        for (CityDashboard c : cities) {
            System.out.printf("  city dashboard  %s   (its admin password was printed above at its first start; users in %s)%n", c.url(),
                    home.resolve("city-users"));
        }
        if (kafka) {
            System.out.printf("  Hono sandbox    device side amqps://127.0.0.1:%d, northbound Kafka %s (topics hono.*.%s)%n",
                    sandbox.devicePort(), bootstrap, tenant);
            System.out.printf("  city database   %s (both dashboards; consumer group %s)%n", cityDb, tenant + "-city-dashboard");
        } else {
            System.out.printf("  Hono sandbox    device side amqps://127.0.0.1:%d, northbound amqps://127.0.0.1:%d (test CA %s)%n",
                    sandbox.devicePort(), sandbox.northPort(), honoCa);
        }
        System.out.printf("  summaries reach the city every %d s; a CRITICAL alarm at once. Ctrl-C stops everything.%n", summarySeconds);
        if (drillAfter > 0 && duration > 0 && drillAfter + 10 > duration) {
            System.out.printf("  no drill: it would start %d s in, as the run ends after %d s (--drill-after, --duration)%n", drillAfter, duration);
            drillAfter = 0;
        }
        if (drillAfter > 0) {
            System.out.printf("  in %d s the security office of %s starts a DRILL (演练): a night intrusion played at a perimeter"
                    + " camera, by day too,%n  so you see intrusion -> alarm -> PA -> WeCom -> city, each marked as a drill (--drill-after 0: none)%n",
                    drillAfter, ids.get(0));
            QuickStartDrill drill = new QuickStartDrill(gateways.get(0), simulated.get(0), cityDb);
            long delay = drillAfter;
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(delay));
                    drill.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "quick-start-drill");
            t.setDaemon(true);
            t.start();
        }
        System.out.println();
        long end = duration > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(duration) : Long.MAX_VALUE;
        while (!stopped.await(15, TimeUnit.SECONDS) && System.nanoTime() < end) {
            for (CityDashboard c : cities) {
                System.out.printf("city%s: %s, by type %s%n", cities.size() > 1 ? " " + c.httpPort() : "", c.stats(), countsByType(cityDb));
            }
        }
        System.exit(0);
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable c : parts) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("stopping " + c.getClass().getSimpleName() + ": " + e);
            }
        }
    }

    private static void adminPassword(GatewayProcess gateway) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("user 'admin', password (\\S+)").matcher(gateway.console());
            System.out.println(m.find() ? "                  console admin / " + m.group(1) + " (made at this home's first start)"
                    : "                  console admin password: printed at the first start of " + gateway.home());
        } catch (java.io.IOException e) {
            // the gateway's output is not readable: nothing to add
        }
    }

    private static String countsByType(String db) {
        StringBuilder sb = new StringBuilder();
        try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT type, count(*) FROM messages GROUP BY type")) {
            while (rs.next()) {
                sb.append(sb.length() == 0 ? "" : ", ").append(rs.getString(1).replace("org.campusedge.", "")).append('=').append(rs.getLong(2));
            }
        } catch (Exception e) {
            return "(not yet)";
        }
        return sb.toString();
    }
}
