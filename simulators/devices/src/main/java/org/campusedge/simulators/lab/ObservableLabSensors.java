package org.campusedge.simulators.lab;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * Lab sensor kits that serve their readings instead of posting them: a CoAP server with one
 * observable resource {@code /lab/<id>} per kit (RFC 7641), whose SenML pack changes every
 * {@code periodMillis} and is pushed to observers as a confirmable notification. Stopping and
 * starting it again on the same port plays a kit that reboots and forgets its observers.
 */
public final class ObservableLabSensors implements AutoCloseable {

    private final List<LabSensor> sensors;
    private final int records;
    private final long periodMillis;
    private CoapServer server;
    private ScheduledExecutorService ticker;

    public ObservableLabSensors(List<LabSensor> sensors, int records, long periodMillis) {
        this.sensors = List.copyOf(sensors);
        this.records = records;
        this.periodMillis = periodMillis;
    }

    /** Starts serving on 127.0.0.1:{@code port} (0 picks one); returns the port. */
    public synchronized int start(int port) {
        CoapServer s = new CoapServer(LabSensorSimulator.clientConfiguration());
        s.addEndpoint(new CoapEndpoint.Builder().setConfiguration(LabSensorSimulator.clientConfiguration())
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", port)).build());
        CoapResource lab = new CoapResource("lab");
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "observable-lab");
            t.setDaemon(true);
            return t;
        });
        for (LabSensor sensor : sensors) {
            SensorResource r = new SensorResource(sensor);
            lab.add(r);
            ticker.scheduleAtFixedRate(r::changed, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }
        s.add(lab);
        s.start();
        server = s;
        return s.getEndpoints().get(0).getAddress().getPort();
    }

    /** Stops serving: the observers' relations are gone, as after a power cut. */
    public synchronized void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (server != null) {
            server.destroy();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private final class SensorResource extends CoapResource {
        private final LabSensor sensor;

        SensorResource(LabSensor sensor) {
            super(sensor.deviceId());
            this.sensor = sensor;
            setObservable(true);
            setObserveType(CoAP.Type.CON);
            getAttributes().setObservable();
            getAttributes().addContentType(MediaTypeRegistry.APPLICATION_SENML_JSON);
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            exchange.setMaxAge(Math.max(1, periodMillis / 1000 * 2));
            exchange.respond(CoAP.ResponseCode.CONTENT,
                    sensor.pack(records, System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8),
                    MediaTypeRegistry.APPLICATION_SENML_JSON);
        }
    }
}
