package org.campusedge.simulators.energy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The node-opcua meter server (simulators/node-opcua/meter-server.js) as a child process on a free
 * port: an OPC UA implementation nobody here wrote. Its output lines are kept ("BREAKER ..." for
 * each write it took).
 */
public final class NodeOpcuaMeter implements AutoCloseable {


    private final Process process;
    private final int port;
    private final String namespaceUri;
    private final List<String> lines;

    private NodeOpcuaMeter(Process process, int port, String namespaceUri, List<String> lines) {
        this.process = process;
        this.port = port;
        this.namespaceUri = namespaceUri;
        this.lines = lines;
    }

    /** simulators/node-opcua, found from the repository root or a module beside it. */
    public static Path defaultDir() {
        for (String candidate : new String[] {"simulators/node-opcua", "../simulators/node-opcua", "../../simulators/node-opcua"}) {
            Path p = Path.of(candidate).toAbsolutePath().normalize();
            if (Files.exists(p.resolve("meter-server.js"))) {
                return p;
            }
        }
        throw new IllegalStateException("simulators/node-opcua not found from " + Path.of("").toAbsolutePath());
    }

    /** Starts the server from {@link #defaultDir()} and waits (up to 60 s) for its READY line. */
    public static NodeOpcuaMeter start(int port) throws IOException, InterruptedException {
        return start(defaultDir(), port);
    }

    /** Starts the server in {@code dir} (meter-server.js with node_modules) and waits for its READY line. */
    public static NodeOpcuaMeter start(Path dir, int port) throws IOException, InterruptedException {
        return start(dir, port, null, null);
    }

    /**
     * Starts a server that requires security (SignAndEncrypt) and this user, nothing anonymous; the
     * password goes to it in its environment, not on its command line.
     */
    public static NodeOpcuaMeter startSecured(int port, String user, String password) throws IOException, InterruptedException {
        return start(defaultDir(), port, user, password);
    }

    private static NodeOpcuaMeter start(Path dir, int port, String user, String password) throws IOException, InterruptedException {
        if (!Files.isDirectory(dir.resolve("node_modules/node-opcua"))) {
            throw new IllegalStateException("node-opcua is not installed in " + dir + "; run .ci/install-test-tools");
        }
        ProcessBuilder pb = new ProcessBuilder("node", "meter-server.js", Integer.toString(port), "Meter1").directory(dir.toFile())
                .redirectErrorStream(true);
        if (user != null) {
            pb.environment().put("METER_USER", user);
            pb.environment().put("METER_PASSWORD", password);
        }
        Process p = pb.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        String[] ready = new String[1];
        CountDownLatch up = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("READY ")) {
                        ready[0] = line;
                        up.countDown();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "node-opcua-out");
        reader.setDaemon(true);
        reader.start();
        if (!up.await(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("node-opcua server did not start: " + lines);
        }
        return new NodeOpcuaMeter(p, port, ready[0].split(" ")[2], lines);
    }

    public String endpointUrl() {
        return "opc.tcp://127.0.0.1:" + port + "/meter";
    }

    /** The inventory 'nodes' pattern for the meter, by namespace URI. */
    public String nodesPattern() {
        return "nsu=" + namespaceUri + ";s=Meter1.{node}";
    }

    /** The server's application instance certificate (node-opcua made it in its PKI folder). */
    public java.security.cert.X509Certificate certificate() throws IOException {
        String file = lines.stream().filter(l -> l.startsWith("CERT ")).map(l -> l.substring(5)).findFirst()
                .orElseThrow(() -> new IllegalStateException("the server did not say where its certificate is: " + lines));
        try (var in = Files.newInputStream(Path.of(file))) {
            return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** SIGTERM, as a service manager stops it; waits for the process to end. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
