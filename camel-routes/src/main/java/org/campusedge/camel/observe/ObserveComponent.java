package org.campusedge.camel.observe;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultComponent;
import org.campusedge.camel.ingest.ReceiveOnlyEndpoint;
import org.campusedge.camel.coap.GatewayCoapServer;
import org.campusedge.camel.ingest.IngressCounters;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;

/**
 * Camel component {@code campus-observe:DEVICE?address=coap://host:port/path&silence=SECONDS}: the
 * gateway observes (RFC 7641) a sensor's resource and every notification becomes an exchange of the
 * device's route. All observations share one client endpoint (one UDP socket).
 */
public final class ObserveComponent extends DefaultComponent {

    private final Configuration config;
    private final ScheduledExecutorService scheduler;
    private final IngressCounters counters;
    private final java.util.function.Predicate<String> plainAllowed;
    private CoapEndpoint client;

    public ObserveComponent(Configuration config, ScheduledExecutorService scheduler, IngressCounters counters) {
        this(config, scheduler, counters, device -> true);
    }

    /**
     * @param plainAllowed whether a device may be observed over plain CoAP: only one the inventory marks
     *                     {@code security: none}; nothing proves who answers at a plain CoAP address
     */
    public ObserveComponent(Configuration config, ScheduledExecutorService scheduler, IngressCounters counters,
                            java.util.function.Predicate<String> plainAllowed) {
        this.plainAllowed = plainAllowed;
        this.config = config;
        this.scheduler = scheduler;
        this.counters = counters;
    }

    /** The client socket exists only while the component runs: a context that never starts leaks none. */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        client = new CoapEndpoint.Builder().setConfiguration(config).setInetSocketAddress(new InetSocketAddress(0)).build();
        client.start();
    }

    /** Client settings: the gateway's CoAP configuration. */
    public static Configuration configuration() {
        return GatewayCoapServer.configuration(GatewayCoapServer.Settings.defaults("0.0.0.0", 0));
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Object address = parameters.remove("address");
        Object silence = parameters.remove("silence");
        if (address == null || !address.toString().startsWith("coap://")) {
            throw new IllegalArgumentException("campus-observe needs address=coap://host:port/path, got " + address);
        }
        if (!plainAllowed.test(remaining)) {
            throw new IllegalArgumentException("lab kit " + remaining + " is observed over plain CoAP, where nothing proves who"
                    + " answers; mark it 'security: none' in the inventory if it is an old kit that cannot do better");
        }
        Duration limit = Duration.ofSeconds(silence == null ? 60 : Long.parseLong(silence.toString()));
        return new ObserveEndpoint(uri, this, remaining, URI.create(address.toString()), limit);
    }

    @Override
    protected void doStop() throws Exception {
        if (client != null) {
            client.destroy();
            client = null;
        }
        super.doStop();
    }

    CoapEndpoint client() {
        return client;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    IngressCounters counters() {
        return counters;
    }

    /** One observed resource. */
    static final class ObserveEndpoint extends ReceiveOnlyEndpoint {
        final String deviceId;
        final URI address;
        final Duration silence;

        ObserveEndpoint(String uri, ObserveComponent component, String deviceId, URI address, Duration silence) {
            super(uri, component);
            this.deviceId = deviceId;
            this.address = address;
            this.silence = silence;
        }

        @Override
        public ObserveComponent getComponent() {
            return (ObserveComponent) super.getComponent();
        }

        @Override
        protected Consumer newConsumer(Processor processor) {
            return new ObserveConsumer(this, processor);
        }
    }
}
