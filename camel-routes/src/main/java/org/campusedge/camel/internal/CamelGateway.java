package org.campusedge.camel.internal;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NoErrorHandlerBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.engine.PooledExchangeFactory;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.campusedge.api.BroadcastRequest;
import org.campusedge.api.Broadcasts;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceControls;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.Watchdog;
import org.campusedge.camel.broadcast.BroadcastCommand;
import org.campusedge.camel.broadcast.BroadcastStatusNormaliser;
import org.campusedge.camel.broadcast.GatewayBroadcasts;
import org.campusedge.camel.camera.CameraNormaliser;
import org.campusedge.camel.command.CommandSender;
import org.campusedge.camel.camera.IsapiAlertParser;
import org.campusedge.camel.card.CardComponent;
import org.campusedge.camel.card.CardNormaliser;
import org.campusedge.camel.card.CardPseudonymiser;
import org.campusedge.camel.card.CardServer;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.camel.coap.CoapDeviceAuth;
import org.campusedge.camel.coap.CoapIngestComponent;
import org.campusedge.camel.coap.GatewayCoapServer;
import org.campusedge.camel.energy.EnergyControl;
import org.campusedge.camel.energy.EnergyNormaliser;
import org.campusedge.camel.energy.GatewayControls;
import org.campusedge.camel.energy.MeterConnections;
import org.campusedge.camel.energy.OpcUaComponent;
import org.campusedge.camel.energy.OpcUaPki;
import org.campusedge.camel.http.GatewayHttpServer;
import org.campusedge.camel.http.HttpDeviceAuth;
import org.campusedge.camel.http.HttpIngestComponent;
import org.campusedge.camel.ingest.DeviceRates;
import org.campusedge.camel.ingest.IngestProcessor;
import org.campusedge.camel.ingest.IngressCounters;
import org.campusedge.camel.lab.LabNormaliser;
import org.campusedge.camel.lab.SenmlParser;
import org.campusedge.camel.observe.ObserveComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one CamelContext: it loads the YAML route templates (one per device family, named
 * after the family), binds the connectors' beans, and keeps exactly one route per inventory device
 * whose family has a template, adding and removing routes as the inventory changes.
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
    }

    private final EventBus bus;
    private final DeviceRegistry registry;
    private final Settings settings;
    /** The school's card pseudonyms, once started. */
    private volatile CardPseudonymiser pseudonymiser;
    private final ClassLoader classLoader;
    private final Map<String, String> templates;
    private final IngressCounters counters = new IngressCounters();
    private volatile DeviceRoutes deviceRoutes;
    private final Watchdog watchdog;
    private final DeviceCredentials credentials;
    private AutoCloseable credentialsListener;
    private GatewayCoapServer coap;
    private CardServer cards;
    private GatewayHttpServer http;
    private CommandSender commands;
    private GatewayBroadcasts broadcasts;
    private GatewayControls controls;
    private MeterConnections meters;
    private OpcUaPki pki;
    private volatile ObserveComponent observe;
    private final ScheduledExecutorService observeTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "coap-observe");
        t.setDaemon(true);
        return t;
    });
    private CamelContext context;
    private AutoCloseable registryListener;

    /**
     * @param templates file name (e.g. {@code lab.yaml}) to YAML text; the template id inside must be
     *                  the file's base name, which is the device family it serves
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
     * @param credentials the devices' credentials: with them, lab kits must prove who they are over
     *                    coaps (DTLS-PSK) unless the inventory marks them {@code security: none}; null
     *                    takes every device over plain CoAP (tests of the routes' logic)
     */
    public CamelGateway(EventBus bus, DeviceRegistry registry, Settings settings, ClassLoader classLoader,
                        Map<String, String> templates, Watchdog watchdog, DeviceCredentials credentials) {
        this.credentials = credentials;
        this.watchdog = watchdog;
        this.bus = bus;
        this.registry = registry;
        this.settings = settings;
        this.classLoader = classLoader;
        this.templates = new TreeMap<>(templates);
    }

    /**
     * Builds the context and every device's route, and only then opens the CoAP port, so that a
     * device of the inventory is never answered 4.04 because its route did not exist yet.
     */
    public synchronized void start() throws Exception {
        coap = new GatewayCoapServer(settings.coap(), watchdog, credentials);
        cards = new CardServer(settings.cardHost(), settings.cardPort(), counters, settings.cardLimits(), watchdog, registry, credentials);
        if (credentials != null) {
            CardServer server = cards;
            credentialsListener = credentials.addListener(ids -> {
                server.dropReaders(ids);
                MeterConnections m = meters;
                if (m != null) {
                    m.credentialsChanged(ids);
                }
                ObserveComponent o = observe;
                if (o != null) {
                    o.credentialsChanged(ids);
                }
            });
        }
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
            CoapDeviceAuth auth = new CoapDeviceAuth(registry, credentials, settings.coap().securePort());
            ctx.addComponent("campus-coap", new CoapIngestComponent(coap.server(), counters, auth));
            ctx.getRegistry().bind("labNormaliser", new LabNormaliser(registry, new SenmlParser(settings.maxPackRecords()), counters));
            ctx.addComponent("campus-card", new CardComponent(cards));
            observe = new ObserveComponent(ObserveComponent.configuration(), observeTimer, counters, auth::plainAllowed, credentials);
            ctx.addComponent("campus-observe", observe);
            pseudonymiser = CardPseudonymiser.fromFile(settings.cardSecretFile(), settings.cardRotation(), registry::timezone);
            ctx.getRegistry().bind("cardNormaliser", new CardNormaliser(registry, pseudonymiser));
            ctx.addComponent("campus-http", new HttpIngestComponent(http, counters));
            ctx.getRegistry().bind("cameraNormaliser", new CameraNormaliser(registry, new IsapiAlertParser(), registry.timezone()));
            ctx.getRegistry().bind("broadcastStatus", new BroadcastStatusNormaliser(registry));
            ctx.getRegistry().bind("broadcastCommand", new BroadcastCommand(registry, counters,
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build(), Duration.ofSeconds(5), credentials));
            meters = meterConnections();
            ctx.addComponent("campus-opcua", new OpcUaComponent(meters, registry, counters));
            ctx.getRegistry().bind("energyNormaliser", new EnergyNormaliser(registry));
            ctx.getRegistry().bind("energyControl", new EnergyControl(registry, meters));
            ctx.getRegistry().bind("ingest", new IngestProcessor(bus, new DeviceRates(settings.maxEventsPerDevicePerSecond(),
                    2 * settings.maxEventsPerDevicePerSecond())));
            for (Map.Entry<String, String> t : templates.entrySet()) {
                PluginHelper.getRoutesLoader(ctx).loadRoutes(ResourceHelper.fromString(t.getKey(), t.getValue()));
                LOG.info("Loaded route template {}", t.getKey());
            }
            ctx.start();
            commands = new CommandSender(ctx);
            broadcasts = new GatewayBroadcasts(commands);
            controls = new GatewayControls(commands);
            // a controller speaks only when something plays: ask each for its zones now and then, so that
            // a dead one goes offline (and is on record as a broadcast.fault) before anyone needs it
            observeTimer.scheduleWithFixedDelay(this::pollControllers, 5, settings.controllerPollSeconds(), TimeUnit.SECONDS);
            deviceRoutes = new DeviceRoutes(ctx, registry, templates.keySet(), classLoader);
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

    /**
     * The meters' connections: secured (the gateway's OPC UA certificates, made at the first start in
     * {@code opcuaPkiDir}, and the meter servers' passwords from the credentials) when the gateway has
     * the devices' credentials; else unsecured, for tests of the routes' logic.
     */
    private MeterConnections meterConnections() throws java.io.IOException {
        if (credentials == null || settings.opcuaPkiDir() == null) {
            return new MeterConnections(500);
        }
        pki = OpcUaPki.open(settings.opcuaPkiDir(), MeterConnections.APPLICATION_URI + ":" + registry.schoolId(),
                "Campus Edge gateway " + registry.schoolId());
        return new MeterConnections(500, pki, id -> credentials.secret(id).map(DeviceCredentials.Secret::value).orElse(null),
                counters::unproven);
    }

    /** The OPC UA trust list and the gateway's certificate; null when the meters are read unsecured. */
    public OpcUaPki serverCertificates() {
        return pki;
    }

    public int cardPort() {
        return cards.port();
    }

    private void pollControllers() {
        try {
            Set<String> routes = routes();
            for (Device d : registry.devices()) {
                if (d.family().equals("broadcast") && routes.contains("broadcast-command-" + d.id())) {
                    broadcasts.send(BroadcastRequest.status(d.id()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Polling the broadcast controllers failed: {}", e.toString());
        }
    }

    /** Writes to devices' control points (meters' breakers), through their command routes. */
    /** Which pseudonyms a card had: for the data-protection officer's export and erasure (once started). */
    public org.campusedge.api.CardSubjects cardSubjects() {
        return (cardNumber, from, to) -> {
            if (cardNumber == null || !cardNumber.matches("\\d{4,20}")) {
                throw new IllegalArgumentException("a card number is 4 to 20 digits");
            }
            CardPseudonymiser p = pseudonymiser;
            if (p == null) {
                throw new IllegalStateException("the card readers' side has not started");
            }
            return p.pseudonymsBetween(cardNumber, from, to);
        };
    }

    public DeviceControls controls() {
        return controls;
    }

    /** Commands to the broadcast controllers, through their command routes. */
    public Broadcasts broadcasts() {
        return broadcasts;
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
        if (meters != null) {
            meters.close(); // after the routes: they hand their meters back on stop
            meters = null;
        }
        if (pki != null) {
            try {
                pki.close();
            } catch (java.io.IOException e) {
                LOG.debug("Closing the OPC UA trust list: {}", e.toString());
            }
            pki = null;
        }
        observeTimer.shutdownNow();
    }
}
