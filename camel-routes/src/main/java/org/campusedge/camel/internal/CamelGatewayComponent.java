package org.campusedge.camel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Map;
import java.util.TreeMap;
import org.campusedge.api.CampusHome;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceCounters;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.Watchdog;
import org.campusedge.camel.card.CardPseudonymiser;
import org.campusedge.camel.card.CardServer;
import org.campusedge.net.BoundedHttpServer;
import org.campusedge.net.SourceGuard;
import java.time.Duration;
import org.campusedge.camel.coap.GatewayCoapServer;
import org.campusedge.camel.http.GatewayHttpServer;
import org.campusedge.camel.family.Families;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link CamelGateway} inside the bundle: Camel is embedded, so its class loader and the
 * thread context class loader are this bundle's while it starts. Registers the per-device counters
 * as a service whose {@code campus.coap.port} property tells the launcher where CoAP listens.
 */
@Component(configurationPid = CamelGatewayComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = CamelGatewayComponent.Config.class)
public final class CamelGatewayComponent {

    public static final String PID = "org.campusedge.camel";
    /** Service property with the bound CoAP UDP port. */
    public static final String COAP_PORT_PROPERTY = "campus.coap.port";
    /** Service property with the bound coaps (DTLS) UDP port, -1 when there is none. */
    public static final String COAPS_PORT_PROPERTY = "campus.coaps.port";
    /** Service property with the bound TCP port of the card readers' server. */
    public static final String CARD_PORT_PROPERTY = "campus.card.port";
    /** Service property with the bound TCP port of the devices' HTTP server. */
    public static final String HTTP_PORT_PROPERTY = "campus.http.port";

    private static final Logger LOG = LoggerFactory.getLogger(CamelGatewayComponent.class);

    /** Configuration of the Camel routes and the connectors they listen on. */
    @ObjectClassDefinition(name = "Campus Edge Camel routes", description = "Device routes and connector endpoints")
    public @interface Config {
        @AttributeDefinition(description = "Address the CoAP server binds (0.0.0.0 for every interface)")
        String coapHost() default "0.0.0.0";

        @AttributeDefinition(description = "UDP port of the CoAP server (5683 is CoAP's; 0 picks a free one)")
        int coapPort() default 5683;

        @AttributeDefinition(description = "UDP port of CoAP over DTLS (coaps, 5684), where lab kits prove who they are with their"
                + " pre-shared key; -1: none (then only kits marked security: none are taken)")
        int coapsPort() default 5684;

        @AttributeDefinition(description = "DTLS connections at once; a new device takes the place of one idle for a minute")
        int coapsConnections() default 4_000;

        @AttributeDefinition(description = "Largest CoAP request body (a block-wise upload in all), in bytes; larger ones get 4.13")
        int coapMaxBodyBytes() default 16 * 1024;

        @AttributeDefinition(description = "Block-wise uploads in progress at once, in all; a first block beyond gets 5.03")
        int coapBlockwiseTransfers() default 64;

        @AttributeDefinition(description = "Block-wise uploads in progress at once per source address")
        int coapBlockwisePerSource() default 4;

        @AttributeDefinition(description = "Seconds a block-wise upload may take before its buffer is dropped")
        int coapBlockwiseSeconds() default 30;

        @AttributeDefinition(description = "CoAP exchanges remembered for de-duplication, in all (the oldest is forgotten)")
        int coapDedupMessages() default 8_000;

        @AttributeDefinition(description = "CoAP exchanges remembered for de-duplication per peer (address and port)")
        int coapDedupPerPeer() default 16;

        @AttributeDefinition(description = "CoAP datagrams a second one source address may send; the rest are dropped unread")
        int coapDatagramsPerSourcePerSecond() default 500;

        @AttributeDefinition(description = "CoAP datagrams waiting for the protocol threads before new ones are dropped")
        int coapMaxQueuedDatagrams() default 4_000;

        @AttributeDefinition(description = "Most SenML records in one pack; larger packs get 4.13")
        int maxPackRecords() default 1000;

        @AttributeDefinition(description = "Folder of route templates to use instead of the bundled ones (empty: bundled)")
        String templatesDir() default "";

        @AttributeDefinition(description = "Address the one-card readers' TCP server binds")
        String cardHost() default "0.0.0.0";

        @AttributeDefinition(description = "TCP port of the one-card readers' server (0 picks a free one)")
        int cardPort() default 9100;

        @AttributeDefinition(description = "File with the school's secret for pseudonymising card numbers; made at first start."
                + " Kept with the settings, apart from the data and never in a backup")
        String cardSecretFile() default "conf/card-secret";

        @AttributeDefinition(description = "Card pseudonyms rotate every this many months (1, 2, 3, 4, 6 or 12; 0: never), so"
                + " a child's swipes of one period cannot be linked to the next")
        int cardPseudonymMonths() default 12;

        @AttributeDefinition(description = "The day (MM-DD) the first period of the year starts: the school year")
        String cardPeriodStart() default "09-01";

