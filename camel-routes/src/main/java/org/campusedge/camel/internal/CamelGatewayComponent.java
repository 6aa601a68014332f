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
import org.campusedge.api.Broadcasts;
import org.campusedge.api.CampusHome;
import org.campusedge.api.DeviceControls;
import org.campusedge.api.DeviceCounters;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.camel.coap.GatewayCoapServer;
import org.campusedge.camel.http.GatewayHttpServer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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

        @AttributeDefinition(description = "Messages remembered per CoAP peer for de-duplication")
        int coapDedupPerPeer() default 16;

        @AttributeDefinition(description = "Most SenML records in one pack; larger packs get 4.13")
        int maxPackRecords() default 1000;

        @AttributeDefinition(description = "Folder of route templates to use instead of the bundled ones (empty: bundled)")
        String templatesDir() default "";

        @AttributeDefinition(description = "Address the one-card readers' TCP server binds")
        String cardHost() default "0.0.0.0";

        @AttributeDefinition(description = "TCP port of the one-card readers' server (0 picks a free one)")
        int cardPort() default 9100;

        @AttributeDefinition(description = "File with the school's secret for pseudonymising card numbers; made at first start")
        String cardSecretFile() default "data/card-secret";

        @AttributeDefinition(description = "Address the devices' HTTP server (camera alarms, broadcast status) binds")
        String httpHost() default "0.0.0.0";

        @AttributeDefinition(description = "TCP port of the devices' HTTP server (0 picks a free one)")
        int httpPort() default 8088;

        @AttributeDefinition(description = "Largest request body a device may POST, in bytes; larger ones get 413")
        int httpMaxBodyBytes() default 65536;

        @AttributeDefinition(description = "Seconds between zone-status queries to each broadcast controller (its heartbeat)")
        int controllerPollSeconds() default 60;
    }

    private final CamelGateway gateway;
    private final ServiceRegistration<DeviceCounters> registration;
    private final ServiceRegistration<Broadcasts> broadcasts;
    private final ServiceRegistration<DeviceControls> controls;

    @Activate
    public CamelGatewayComponent(BundleContext bundleContext, Config config, @Reference(name = "bus") EventBus bus,
                                 @Reference(name = "registry") DeviceRegistry registry) throws Exception {
        ClassLoader bundleLoader = CamelGatewayComponent.class.getClassLoader();
        GatewayCoapServer.Settings coap = GatewayCoapServer.Settings.defaults(config.coapHost(), config.coapPort())
                .withDedupPerPeer(config.coapDedupPerPeer());
        Map<String, String> templates = config.templatesDir().isBlank()
                ? bundledTemplates(bundleContext) : templatesIn(CampusHome.resolve(config.templatesDir()));
        gateway = new CamelGateway(bus, registry, new CamelGateway.Settings(coap, config.maxPackRecords(),
                config.cardHost(), config.cardPort(), CampusHome.resolve(config.cardSecretFile()),
                new GatewayHttpServer.Settings(config.httpHost(), config.httpPort(), config.httpMaxBodyBytes(), 4), config.controllerPollSeconds()),
                bundleLoader, templates);
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
        props.put(CARD_PORT_PROPERTY, gateway.cardPort());
        props.put(HTTP_PORT_PROPERTY, gateway.httpPort());
        registration = bundleContext.registerService(DeviceCounters.class, gateway.counters(), props);
        broadcasts = bundleContext.registerService(Broadcasts.class, gateway.broadcasts(), null);
        controls = bundleContext.registerService(DeviceControls.class, gateway.controls(), null);
        LOG.info("Camel routes running: {} device routes, CoAP on udp/{}, card readers on tcp/{}, device HTTP on tcp/{}",
                gateway.routes().size(), gateway.coapPort(), gateway.cardPort(), gateway.httpPort());
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
        controls.unregister();
        broadcasts.unregister();
        registration.unregister();
        gateway.close();
    }
}
