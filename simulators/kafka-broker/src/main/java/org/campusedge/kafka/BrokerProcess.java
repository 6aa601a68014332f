package org.campusedge.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@link KafkaBrokerMain} as a child process, for tests and benchmarks whose own class path has another Kafka client
 * (Hono's): started on a folder, waited for until it serves, killed on {@link #close} (or {@link #kill}) — no
 * process is left behind. Uses only the JDK, so a module may depend on this jar without the broker's libraries.
 */
public final class BrokerProcess implements AutoCloseable {

    /** The system property the build sets to the kafka-broker module's {@code target} folder. */
    public static final String TARGET_PROPERTY = "campus.kafkaBroker";

    private final Process process;
    private final String bootstrap;
    private final Path dir;

    private BrokerProcess(final Process process, final String bootstrap, final Path dir) {
        this.process = process;
        this.bootstrap = bootstrap;
        this.dir = dir;
    }

    /**
     * Starts a broker on {@code dir} (formatted on first use; a later start on the same folder keeps its address and
     * data) with the module's build output in {@code target}, and waits until it serves.
     *
     * @param partitions partitions of a topic created on first use
     */
    public static BrokerProcess start(final Path target, final Path dir, final int partitions, final Duration patience)
            throws IOException, InterruptedException {
        final Path lib = target.resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("no " + lib + ": build the kafka-broker module first (mvn package)");
        }
        Files.createDirectories(dir);
        final Path status = dir.resolve("broker.status");
        Files.deleteIfExists(status);
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(target.resolve("classes") + java.io.File.pathSeparator + lib + "/*");
        cmd.add(KafkaBrokerMain.class.getName());
        cmd.addAll(List.of("--dir", dir.toString(), "--partitions", Integer.toString(partitions),
                "--status-file", status.toString()));
        final Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()))
                .start();
        try {
            return await(p, status, patience, dir);
        } catch (final IOException | InterruptedException | RuntimeException e) {
            p.destroyForcibly(); // never left running by a start that failed
            throw e;
        }
    }

    private static BrokerProcess await(final Process p, final Path status, final Duration patience, final Path dir)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + patience.toNanos();
        while (!Files.exists(status)) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the Kafka broker stopped (exit " + p.exitValue() + "); see "
                        + dir.resolve("broker.log"));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("the Kafka broker did not serve within " + patience + "; see "
                        + dir.resolve("broker.log"));
            }
            Thread.sleep(50);
        }
        final Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(status, StandardCharsets.UTF_8)) {
            props.load(r);
        }
        return new BrokerProcess(p, props.getProperty("bootstrap"), dir);
    }

    /** As {@link #start(Path, Path, int, Duration)} with the target folder from the {@value #TARGET_PROPERTY} property. */
    public static BrokerProcess start(final Path dir, final int partitions) throws IOException, InterruptedException {
        final String target = System.getProperty(TARGET_PROPERTY);
        if (target == null) {
            throw new IllegalStateException("set -D" + TARGET_PROPERTY + "=<the kafka-broker module's target folder>");
        }
        return start(Path.of(target), dir, partitions, Duration.ofSeconds(90));
    }

    /** The address clients bootstrap from, {@code 127.0.0.1:port}. */
    public String bootstrap() {
        return bootstrap;
    }

    /** The broker's folder (its log is {@code broker.log} there). */
    public Path dir() {
        return dir;
    }

    /** True while the process runs. */
    public boolean alive() {
        return process.isAlive();
    }

    /** Kills the broker at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 30 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