        @AttributeDefinition(description = "The gateway's OPC UA certificates and trust list (own/, trusted/certs,"
                + " rejected/certs): made at the first start; put a meter server's certificate in trusted/certs, or trust it"
                + " on the admin page")
        String opcuaPkiDir() default "data/opcua-pki";

        @AttributeDefinition(description = "Address the devices' HTTP server (camera alarms, broadcast status) binds")
        String httpHost() default "0.0.0.0";

        @AttributeDefinition(description = "TCP port of the devices' HTTP server (0 picks a free one)")
        int httpPort() default 8088;

        @AttributeDefinition(description = "Largest request body a device may POST when its family's template gives none, in bytes;"
                + " larger ones get 413")
        int httpMaxBodyBytes() default 65536;

        @AttributeDefinition(description = "Connections to the device HTTP port, in all; one more is closed at once")
        int httpConnections() default 512;

        @AttributeDefinition(description = "Connections to the device HTTP port per source address")
        int httpConnectionsPerSource() default 16;

        @AttributeDefinition(description = "Seconds a device has to send a request's headers; a slower sender is cut off")
        int httpHeaderSeconds() default 5;

        @AttributeDefinition(description = "Seconds a device has to send a request's body; a slower one gets 408")
        int httpBodySeconds() default 10;

        @AttributeDefinition(description = "Requests a second one source address may send to the device HTTP port; beyond, 503")
        int httpRequestsPerSourcePerSecond() default 50;

        @AttributeDefinition(description = "Device HTTP requests in progress at once; beyond, 503 with Retry-After")
        int httpMaxInFlight() default 256;

        @AttributeDefinition(description = "Connections to the card readers' port, in all; one more gets N|-|BUSY and is closed")
        int cardConnections() default 256;

        @AttributeDefinition(description = "Connections to the card readers' port per source address")
        int cardConnectionsPerSource() default 4;

        @AttributeDefinition(description = "Card connections that have not named their reader yet, at once; one more hears N|-|BUSY")
        int cardUnidentified() default 64;

        @AttributeDefinition(description = "Seconds a new card connection has to name its reader (a swipe or a keep-alive)")
        int cardIdentifySeconds() default 30;

        @AttributeDefinition(description = "Seconds a card connection may go without a good frame before it is closed")
        int cardIdleSeconds() default 180;

        @AttributeDefinition(description = "Frames a second one source address may send to the card port; beyond, NAK BUSY")
        int cardFramesPerSourcePerSecond() default 50;

        @AttributeDefinition(description = "Events a second one device may have stored (a token bucket, twice as deep); beyond,"
                + " the device is told busy")
        int maxEventsPerDevicePerSecond() default 2000;

        @AttributeDefinition(description = "Bad messages within 10 s after which a source address is ignored (every connector)")
        int penaltyRejections() default 50;

        @AttributeDefinition(description = "Seconds a source address that sent only bad messages is ignored")
        int penaltySeconds() default 30;

        @AttributeDefinition(description = "Seconds between zone-status queries to each broadcast controller (its heartbeat)")
        int controllerPollSeconds() default 60;
    }

    private final CamelGateway gateway;
    private final ServiceRegistration<DeviceCounters> registration;
    /** What the device families offer (PA broadcasts, meter controls, card subjects, the OPC UA trust list). */
    private final java.util.List<ServiceRegistration<?>> familyServices = new java.util.ArrayList<>();
    /** The connectors' per-source guards, for the report of misbehaving addresses (run/sources.tsv). */
    private final java.util.List<ServiceRegistration<SourceGuard>> sources = new java.util.ArrayList<>();

