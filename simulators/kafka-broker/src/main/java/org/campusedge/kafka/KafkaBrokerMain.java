package org.campusedge.kafka;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;


/**
 * One Apache Kafka node in KRaft mode (controller and broker in one process) on loopback, for the city's
 * trials, tests and benchmarks:
 * <pre>
 * java -cp "target/campus-edge-kafka-broker-0.1.0-SNAPSHOT.jar:target/lib/*" org.campusedge.kafka.KafkaBrokerMain \
 *   --dir data/kafka [--host 127.0.0.1] [--port 9092] [--partitions 8] [--status-file PATH]
 * </pre>
 * The first start formats {@code --dir} (a new cluster id) and keeps the ports it chose in
 * {@code --dir/node.properties}; a later start on the same folder reuses both, so what was stored is served
 * again on the same address. Port 0 (the default) picks free ones. Once a client can reach the broker it writes
 * the status file (properties {@code bootstrap}, {@code port}) and prints one line with the address; it stops
 * cleanly on SIGTERM. Exit code 2 = bad arguments, 1 = cannot start.
 * <p>
 * Not a production deployment: one node, replication factor 1, no TLS or SASL. A bureau runs its own Kafka
 * (or Hono's), and points the sandbox and the dashboards at it.
 */
public final class KafkaBrokerMain {

    private static final String USAGE = "usage: KafkaBrokerMain --dir FOLDER [--host 127.0.0.1] [--port 0]"
            + " [--partitions 8] [--status-file PATH]";

    private KafkaBrokerMain() {
    }

    /**
     * @param args see the class documentation
     */
    public static void main(final String[] args) {
        // its own logging configuration, named so that it never shadows that of a program with this jar on its class path
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "kafka-broker-logback.xml");
        }
        final Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (final IllegalArgumentException e) {
            System.err.println("kafka-broker: " + e.getMessage());
            System.exit(2);
            return;
        }
        final KafkaNode node;
        try {
            node = KafkaNode.start(Path.of(opts.get("--dir")), opts.getOrDefault("--host", "127.0.0.1"),
                    Integer.parseInt(opts.getOrDefault("--port", "0")),
                    Integer.parseInt(opts.getOrDefault("--partitions", "8")));
        } catch (final IOException | RuntimeException e) {
            System.err.println("kafka-broker: cannot start: " + e);
            System.exit(1);
            return;
        }
        final String bootstrap = node.bootstrap();
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "kafka-broker-shutdown"));
        if (opts.containsKey("--status-file")) {
            try {
                writeStatus(Path.of(opts.get("--status-file")), bootstrap);
            } catch (final IOException e) {
                System.err.println("kafka-broker: cannot write the status file: " + e.getMessage());
                System.exit(1);
                return;
            }
        }
        System.out.println("Kafka broker (one KRaft node, a trial/test stand-in) serving on " + bootstrap);
        System.out.flush();
        node.awaitShutdown();
    }

    private static Map<String, String> parse(final String[] args) {
        final Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            final String key = args[i];
            switch (key) {
                case "--dir", "--host", "--port", "--partitions", "--status-file" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(key + " needs a value\n" + USAGE);
                    }
                    opts.put(key, args[++i]);
                }
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
            }
        }
        if (!opts.containsKey("--dir")) {
            throw new IllegalArgumentException("--dir is required\n" + USAGE);
        }
        for (final String k : new String[] {"--port", "--partitions"}) {
            if (opts.containsKey(k)) {
                try {
                    final int v = Integer.parseInt(opts.get(k));
                    if (v < 0 || v > 65535 || k.equals("--partitions") && v < 1) {
                        throw new NumberFormatException();
                    }
                } catch (final NumberFormatException e) {
                    throw new IllegalArgumentException(k + ": not a valid number: " + opts.get(k));
                }
            }
        }
        return opts;
    }

    private static void writeStatus(final Path file, final String bootstrap) throws IOException {
        final Properties p = new Properties();
        p.setProperty("bootstrap", bootstrap);
        p.setProperty("port", bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        final Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        final Path tmp = Files.createTempFile(dir, ".kafka-status", ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Kafka broker (trial/test stand-in)");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
