package org.campusedge.simulators.energy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfigBuilder;
import org.eclipse.milo.opcua.sdk.server.identity.AnonymousIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.UsernameIdentityValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultApplicationGroup;
import org.eclipse.milo.opcua.stack.core.security.DefaultCertificateManager;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateStore;
import org.eclipse.milo.opcua.stack.core.security.MemoryTrustListManager;
import org.eclipse.milo.opcua.stack.core.security.RsaSha256CertificateFactory;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;

/**
 * A building energy-management server (Eclipse Milo) with the school's meters: each meter follows
 * its building's {@link LoadCurve} with some noise, integrates its energy, and has a breaker a
 * client may open (power and current drop to zero) and close. It can be stopped and started again
 * on the same port (a server that dies mid-subscription) and told to send a bad status or a value
 * of the wrong type for a point (a faulty meter).
 */
public final class EnergyMeterServer implements AutoCloseable {

    /** A meter, the building kind its load follows and its peak load in kW. */
    public record Meter(String id, String buildingKind, double peakKw) {
    }

    /** A client's breaker write the server took. */
    public record BreakerWrite(String meter, boolean closed) {
    }

    public static final String PATH = "/campus-energy";
    public static final String APPLICATION_URI = "urn:campusedge:sim:energy-server";
    /** The credential (and user name) the simulated school's meters share at this server. */
    public static final String CREDENTIAL = "energy-server";