    @Activate
    public CamelGatewayComponent(BundleContext bundleContext, Config config, @Reference(name = "bus") EventBus bus,
                                 @Reference(name = "registry") DeviceRegistry registry,
                                 @Reference(name = "watchdog") Watchdog watchdog,
                                 @Reference(name = "credentials") DeviceCredentials credentials,
                                 @Reference(name = "configurations") ConfigurationAdmin configurations) throws Exception {
        ClassLoader bundleLoader = CamelGatewayComponent.class.getClassLoader();
        Map<String, String> templates = config.templatesDir().isBlank()
                ? bundledTemplates(bundleContext) : templatesIn(CampusHome.resolve(config.templatesDir()));
        CamelGateway.Settings settings = settings(config);
        if (CardPseudonymiser.adoptLegacy(settings.cardSecretFile(), CampusHome.resolve("data/card-secret"))) {
            LOG.info("The card secret moved from data/card-secret to {}: kept with the settings, never in a backup", settings.cardSecretFile());
        }
        gateway = new CamelGateway(bus, registry, settings, bundleLoader, templates, watchdog, credentials,
                Families.found(bundleLoader), pid -> configuration(configurations, pid));
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(bundleLoader);
        try {
            gateway.start();
        } catch (Exception e) {
            gateway.close();
            throw e;
        } finally {
            current.setContextClassLoader(previous);
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(COAP_PORT_PROPERTY, gateway.coapPort());
        props.put(COAPS_PORT_PROPERTY, gateway.coapsPort());
        props.put(CARD_PORT_PROPERTY, gateway.cardPort());
        props.put(HTTP_PORT_PROPERTY, gateway.httpPort());
        registration = bundleContext.registerService(DeviceCounters.class, gateway.counters(), props);
        gateway.services().forEach((type, service) -> familyServices.add(register(bundleContext, type, service)));
        for (SourceGuard g : java.util.List.of(gateway.coap().sources(), gateway.http().sources(), gateway.cards().sources())) {
            sources.add(bundleContext.registerService(SourceGuard.class, g, null));
        }
        LOG.info("Camel routes running: {} device routes, CoAP on udp/{} and coaps on udp/{}, card readers on tcp/{}, device HTTP on tcp/{}",
                gateway.routes().size(), gateway.coapPort(), gateway.coapsPort(), gateway.cardPort(), gateway.httpPort());
    }

    private static <T> ServiceRegistration<T> register(BundleContext bc, Class<T> type, Object service) {
        return bc.registerService(type, type.cast(service), null);
    }

    /**
     * A device family's own configuration, as the launcher made it from {@code gateway.properties}
     * (read once: a change takes effect when the Camel routes start again); empty when there is none.
     */
    static Map<String, Object> configuration(ConfigurationAdmin configurations, String pid) {
        try {
            Configuration[] found = configurations.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID + "=" + pid + ")");
            Map<String, Object> out = new java.util.HashMap<>();
            if (found != null && found.length > 0 && found[0].getProperties() != null) {
                Dictionary<String, Object> p = found[0].getProperties();
                for (Enumeration<String> keys = p.keys(); keys.hasMoreElements(); ) {
                    String k = keys.nextElement();
                    out.put(k, p.get(k));
                }
            }
            return out;
        } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException("the configuration " + pid + " could not be read: " + e, e);
        }
    }

    /** The connectors' settings and bounds from the configuration. */
    static CamelGateway.Settings settings(Config c) {
        GatewayCoapServer.Limits coap = new GatewayCoapServer.Limits(c.coapMaxBodyBytes(), c.coapBlockwisePerSource(),
                c.coapBlockwiseTransfers(), Duration.ofSeconds(c.coapBlockwiseSeconds()), c.coapDedupMessages(), c.coapDedupPerPeer(),
                Duration.ofSeconds(60),
                c.coapDatagramsPerSourcePerSecond(), 2.0 * c.coapDatagramsPerSourcePerSecond(), c.coapMaxQueuedDatagrams(),
                c.penaltyRejections(), c.penaltySeconds(), 4096);
        BoundedHttpServer.Limits http = new BoundedHttpServer.Limits(c.httpConnections(), c.httpConnectionsPerSource(),
                Duration.ofSeconds(c.httpHeaderSeconds()), Duration.ofSeconds(10), 8192, 8, c.httpMaxInFlight(),
                c.httpRequestsPerSourcePerSecond(), 2.0 * c.httpRequestsPerSourcePerSecond(), c.penaltyRejections(), c.penaltySeconds(),
                false, null, 0);
        CardServer.Limits card = new CardServer.Limits(c.cardConnections(), c.cardConnectionsPerSource(), c.cardUnidentified(),
                Duration.ofSeconds(c.cardIdentifySeconds()), Duration.ofSeconds(c.cardIdleSeconds()), c.cardFramesPerSourcePerSecond(),
                4.0 * c.cardFramesPerSourcePerSecond(), c.penaltyRejections(), c.penaltySeconds());
        GatewayCoapServer.Settings d = GatewayCoapServer.Settings.defaults(c.coapHost(), c.coapPort());
        GatewayCoapServer.Settings coapSettings = new GatewayCoapServer.Settings(d.host(), d.port(), c.coapsPort(), coap, d.protocolThreads(),
                d.receiveBufferBytes(), c.coapsConnections());
        return new CamelGateway.Settings(coapSettings,
                c.maxPackRecords(), c.cardHost(), c.cardPort(), card, CampusHome.resolve(c.cardSecretFile()),
                new GatewayHttpServer.Settings(c.httpHost(), c.httpPort(), c.httpMaxBodyBytes(), Duration.ofSeconds(c.httpBodySeconds()),
                        http), c.controllerPollSeconds(), c.maxEventsPerDevicePerSecond(), CampusHome.resolve(c.opcuaPkiDir()),
                new CardPseudonymiser.Rotation(java.time.MonthDay.parse("--" + c.cardPeriodStart()), c.cardPseudonymMonths()));
    }

    private static Map<String, String> bundledTemplates(BundleContext bc) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Enumeration<URL> entries = bc.getBundle().findEntries("templates", "*.yaml", false);
        while (entries != null && entries.hasMoreElements()) {
            URL url = entries.nextElement();
            String path = url.getPath();
            try (InputStream in = url.openStream()) {
                out.put(path.substring(path.lastIndexOf('/') + 1), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Every {@code *.yaml} in a folder, by file name. */
    public static Map<String, String> templatesIn(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.yaml")) {
            for (Path f : files) {
                out.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        return out;
    }

    @Deactivate
    void deactivate() throws Exception {
        sources.forEach(ServiceRegistration::unregister);
        familyServices.forEach(ServiceRegistration::unregister);
        registration.unregister();
        gateway.close();
    }
}
