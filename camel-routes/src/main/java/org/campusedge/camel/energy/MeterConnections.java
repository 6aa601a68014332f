package org.campusedge.camel.energy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.milo.opcua.stack.core.UaException;

/**
 * One {@link MeterConnection} per OPC UA endpoint, shared by every meter route behind that
 * endpoint and closed when the last one stops.
 */
public final class MeterConnections implements AutoCloseable {

    private final double publishingMs;
    private final Map<String, MeterConnection> byEndpoint = new HashMap<>();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "opcua-meters");
        t.setDaemon(true);
        return t;
    });

    /** @param publishingMs how often the servers send what changed */
    public MeterConnections(double publishingMs) {
        this.publishingMs = publishingMs;
    }

    synchronized MeterConnection acquire(String endpointUrl) throws UaException {
        MeterConnection c = byEndpoint.get(endpointUrl);
        if (c == null) {
            c = new MeterConnection(endpointUrl, publishingMs, worker);
            byEndpoint.put(endpointUrl, c);
            c.open();
        }
        return c;
    }

    synchronized MeterConnection existing(String endpointUrl) {
        return byEndpoint.get(endpointUrl);
    }

    synchronized void release(String endpointUrl) {
        MeterConnection c = byEndpoint.get(endpointUrl);
        if (c != null && c.idle()) {
            byEndpoint.remove(endpointUrl);
            worker.execute(c::close);
        }
    }

    @Override
    public synchronized void close() {
        byEndpoint.values().forEach(MeterConnection::close);
        byEndpoint.clear();
        worker.shutdownNow();
    }
}
