package org.campusedge.sandbox;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the {@link HonoSandbox} as a process:
 * <pre>
 * java -cp "target/campus-edge-hono-sandbox-0.1.0-SNAPSHOT.jar:target/lib/*" org.campusedge.sandbox.HonoSandboxMain \
 *   --registry FILE [--host 127.0.0.1] [--device-port 5672] [--north-port 15672] [--control-port 0] [--status-file PATH]
 *   [--kafka HOST:PORT]
 * </pre>
 * With {@code --kafka} the northbound is Hono's Kafka-based messaging on those brokers instead of the AMQP listener.
 * Writes the status file (properties {@code host}, {@code devicePort}, {@code northPort},
 * {@code controlPort}) once listening and stops cleanly on SIGTERM. Exit code 2 = bad arguments
 * or registry, 1 = cannot start.
 */
public final class HonoSandboxMain {

    private static final String USAGE = "usage: HonoSandboxMain --registry FILE [--host 127.0.0.1] [--device-port 5672]"
            + " [--north-port 15672] [--control-port 0] [--status-file PATH] [--kafka HOST:PORT]";

    private HonoSandboxMain() {
    }

    /**
     * @param args see the class documentation
     */
    public static void main(final String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "sandbox-logback.xml");
        }
        final Map<String, String> opts;
        final Registry registry;
        final SandboxConfig config;
        try {
            opts = parse(args);
            registry = Registry.load(Path.of(opts.get("--registry")));
            final SandboxConfig.Builder builder = SandboxConfig.builder();
            if (opts.containsKey("--kafka")) {
                builder.kafka(opts.get("--kafka"));
            }
            config = builder
                    .registry(registry)
                    .host(opts.getOrDefault("--host", "127.0.0.1"))
                    .devicePort(port(opts, "--device-port", 5672))
                    .northPort(port(opts, "--north-port", 15672))
                    .build();
        } catch (final IllegalArgumentException | RegistryException e) {
            System.err.println("hono-sandbox: " + e.getMessage());
            System.exit(2);
            return;
        }
        final HonoSandbox sandbox;
        final ControlApi control;
        try {
            sandbox = HonoSandbox.start(config);
        } catch (final RuntimeException e) {
            System.err.println("hono-sandbox: " + e.getMessage());
            System.exit(1);
            return;
        }
        try {
            control = ControlApi.start(sandbox, port(opts, "--control-port", 0));
        } catch (final IOException | IllegalArgumentException e) {
            System.err.println("hono-sandbox: cannot start control API: " + e.getMessage());
            sandbox.close();
            System.exit(1);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            control.close();
            sandbox.close();
            stopped.countDown();
        }, "sandbox-shutdown"));
        if (opts.containsKey("--status-file")) {
            try {
                writeStatus(Path.of(opts.get("--status-file")), config.host(), sandbox, control);
            } catch (final IOException e) {
                System.err.println("hono-sandbox: cannot write status file: " + e.getMessage());
                System.exit(1);
                return;
            }
        }
        System.out.printf("Hono sandbox (a development stand-in, NOT Eclipse Hono) listening: devices amqp://%s:%d,"
                + " northbound %s, control http://127.0.0.1:%d%n", config.host(), sandbox.devicePort(),
                sandbox.kafkaBootstrap() != null ? "Kafka " + sandbox.kafkaBootstrap()
                        : "amqp://" + config.host() + ":" + sandbox.northPort(), control.port());
        System.out.flush();
        try {
            stopped.await();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> parse(final String[] args) {
        final Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            final String key = args[i];
            switch (key) {
                case "--registry", "--host", "--device-port", "--north-port", "--control-port", "--status-file", "--kafka" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(key + " needs a value\n" + USAGE);
                    }
                    opts.put(key, args[++i]);
                }
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
            }
        }
        if (!opts.containsKey("--registry")) {
            throw new IllegalArgumentException("--registry is required\n" + USAGE);
        }
        return opts;
    }

    private static int port(final Map<String, String> opts, final String key, final int dflt) {
        final String v = opts.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            final int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a port: " + v);
        }
    }

    private static void writeStatus(final Path file, final String host, final HonoSandbox sandbox,
            final ControlApi control) throws IOException {
        final Properties p = new Properties();
        p.setProperty("host", host);
        p.setProperty("devicePort", Integer.toString(sandbox.devicePort()));
        p.setProperty("northPort", Integer.toString(sandbox.northPort()));
        p.setProperty("controlPort", Integer.toString(control.port()));
        if (sandbox.kafkaBootstrap() != null) {
            p.setProperty("kafka", sandbox.kafkaBootstrap());
        }
        final Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        final Path tmp = Files.createTempFile(dir, ".sandbox-status", ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Hono sandbox (development stand-in)");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
