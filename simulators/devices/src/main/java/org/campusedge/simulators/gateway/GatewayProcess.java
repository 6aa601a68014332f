package org.campusedge.simulators.gateway;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A gateway started from the built distribution as its own process, the way a school runs it:
 * {@code java -cp lib/* org.campusedge.launcher.Main}. Its home is a fresh folder whose
 * {@code lib}, {@code bundles} and {@code device-profiles} link to the distribution and whose data,
 * logs and status file are its own, so several gateways can run side by side on random ports.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Path home;
    private final Process process;
    private final Properties status;
    private final Thread reaper;

    private GatewayProcess(Path home, Process process, Properties status, Thread reaper) {
        this.home = home;
        this.process = process;
        this.status = status;
        this.reaper = reaper;
    }

    /** The distribution built by {@code mvn package} in the launcher module, found from a module or the repo root. */
    public static Path defaultDistribution() {
        for (String candidate : new String[] {"edge-bundles/launcher/target/campus-edge/campus-edge",
                "../edge-bundles/launcher/target/campus-edge/campus-edge",
                "../../edge-bundles/launcher/target/campus-edge/campus-edge", "target/campus-edge/campus-edge"}) {
            Path p = Path.of(candidate).toAbsolutePath().normalize();
            if (Files.isDirectory(p.resolve("bundles"))) {
                return p;
            }
        }
        throw new IllegalStateException("no gateway distribution found; build it with: mvn -B -DskipTests install");
    }

    /**
     * Starts a gateway and waits until it has written its status file.
     *
     * @param settings {@code key=value} overrides of conf/gateway.properties (e.g. {@code camel.coapPort=0})
     * @param jvmArgs  extra JVM options, e.g. {@code -Xmx256m}
     */
    public static GatewayProcess start(Path distribution, Path home, List<String> settings, List<String> jvmArgs)
            throws IOException, InterruptedException {
        prepare(distribution, home);
        Files.deleteIfExists(home.resolve("run/gateway.status"));
        if (settings.contains("camel.coapPort=0") && settings.stream().noneMatch(s -> s.startsWith("camel.coapsPort="))) {
            settings = new java.util.ArrayList<>(settings); // a gateway on a free CoAP port gets a free coaps port too
            settings.add("camel.coapsPort=0");
        }
        if (settings.stream().anyMatch(s -> s.equals("console.port=0")) && settings.stream().noneMatch(s -> s.startsWith("console.redirectPort="))) {
            settings = new java.util.ArrayList<>(settings); // a console on a free port: its plain-HTTP redirect on a free one too
            settings.add("console.redirectPort=0");
        }
        Process p = launch(distribution, home, settings, jvmArgs);
        Path console = home.resolve("console.log");
        // a gateway never outlives whoever started it, whatever way that ends
        Thread reaper = new Thread(p::destroyForcibly, "gateway-reaper-" + p.pid());
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            Path statusFile = home.resolve("run/gateway.status");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (!Files.exists(statusFile)) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the gateway exited with " + p.exitValue() + " before it was ready:\n"
                            + tail(console));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the gateway was not ready within 150 s:\n" + tail(console));
                }
                Thread.sleep(50);
            }
            Properties status = new Properties();
            try (Reader r = Files.newBufferedReader(statusFile, StandardCharsets.UTF_8)) {
                status.load(r);
            }
            return new GatewayProcess(home, p, status, reaper);
        } catch (InterruptedException | IOException | RuntimeException e) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(reaper);
            throw e;
        }
    }

    /**
     * Links the distribution's shared folders into a home (tests read its device profiles there) and
     * gives it the log configuration; the gateway makes the rest of its conf/ from the release's
     * defaults/ at its first start, as on a school's box.
     */
    private static void prepare(Path distribution, Path home) throws IOException {
        Files.createDirectories(home);
        for (String shared : new String[] {"lib", "bundles", "device-profiles"}) {
            Path link = home.resolve(shared);
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, distribution.resolve(shared));
            }
        }
        Path conf = home.resolve("conf");
        Files.createDirectories(conf);
        if (!Files.exists(conf.resolve("logback.xml"))) {
            Files.copy(distribution.resolve("defaults/logback.xml"), conf.resolve("logback.xml"));
        }
    }

    /**
     * The shipped inventory has no devices (a new box connects to nothing until the school writes its
     * own); a simulated gateway runs the example school's unless it is given another.
     */
    private static List<String> withInventory(List<String> settings) {
        if (settings.stream().anyMatch(s -> s.startsWith("registry.inventoryFile="))) {
            return settings;
        }
        List<String> out = new ArrayList<>(settings);
        out.add("registry.inventoryFile=${app}/device-profiles/schools/example-school.yaml");
        return out;
    }

    /**
     * Starts the gateway's JVM as {@code bin/campus-edge} does (with -XX:+ExitOnOutOfMemoryError), its
     * output appended to {@code home/console.log}.
     */
    private static Process launch(Path distribution, Path home, List<String> settings, List<String> jvmArgs) throws IOException {
        Path conf = home.resolve("conf");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.addAll(jvmArgs);
        cmd.add("-Dlogback.configurationFile=" + conf.resolve("logback.xml"));
        cmd.add("-Dcampus.home=" + home);
        cmd.add("-Dcampus.app=" + distribution.toAbsolutePath().normalize());
        cmd.add("-cp");
        cmd.add(distribution.resolve("lib") + "/*");
        cmd.add("org.campusedge.launcher.Main");
        cmd.add("--home");
        cmd.add(home.toString());
        for (String s : withInventory(settings)) {
            cmd.add("--set");
            cmd.add(s);
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("console.log").toFile())).start();
    }

    /** How a gateway that was not expected to keep running ended: its exit status and everything it printed. */
    public record Ended(int exitStatus, String console) {
    }

    /**
     * Starts a gateway that should stop by itself (it cannot start whole, or its home is taken) and
     * waits up to {@code seconds} for it to end; fails if it is still running then (and stops it).
     */
    public static Ended runToExit(Path distribution, Path home, List<String> settings, List<String> jvmArgs, int seconds)
            throws IOException, InterruptedException {
        prepare(distribution, home);
        Path console = home.resolve("console.log");
        long before = Files.exists(console) ? Files.size(console) : 0;
        Process p = launch(distribution, home, settings, jvmArgs);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("the gateway was still running after " + seconds + " s:\n" + tail(console));
        }
        String out = Files.readString(console, StandardCharsets.UTF_8);
        return new Ended(p.exitValue(), out.substring((int) Math.min(before, out.length())));
    }

    /**
     * Waits until the process ends by itself (its watchdog stopped it); its exit status, or -1 when it
     * still runs after {@code seconds}.
     */
    public int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            return -1;
        }
        forgetReaper();
        return process.exitValue();
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no console output: " + e.getMessage() + ")";
        }
    }

    /** What the gateway wrote once it was up: state, pid, coap.port, store.path, log. */
    public Properties status() {
        return status;
    }

    public int coapPort() {
        return Integer.parseInt(status.getProperty("coap.port"));
    }

    /** The coaps (DTLS) port, -1 when the gateway has none. */
    public int coapsPort() {
        String p = status.getProperty("coaps.port", "");
        return p.isEmpty() ? -1 : Integer.parseInt(p);
    }

    /** The devices' secrets the gateway issued (its home's conf/device-secrets), as an installer copies them into devices. */
    public org.campusedge.simulators.net.DeviceKeys deviceKeys() {
        return org.campusedge.simulators.net.DeviceKeys.of(home.resolve("conf/device-secrets"));
    }

    public int consolePort() {
        return Integer.parseInt(status.getProperty("console.port"));
    }

    /** The console's base URL, {@code https://127.0.0.1:PORT} (or http when the gateway runs it without TLS). */
    public String consoleUrl() {
        return status.getProperty("console.scheme", "http") + "://127.0.0.1:" + consolePort();
    }

    /**
     * An SSL context that trusts the console's certificate (its home's {@code data/console-tls.crt}, as
     * an admin installs it in a browser): clients check the console is the gateway's, not any server's.
     */
    public javax.net.ssl.SSLContext consoleTrust() throws IOException {
        return org.campusedge.net.TlsIdentity.trusting(home.resolve("data/console-tls.crt"));
    }

    public int httpPort() {
        return Integer.parseInt(status.getProperty("http.port"));
    }

    public int cardPort() {
        return Integer.parseInt(status.getProperty("card.port"));
    }

    public Path storePath() {
        return Path.of(status.getProperty("store.path"));
    }

    /**
     * Puts an OPC UA server's certificate in the gateway's trust list folder ({@code data/opcua-pki/trusted/certs}),
     * as an installer does; the running gateway picks it up.
     */
    public void trustOpcUaServer(String name, java.security.cert.X509Certificate certificate) throws IOException {
        trustOpcUaServer(home, name, certificate);
    }

    /** As {@link #trustOpcUaServer(String, java.security.cert.X509Certificate)}, for a gateway home before its start. */
    public static void trustOpcUaServer(Path home, String name, java.security.cert.X509Certificate certificate) throws IOException {
        Path certs = Files.createDirectories(home.resolve("data/opcua-pki/trusted/certs"));
        try {
            Path tmp = certs.getParent().resolve(name + ".der.tmp"); // not in the watched folder while half written
            Files.write(tmp, certificate.getEncoded());
            Files.move(tmp, certs.resolve(name + ".der"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException(e);
        }
    }

    public Path home() {
        return home;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the gateway printed so far. */
    public String console() throws IOException {
        return Files.readString(home.resolve("console.log"), StandardCharsets.UTF_8);
    }

    /** {@code kill -9}: no shutdown hook, no final commit, no checkpoint. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        forgetReaper();
    }

    /** A normal stop (SIGTERM), as when the box shuts down. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        forgetReaper();
        return process.exitValue();
    }

    private void forgetReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting and the reaper runs anyway; the process is gone already
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
