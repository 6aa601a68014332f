package org.campusedge.camel.energy;

import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultConsumer;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Profile;
import org.campusedge.camel.ingest.ReceiveOnlyEndpoint;
import org.campusedge.camel.ingest.IngressCounters;

/**
 * Camel component {@code campus-opcua:DEVICE_ID}: the route of one energy meter, fed with the data
 * changes of the meter's points from the OPC UA subscription at its server ({@link MeterPlan} says
 * where). Each data change is one exchange; its outcome is counted against the meter (a bad status
 * or a wrong type from the server is a rejection with its reason). OPC UA has no acknowledgement to
 * give: a reading the store pushes back on is counted as deferred and the next sample follows.
 */
public final class OpcUaComponent extends DefaultComponent {

    private final MeterConnections connections;
    private final DeviceRegistry registry;
    private final IngressCounters counters;

    public OpcUaComponent(MeterConnections connections, DeviceRegistry registry, IngressCounters counters) {
        this.connections = connections;
        this.registry = registry;
        this.counters = counters;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        if (!remaining.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw new IllegalArgumentException("campus-opcua needs a meter id, got '" + remaining + "'");
        }
        return new MeterEndpoint(uri, this, remaining);
    }

    /** The plan of an inventory meter; throws with the reason when the inventory or profile cannot say where its points are. */
    MeterPlan plan(String deviceId) {
        Device d = registry.device(deviceId).orElseThrow(() ->
                new IllegalArgumentException("meter " + deviceId + " is not in the inventory"));
        Profile p = registry.profile(d.profileId()).orElseThrow(() ->
                new IllegalArgumentException("profile " + d.profileId() + " of meter " + deviceId + " is not loaded"));
        if (!d.credentialId().equals(d.id()) && registry.device(d.credentialId()).isPresent()) {
            // a device's key would go to the OPC UA server as a password
            throw new IllegalArgumentException("meter " + deviceId + ": credential " + d.credentialId()
                    + " is a device of the inventory; name the energy server's own credential");
        }
        return MeterPlan.of(d, p, connections.secure());
    }

    private static final class MeterEndpoint extends ReceiveOnlyEndpoint {
        final String deviceId;

        MeterEndpoint(String uri, OpcUaComponent component, String deviceId) {
            super(uri, component);
            this.deviceId = deviceId;
        }

        @Override
        protected Consumer newConsumer(Processor processor) {
            return new MeterConsumer(this, processor);
        }
    }

    private static final class MeterConsumer extends DefaultConsumer {
        private MeterTarget target;

        MeterConsumer(MeterEndpoint endpoint, Processor processor) {
            super(endpoint, processor);
        }

        private OpcUaComponent component() {
            return (OpcUaComponent) getEndpoint().getComponent();
        }

        private String deviceId() {
            return ((MeterEndpoint) getEndpoint()).deviceId;
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            MeterPlan plan = component().plan(deviceId());
            target = plan.target();
            component().connections.watch(target, deviceId(), plan.watched(), this::onReading);
        }

        private void onReading(MeterReading reading) {
            Exchange exchange = createExchange(false);
            exchange.getIn().setBody(reading);
            try {
                getAsyncProcessor().process(exchange, doneSync -> {
                    try {
                        component().counters.record(deviceId(), exchange.getException());
                    } finally {
                        releaseExchange(exchange, false);
                    }
                });
            } catch (RuntimeException e) {
                component().counters.failed(deviceId(), e);
            }
        }

        @Override
        protected void doStop() throws Exception {
            if (target != null) {
                component().connections.unwatch(target, deviceId());
            }
            super.doStop();
        }
    }
}