    private final List<Meter> meters;
    private final Supplier<LocalTime> clock;
    private final Map<String, Double> energyKwh = new ConcurrentHashMap<>();
    private final Map<String, String> faults = new ConcurrentHashMap<>(); // meter.point -> "bad" or "wrong-type"
    private final List<BreakerWrite> breakerWrites = new CopyOnWriteArrayList<>();
    private final java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meter-sim");
        t.setDaemon(true);
        return t;
    });
    private final long tickMillis;
    private int port;
    private OpcUaServer server;
    private MeterNamespace namespace;
    private boolean secured;
    private volatile Map<String, String> users = Map.of();
    private final List<String> refusedLogins = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger logins = new java.util.concurrent.atomic.AtomicInteger();
    private MemoryCertificateStore certificates = new MemoryCertificateStore(); // kept across restarts
    private volatile java.security.cert.X509Certificate certificate;

    /**
     * @param clock      the school's (simulated) time of day, for the load curve
     * @param tickMillis how often the values change
     */
    public EnergyMeterServer(List<Meter> meters, Supplier<LocalTime> clock, long tickMillis) {
        this.meters = List.copyOf(meters);
        this.clock = clock;
        this.tickMillis = tickMillis;
        ticker.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    /** A free TCP port on 127.0.0.1 (Milo's endpoint cannot be told to pick one). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * From the next {@link #start} on, the server requires security, as a school's energy server should:
     * Basic256Sha256, Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss endpoints with SignAndEncrypt,
     * a user name and password (see {@link #users}), and a None endpoint for discovery only. Its
     * certificate is made once and kept across restarts, as a real server keeps it on disk. As a
     * simulator it accepts any client certificate (a real server's admin would put the gateway's in
     * its trust list); the gateway's side, which is under test, trusts only what it was told to.
     */
    public EnergyMeterServer secured() {
        this.secured = true;
        return this;
    }

    /**
     * From the next {@link #start} on, this server has the other's key and certificate: a server whose key
     * was taken from another (a meter's, pulled out in a switch room) answering at this one's address.
     */
    public EnergyMeterServer withIdentityOf(EnergyMeterServer other) {
        this.certificates = other.certificates;
        return this;
    }

    /** The user names and passwords the server takes (secured only); an installer sets them, and may change them. */
    public void users(Map<String, String> users) {
        this.users = Map.copyOf(users);
    }

    /** How many logins (user name and password) the server was sent, refused or not. */
    public int logins() {
        return logins.get();
    }

    /** The user names of logins the server refused, in order. */
    public List<String> refusedLogins() {
        return List.copyOf(refusedLogins);
    }

    /** The server's application instance certificate (secured, once started), for the gateway's trust list. */
    public java.security.cert.X509Certificate certificate() {
        return certificate;
    }

    /** Starts (or starts again) listening on 127.0.0.1 at the port; the address space is made anew, as after a real restart. */
    public synchronized void start(int port) throws Exception {
        this.port = port;
        OpcUaServerConfigBuilder builder = OpcUaServerConfig.builder()
                .setApplicationUri(APPLICATION_URI)
                .setProductUri(APPLICATION_URI)
                .setApplicationName(LocalizedText.english("Campus Edge simulated energy server"));
        EndpointConfig.Builder base = EndpointConfig.newBuilder()
                .setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
                .setBindAddress("127.0.0.1").setHostname("127.0.0.1").setBindPort(port).setPath(PATH);
        if (!secured) {
            builder.setEndpoints(Set.of(base.setSecurityPolicy(SecurityPolicy.None).setSecurityMode(MessageSecurityMode.None)
                    .addTokenPolicies(OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS).build()))
                    .setIdentityValidator(AnonymousIdentityValidator.INSTANCE);
        } else {
            DefaultApplicationGroup group = DefaultApplicationGroup.createAndInitialize(new MemoryTrustListManager(), certificates,
                    new RsaSha256CertificateFactory() {
                        @Override
                        protected java.security.cert.X509Certificate[] createRsaSha256CertificateChain(java.security.KeyPair keys)
                                throws Exception {
                            return new java.security.cert.X509Certificate[] {new SelfSignedCertificateBuilder(keys)
                                    .setCommonName("Campus Edge simulated energy server").setApplicationUri(APPLICATION_URI)
                                    .addIpAddress("127.0.0.1").addDnsName("localhost").build()};
                        }
                    }, (chain, uri, hostnames) -> { });
            certificate = group.getCertificateEntries().get(0).certificateChain[0];
            java.security.cert.X509Certificate cert = certificate;
            Set<EndpointConfig> endpoints = new java.util.HashSet<>();
            for (SecurityPolicy policy : List.of(SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep,
                    SecurityPolicy.Aes256_Sha256_RsaPss)) {
                endpoints.add(base.copy().setSecurityPolicy(policy).setSecurityMode(MessageSecurityMode.SignAndEncrypt)
                        .setCertificate(cert).addTokenPolicies(OpcUaServerConfig.USER_TOKEN_POLICY_USERNAME).build());
            }
            // OPC UA Part 6: a server whose endpoints all need security offers an unsecured one for discovery only
            endpoints.add(base.copy().setPath(PATH + "/discovery").setSecurityPolicy(SecurityPolicy.None)
                    .setSecurityMode(MessageSecurityMode.None).setCertificate(cert).build());
            builder.setEndpoints(endpoints)
                    .setCertificateManager(new DefaultCertificateManager(new MemoryCertificateQuarantine(), group))
                    .setIdentityValidator(new UsernameIdentityValidator(challenge -> {
                        logins.incrementAndGet();
                        String expected = users.get(challenge.getUsername());
                        boolean ok = expected != null && java.security.MessageDigest.isEqual(
                                expected.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                String.valueOf(challenge.getPassword()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        if (!ok) {
                            refusedLogins.add(challenge.getUsername());
                        }
                        return ok;
                    }));
        }
        OpcUaServerConfig config = builder.build();
        server = new OpcUaServer(config, profile -> new OpcTcpServerTransport(OpcTcpServerTransportConfig.newBuilder().build()));
        namespace = new MeterNamespace(server, meters.stream().map(Meter::id).toList(),
                (meter, closed) -> breakerWrites.add(new BreakerWrite(meter, closed)));
        namespace.startup();
        server.startup().get(10, TimeUnit.SECONDS);
        tick();
    }

    public String endpointUrl() {
        return "opc.tcp://127.0.0.1:" + port + PATH;
    }

    /** The NodeId pattern an inventory entry uses for a meter of this server. */
    public static String nodesPattern(String meterId) {
        return "nsu=" + MeterNamespace.URI + ";s=" + meterId + ".{node}";
    }

    /** Stops listening and drops every session and subscription: the server went away. */
    public synchronized void stop() throws Exception {
        if (server != null) {
            namespace.shutdown();
            server.shutdown().get(10, TimeUnit.SECONDS);
            server = null;
            namespace = null;
        }
    }

    /** From now on the point reports {@code Bad_SensorFailure} ("bad") or a string ("wrong-type"); null heals it. */
    public void fault(String meter, String point, String kind) {
        if (kind == null) {
            faults.remove(meter + "." + point);
        } else {
            faults.put(meter + "." + point, kind);
        }
    }

    public List<BreakerWrite> breakerWrites() {
        return List.copyOf(breakerWrites);
    }

    private synchronized void tick() {
        MeterNamespace ns = namespace;
        if (ns == null) {
            return;
        }
        LocalTime now = clock.get();
        DateTime stamp = DateTime.now();
        for (Meter m : meters) {
            boolean closed = ns.breakerClosed(m.id());
            double kw = closed ? m.peakKw() * LoadCurve.fraction(m.buildingKind(), now) * (0.95 + 0.1 * random.nextDouble()) : 0;
            double volts = 228 + 4 * random.nextDouble();
            double amps = kw * 1000 / (Math.sqrt(3) * 400 * 0.92); // three-phase 400 V, power factor 0.92
            double kwh = energyKwh.merge(m.id(), kw * tickMillis / 3_600_000.0, Double::sum);
            set(ns, m.id(), "ActivePower", round(kw), stamp);
            set(ns, m.id(), "Energy", round(kwh), stamp);
            set(ns, m.id(), "Voltage", round(volts), stamp);
            set(ns, m.id(), "Current", round(amps), stamp);
        }
    }

    private void set(MeterNamespace ns, String meter, String point, double value, DateTime stamp) {
        String fault = faults.get(meter + "." + point);
        DataValue dv;
        if ("bad".equals(fault)) {
            dv = new DataValue(new Variant(value), new StatusCode(StatusCodes.Bad_SensorFailure), stamp, stamp);
        } else if ("wrong-type".equals(fault)) {
            dv = new DataValue(new Variant("n/a"), StatusCode.GOOD, stamp, stamp);
        } else {
            dv = new DataValue(new Variant(value), StatusCode.GOOD, stamp, stamp);
        }
        ns.set(meter, point, dv);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** The school's meters: one per building kind and more for the big ones, {@code count} in all. */
    public static List<Meter> schoolMeters(int count) {
        String[] kinds = {"teaching", "science", "canteen", "dormitory", "admin", "teaching", "dormitory", "gym"};
        double[] peaks = {180, 120, 150, 200, 60, 180, 200, 90};
        List<Meter> out = new ArrayList<>();
        Map<String, Integer> perKind = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            int k = i % kinds.length;
            int n = perKind.merge(kinds[k], 1, Integer::sum);
            out.add(new Meter(String.format("meter-%s-%d", kinds[k], n), kinds[k], peaks[k]));
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        ticker.shutdownNow();
        stop();
    }
}
