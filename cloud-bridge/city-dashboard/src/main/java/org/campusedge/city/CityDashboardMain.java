package org.campusedge.city;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the city dashboard until SIGTERM (or Ctrl-C):
 * {@code java -cp "campus-edge-city-dashboard.jar:lib/*" org.campusedge.city.CityDashboardMain [options]}.
 * Options: {@code --hono-host --hono-port --hono-user --hono-password --tenant --db (JDBC URL) --http-host
 * --http-port --users-file --quiet-minutes --command-timeout (seconds) --status-file PATH --kafka HOST:PORT
 * --kafka-group NAME --kafka-config FILE}; with {@code --kafka} the northbound is Hono's Kafka topics, consumed in the
 * group (the file: more Kafka client properties, e.g. the brokers' SASL and TLS settings). The status file, a
 * properties file with {@code httpPort} and {@code url}, is written once the web server listens.
 */
public final class CityDashboardMain {

    private CityDashboardMain() {
    }

    /** Starts the dashboard. */
    public static void main(String[] args) throws Exception {
        // the dashboard's own logging configuration, named so that it never shadows an embedding application's logback.xml
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "city-dashboard-logback.xml");
        }
        CityConfig.Builder b = CityConfig.builder();
        Path statusFile = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                System.out.println("options: --hono-host H --hono-port P --hono-user U --hono-password P --tenant T"
                        + " --db JDBC-URL --http-host H --http-port P --users-file F --quiet-minutes M"
                        + " --command-timeout SECONDS --status-file F --hono-tls true|false --hono-trust CERT-FILE"
                        + " --kafka HOST:PORT[,HOST:PORT] --kafka-group NAME --kafka-config FILE (Kafka client properties:"
                        + " security.protocol, sasl.*, ssl.*)");
                return;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String v = args[++i];
            switch (option) {
                case "--hono-host" -> b.honoHost(v);
                case "--hono-port" -> b.honoPort(Integer.parseInt(v));
                case "--hono-user" -> b.honoUser(v);
                case "--hono-password" -> b.honoPassword(v);
                case "--hono-tls" -> {
                    if (!v.equals("true") && !v.equals("false")) {
                        throw new IllegalArgumentException("--hono-tls takes true or false, got " + v); // never plain by a typo
                    }
                    b.honoTls(v.equals("true"));
                }
                case "--hono-trust" -> b.honoTrustStore(Path.of(v));
                case "--tenant" -> b.tenant(v);
                case "--db" -> b.jdbcUrl(v);
                case "--http-host" -> b.httpHost(v);
                case "--http-port" -> b.httpPort(Integer.parseInt(v));
                case "--users-file" -> b.usersFile(Path.of(v));
                case "--quiet-minutes" -> b.quietMinutes(Integer.parseInt(v));
                case "--command-timeout" -> b.commandTimeout(Duration.ofSeconds(Long.parseLong(v)));
                case "--status-file" -> statusFile = Path.of(v);
                case "--kafka" -> b.kafka(v);
                case "--kafka-group" -> b.kafkaGroup(v);
                case "--kafka-config" -> b.kafkaClient(properties(Path.of(v)));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        CityConfig config = b.build();
        if (config.kafkaBootstrap() != null && java.util.Arrays.stream(args).anyMatch(a -> a.startsWith("--hono-"))) {
            System.err.println("city-dashboard: --kafka given: the --hono-* (AMQP) settings are not used;"
                    + " Kafka's security settings go in --kafka-config");
        }
        CityDashboard dashboard = CityDashboard.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dashboard.close();
            stopped.countDown();
        }, "city-dashboard-shutdown"));
        if (statusFile != null) {
            writeStatus(statusFile, dashboard);
        }
        System.out.println("city-dashboard: listening on " + dashboard.url());
        stopped.await();
    }

    /** A properties file (owner-only, as it may hold the Kafka password) as a map. */
    private static java.util.Map<String, String> properties(Path file) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        java.util.Map<String, String> out = new java.util.HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    private static void writeStatus(Path file, CityDashboard d) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        Files.writeString(tmp, "httpPort=" + d.httpPort() + "\nurl=" + d.url().replace(":", "\\:") + "\n",
                StandardCharsets.UTF_8);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
