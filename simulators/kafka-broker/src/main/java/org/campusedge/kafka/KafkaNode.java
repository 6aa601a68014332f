package org.campusedge.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A running KRaft node (controller and broker in one) on a folder: {@link #start} formats the folder on its first
 * use and returns once a client can reach the broker.
 */
public final class KafkaNode implements AutoCloseable {

    private final KafkaRaftServer server;
    private final String bootstrap;
    private volatile boolean closed;

    private KafkaNode(final KafkaRaftServer server, final String bootstrap) {
        this.server = server;
        this.bootstrap = bootstrap;
    }

    /**
     * Starts a node on {@code dir}.
     *
     * @param port the client port on the first start (0: a free one); later starts keep the first one's
     * @param partitions the partitions of a topic created on first use
     */
    public static KafkaNode start(final Path dir, final String host, final int port, final int partitions)
            throws IOException {
        final Properties props = nodeProperties(dir.toAbsolutePath(), host, port, partitions);
        final KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        server.startup();
        final KafkaNode node = new KafkaNode(server, props.getProperty("advertised.listeners").substring("PLAINTEXT://".length()));
        try {
            awaitServing(node.bootstrap, Duration.ofSeconds(60));
        } catch (final RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** The address clients bootstrap from, {@code host:port}. */
    public String bootstrap() {
        return bootstrap;
    }

    /** Blocks until the node has stopped. */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    /** Stops the node (its data stays in the folder). */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            server.shutdown();
            server.awaitShutdown();
        }
    }

    /**
     * The node's settings: read from {@code dir/node.properties} when the folder was formatted before, else chosen
     * (free ports where 0 was asked), written there, and the folder formatted with a new cluster id.
     */
    static Properties nodeProperties(final Path dir, final String host, final int port, final int partitions)
            throws IOException {
        final Path file = dir.resolve("node.properties");
        final Properties p = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            }
            return p;
        }
        Files.createDirectories(dir);
        final int brokerPort = port == 0 ? freePort(host) : port;
        int controllerPort = freePort(host);
        while (controllerPort == brokerPort) {
            controllerPort = freePort(host);
        }
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dir.resolve("logs").toString());
        // one node: every internal topic has one replica
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "8");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // Hono's topics are created on first use, with enough partitions for several consumers of a tenant
        p.setProperty("auto.create.topics.enable", "true");
        p.setProperty("num.partitions", Integer.toString(partitions));
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("log.retention.hours", "168");
        // formatted first, the settings kept after (whole, by a rename): a start cut short leaves no node.properties,
        // so the next start formats again instead of failing on a half-made folder
        final Path config = dir.resolve("format.properties");
        try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            p.store(w, "Campus Edge trial Kafka node; delete the folder to start afresh");
        }
        final int rc;
        try {
            rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(),
                "--ignore-formatted"}, new PrintStream(OutputStream.nullOutputStream()));
        } catch (final RuntimeException e) {
            throw new IOException("formatting " + dir + " failed: " + e, e);
        }
        if (rc != 0) {
            throw new IOException("formatting " + dir + " failed (exit " + rc + ")");
        }
        Files.move(config, file, StandardCopyOption.ATOMIC_MOVE);
        return p;
    }

    private static void awaitServing(final String bootstrap, final Duration patience) {
        final Properties c = new Properties();
        c.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        final long deadline = System.nanoTime() + patience.toNanos();
        try (Admin admin = Admin.create(c)) {
            while (true) {
                Exception last = null;
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (final Exception e) {
                    last = e;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker does not serve on " + bootstrap + " within " + patience
                            + (last == null ? "" : ": " + last), last);
                }
                Thread.sleep(100);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort(final String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

}
