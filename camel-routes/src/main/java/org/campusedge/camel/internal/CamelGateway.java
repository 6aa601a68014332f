package org.campusedge.camel.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NoErrorHandlerBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.engine.PooledExchangeFactory;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.campusedge.api.Broadcasts;
import org.campusedge.api.CardSubjects;
import org.campusedge.api.DeviceControls;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.ServerCertificates;
import org.campusedge.api.Watchdog;
import org.campusedge.camel.card.CardPseudonymiser;
import org.campusedge.camel.card.CardServer;
import org.campusedge.camel.coap.GatewayCoapServer;
import org.campusedge.camel.command.CommandSender;
import org.campusedge.camel.family.DeviceFamily;
import org.campusedge.camel.family.Families;
import org.campusedge.camel.family.FamilyContext;
import org.campusedge.camel.http.GatewayHttpServer;
import org.campusedge.camel.http.HttpDeviceAuth;
import org.campusedge.camel.http.HttpIngestComponent;
import org.campusedge.camel.ingest.DeviceRates;
import org.campusedge.camel.ingest.IngestProcessor;
import org.campusedge.camel.ingest.IngressCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one CamelContext: it finds the device families ({@link DeviceFamily}, each naming
 * its route templates, components and beans), binds what they bring, and keeps exactly one route
 * per inventory device whose family is installed (and a command route where the family commands
 * its devices), adding and removing routes as the inventory changes. It owns the connectors the
 * families share (CoAP and coaps, the card readers' TCP port, the device HTTP port) and knows no
 * family by name.
 */
public final class CamelGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CamelGateway.class);

    /** What the gateway's connectors listen on and their bounds, how big a pack may be, where the card secret is. */
    public record Settings(GatewayCoapServer.Settings coap, int maxPackRecords, String cardHost, int cardPort,
                           CardServer.Limits cardLimits, Path cardSecretFile, GatewayHttpServer.Settings http,
                           int controllerPollSeconds, double maxEventsPerDevicePerSecond, Path opcuaPkiDir,
                           CardPseudonymiser.Rotation cardRotation) {
        /** Every connector on 127.0.0.1 with a free port and its default limits, as tests and tools want it. */
        public static Settings loopback(Path cardSecretFile) {
            return new Settings(GatewayCoapServer.Settings.defaults("127.0.0.1", 0), 1000, "127.0.0.1", 0, CardServer.Limits.defaults(),
                    cardSecretFile, GatewayHttpServer.Settings.defaults("127.0.0.1", 0), 60, 2000,
                    cardSecretFile.resolveSibling("opcua-pki"), CardPseudonymiser.Rotation.never());
        }

        /** The settings of the families still configured among the Camel routes' ({@code camel.*}), by name. */
        Map<String, Object> familySettings() {
            Map<String, Object> out = new HashMap<>();
            out.put("maxPackRecords", maxPackRecords);
            out.put("cardSecretFile", cardSecretFile);
            out.put("cardRotation", cardRotation);
            out.put("controllerPollSeconds", controllerPollSeconds);
            if (opcuaPkiDir != null) {
                out.put("opcuaPkiDir", opcuaPkiDir);
            }
            return out;
        }
    }

    private final EventBus bus;
    private final DeviceRegistry registry;
    private final Settings settings;
    private final ClassLoader classLoader;
    private final Map<String, String> templates;
    private final Map<String, DeviceFamily> families;
    /** A family's own configuration (its PID's properties), for families that have one. */
    private final java.util.function.Function<String, Map<String, Object>> familyConfiguration;
    private final IngressCounters counters = new IngressCounters();
    private volatile DeviceRoutes deviceRoutes;
    private final Watchdog watchdog;
    private final DeviceCredentials credentials;
    private final List<FamilyContext> contexts = new ArrayList<>();
    private final List<DeviceFamily> bound = new ArrayList<>();
    private AutoCloseable credentialsListener;
    private GatewayCoapServer coap;
    private CardServer cards;
    private GatewayHttpServer http;
    private CommandSender commands;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "device-families-timer");
        t.setDaemon(true);
        return t;
    });
    private CamelContext context;
    private AutoCloseable registryListener;

    /**
     * @param templates file name (e.g. {@code lab.yaml}) to YAML text; the template id inside must be
     *                  the file's base name: a family, or a family and a mode or {@code command}
     */
    public CamelGateway(EventBus bus, DeviceRegistry registry, Settings settings, ClassLoader classLoader,
                        Map<String, String> templates) {
        this(bus, registry, settings, classLoader, templates, Watchdog.loggingOnly());
    }

    public CamelGateway(EventBus bus, DeviceRegistry registry, Settings settings, ClassLoader classLoader,
                        Map<String, String> templates, Watchdog watchdog) {
        this(bus, registry, settings, classLoader, templates, watchdog, null);
    }

    /**
     * @param credentials the devices' credentials: with them, devices must prove who they are unless
     *                    the inventory marks them {@code security: none}; null takes every device
     *                    unproven (tests of the routes' logic)
     */
    public CamelGateway(EventBus bus, DeviceRegistry registry, Settings settings, ClassLoader classLoader,
                        Map<String, String> templates, Watchdog watchdog, DeviceCredentials credentials) {
        this(bus, registry, settings, classLoader, templates, watchdog, credentials, Families.found(classLoader), pid -> Map.of());
    }

    /**
     * @param families            the device families to serve, by name
     * @param familyConfiguration a family's configuration PID to its properties (empty: the family's defaults)
     */
    public CamelGateway(EventBus bus, DeviceRegistry registry, Settings settings, ClassLoader classLoader,
                        Map<String, String> templates, Watchdog watchdog, DeviceCredentials credentials,
                        Map<String, DeviceFamily> families, java.util.function.Function<String, Map<String, Object>> familyConfiguration) {
        this.credentials = credentials;
        this.watchdog = watchdog;
        this.bus = bus;
        this.registry = registry;
        this.settings = settings;
        this.classLoader = classLoader;
        this.templates = new TreeMap<>(templates);
        this.families = java.util.Collections.unmodifiableMap(new TreeMap<>(families));
        this.familyConfiguration = familyConfiguration;
    }

    /**
     * Builds the context and every device's route, and only then opens the ports, so that a device
     * of the inventory is never answered "unknown" because its route did not exist yet.
     */
    public synchronized void start() throws Exception {
        coap = new GatewayCoapServer(settings.coap(), watchdog, credentials);
        cards = new CardServer(settings.cardHost(), settings.cardPort(), counters, settings.cardLimits(), watchdog, registry, credentials);
        http = new GatewayHttpServer(settings.http(), credentials == null ? null : new HttpDeviceAuth(registry, credentials));
        DefaultCamelContext ctx = new DefaultCamelContext(false);
        context = ctx;
        try {
            ctx.getCamelContextExtension().setName("campus-edge");
            ctx.setApplicationContextClassLoader(classLoader);
            // failures are answered by the connector (4.xx/5.xx) and counted per device; Camel's default
            // error handler would log a stack trace for every bad pack
            ctx.getCamelContextExtension().setErrorHandlerFactory(new NoErrorHandlerBuilder());
            // every reading passes here: no per-exchange bookkeeping nobody reads, and exchanges reused
            // from a pool instead of allocated, which the -Xmx256m gateway feels at 10,000 packs/s
            ctx.setStreamCaching(false);
            ctx.setMessageHistory(false);
            ctx.setAllowUseOriginalMessage(false);
            ctx.setLoadHealthChecks(false);
            ctx.getCamelContextExtension().setExchangeFactory(new PooledExchangeFactory());
            ctx.build();
            ctx.getRegistry().bind("ingest", new IngestProcessor(bus, new DeviceRates(settings.maxEventsPerDevicePerSecond(),
                    2 * settings.maxEventsPerDevicePerSecond())));
            // the device HTTP port is shared: cameras and PA controllers post to it, each family's routes on their paths
            ctx.addComponent("campus-http", new HttpIngestComponent(http, counters));
            FamilyContext.Connectors connectors = new FamilyContext.Connectors(coap, cards, http);
            java.util.Set<String> loaded = new java.util.TreeSet<>();
            for (DeviceFamily f : families.values()) {
                // a family that cannot start (a template missing from a custom folder, a setting it cannot read) is left
                // out, loudly, and the others run: the lab and the gates do not stop for a recorder's typo
                List<String> problems = Families.problems(f, templates.keySet());
                if (!problems.isEmpty()) {
                    LOG.error("Device family {} left out, its devices get no route: {}", f.name(), String.join("; ", problems));
                    continue;
                }
                Map<String, Object> config = f.configurationPid() == null ? settings.familySettings()
                        : familyConfiguration.apply(f.configurationPid());
                FamilyContext fc = new FamilyContext(ctx, registry, counters, credentials, watchdog, connectors, timer, config);
                bound.add(f); // before bind: a half-bound family is closed too
                contexts.add(fc);
                try {
                    f.bind(fc);
                    for (String t : f.templates()) {
                        PluginHelper.getRoutesLoader(ctx).loadRoutes(ResourceHelper.fromString(t, templates.get(t)));
                        loaded.add(t);
                    }
                } catch (Exception e) {
                    LOG.error("Device family {} left out, its devices get no route: {}", f.name(), e.toString());
                    bound.remove(f);
                    contexts.remove(fc);
                    for (String t : f.templates()) {
                        loaded.remove(t);
                        try {
                            ctx.removeRouteTemplates(t.substring(0, t.lastIndexOf('.')));
                        } catch (Exception removing) {
                            LOG.warn("Removing the route template {}: {}", t, removing.toString());
                        }
                    }
                    try {
                        f.close();
                    } catch (Exception closing) {
                        LOG.warn("Closing the {} family: {}", f.name(), closing.toString());
                    }
                    continue;
                }
                LOG.info("Device family {} ({}): templates {}", f.name(), f.capabilities(), f.templates());
            }
            Families.profileProblems(registry, families).forEach(p -> LOG.warn("{}", p));
            if (credentials != null) {
                credentialsListener = credentials.addListener(ids -> bound.forEach(f -> f.credentialsChanged(ids)));
            }
            ctx.start();
            commands = new CommandSender(ctx);
            for (int i = 0; i < bound.size(); i++) {
                contexts.get(i).commands(commands);
                bound.get(i).started(contexts.get(i));
            }
            deviceRoutes = new DeviceRoutes(ctx, registry, loaded, classLoader);
            // listen first, then reconcile: a change in between is not missed, at worst seen twice
            registryListener = registry.addListener(r -> {
                DeviceRoutes routes = deviceRoutes;
                if (routes != null) { // null once closed
                    routes.reconcile();
                }
            });
            deviceRoutes.reconcile();
            coap.start();
            cards.start();
            http.start();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The families served, by name. */
    public Map<String, DeviceFamily> families() {
        return families;
    }

    /** Ids of the device routes running now. */
    public Set<String> routes() {
        DeviceRoutes r = deviceRoutes;
        return r == null ? Set.of() : r.routes();
    }

    /** Route id to the reason it failed to start, for routes that did not. */
    public Map<String, String> routeErrors() {
        DeviceRoutes r = deviceRoutes;
        return r == null ? Map.of() : r.routeErrors();
    }

    public IngressCounters counters() {
        return counters;
    }

    /** What the families offer the rest of the gateway, by type (once started). */
    public Map<Class<?>, Object> services() {
        Map<Class<?>, Object> out = new HashMap<>();
        for (DeviceFamily f : bound) {
            f.services().forEach((type, service) -> {
                if (out.putIfAbsent(type, service) != null) {
                    throw new IllegalStateException("two device families offer " + type.getName());
                }
            });
        }
        return out;
    }

    private <T> T service(Class<T> type) {
        return type.cast(services().get(type));
    }

    /** The OPC UA trust list and the gateway's certificate; null when the meters are read unsecured. */
    public ServerCertificates serverCertificates() {
        return service(ServerCertificates.class);
    }

    /** Which pseudonyms a card had: for the data-protection officer's export and erasure (once started). */
    public CardSubjects cardSubjects() {
        return service(CardSubjects.class);
    }

    /** Writes to devices' control points (meters' breakers), through their command routes. */
    public DeviceControls controls() {
        return service(DeviceControls.class);
    }

    /** Commands to the broadcast controllers, through their command routes. */
    public Broadcasts broadcasts() {
        return service(Broadcasts.class);
    }

    public int cardPort() {
        return cards.port();
    }

    public int httpPort() {
        return http.port();
    }

    public int coapPort() {
        return coap.port();
    }

    /** The coaps (DTLS) port, -1 when there is none. */
    public int coapsPort() {
        return coap.securePort();
    }

    /** The connectors' own bounds and counters, for the report of sources and limits. */
    public GatewayCoapServer coap() {
        return coap;
    }

    public GatewayHttpServer http() {
        return http;
    }

    public CardServer cards() {
        return cards;
    }

    /** Closes the device ports first, so devices retry against the next gateway run instead of hearing "unknown". */
    @Override
    public synchronized void close() throws Exception {
        if (coap != null) {
            coap.close();
            coap = null;
        }
        if (cards != null) {
            cards.close();
            cards = null;
        }
        if (http != null) {
            http.close();
            http = null;
        }
        if (registryListener != null) {
            registryListener.close();
            registryListener = null;
        }
        if (credentialsListener != null) {
            credentialsListener.close();
            credentialsListener = null;
        }
        if (commands != null) {
            commands.close();
            commands = null;
        }
        if (context != null) {
            context.stop();
            context = null;
        }
        deviceRoutes = null;
        for (DeviceFamily f : bound) { // after the routes: a family's routes may hand back what it holds on stop
            try {
                f.close();
            } catch (Exception e) {
                LOG.warn("Closing the {} family: {}", f.name(), e.toString());
            }
        }
        bound.clear();
        contexts.clear();
        timer.shutdownNow();
    }
}
