package org.campusedge.camel.energy;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClientConfig;
import org.eclipse.milo.opcua.sdk.client.SessionActivityListener;
import org.eclipse.milo.opcua.sdk.client.UaSession;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.ApplicationType;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.ApplicationDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's session with one OPC UA server (a meter, or the building's energy-management
 * server with many meters) and its one subscription, shared by the routes of every meter behind it.
 *
 * <p>Milo's client keeps the session alive by itself: it reconnects with back-off (1 s up to 16 s)
 * and transfers the subscription when the same server comes back. When the server restarted and no
 * longer knows the subscription, Milo reports the failed transfer and leaves it to us: the
 * subscription is created again with the monitored items it had. The client is configured with the
 * endpoint directly instead of asking the server for it, so a gateway that starts before the meter
 * server keeps trying rather than failing once.
 */
final class MeterConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeterConnection.class);
    private static final String UA_TCP_BINARY = "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary";

    /** A meter point to watch: its profile name, its node id (ns= or nsu= form) and sampling interval. */
    record PointNode(String point, String nodeId, double samplingMs) {
    }

    private record Watch(String deviceId, List<PointNode> points, Consumer<MeterReading> sink,
                         List<OpcUaMonitoredItem> items) {
    }

    private final String endpointUrl;
    private final OpcUaClient client;
    private final OpcUaSubscription subscription;
    private final ScheduledExecutorService worker;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private volatile boolean active;
    private volatile boolean closed;
    private volatile String lastProblem;

    MeterConnection(String endpointUrl, double publishingMs, ScheduledExecutorService worker) throws UaException {
        this.endpointUrl = endpointUrl;
        this.worker = worker;
        EndpointDescription endpoint = new EndpointDescription(endpointUrl,
                new ApplicationDescription("urn:campusedge:meter-server", null, LocalizedText.english("meter server"),
                        ApplicationType.Server, null, null, new String[] {endpointUrl}),
                ByteString.NULL_VALUE, MessageSecurityMode.None, SecurityPolicy.None.getUri(),
                new UserTokenPolicy[] {new UserTokenPolicy("anonymous", UserTokenType.Anonymous, null, null, null)},
                UA_TCP_BINARY, ubyte(0));
        client = OpcUaClient.create(OpcUaClientConfig.builder()
                .setEndpoint(endpoint)
                .setApplicationName(LocalizedText.english("Campus Edge gateway"))
                .setApplicationUri("urn:campusedge:gateway")
                .setIdentityProvider(new AnonymousProvider())
                .setRequestTimeout(uint(5000))
                .setKeepAliveInterval(uint(2000))
                .build());
        subscription = new OpcUaSubscription(client, publishingMs);
        subscription.setSubscriptionListener(new OpcUaSubscription.SubscriptionListener() {
            @Override
            public void onTransferFailed(OpcUaSubscription s, StatusCode status) {
                LOG.info("OPC UA server {} lost the subscription ({}); subscribing again", endpointUrl, status);
                worker.execute(MeterConnection.this::resubscribe);
            }

            @Override
            public void onWatchdogTimerElapsed(OpcUaSubscription s) {
                problem("no publish response from " + endpointUrl + " within the subscription's watchdog time");
            }
        });
        client.addSessionActivityListener(new SessionActivityListener() {
            @Override
            public void onSessionActive(UaSession session) {
                active = true;
                LOG.info("OPC UA session with {} active", endpointUrl);
                worker.execute(MeterConnection.this::resubscribe);
            }

            @Override
            public void onSessionInactive(UaSession session) {
                active = false;
                if (closed) {
                    return; // we hung up
                }
                problem("session with " + endpointUrl + " lost; reconnecting");
            }
        });
    }

    /** Starts connecting; returns at once. Milo keeps trying when the server is not there yet. */
    void open() {
        client.connectAsync().whenComplete((c, failure) -> {
            if (failure != null) {
                problem("cannot connect to " + endpointUrl + " (" + rootMessage(failure) + "); retrying");
            }
        });
    }

    boolean isActive() {
        return active;
    }

    String lastProblem() {
        return lastProblem;
    }

    private void problem(String what) {
        if (!what.equals(lastProblem)) {
            LOG.warn("OPC UA: {}", what); // once per cause, not per retry
        }
        lastProblem = what;
    }

    /** Watches a meter's points; readings go to the sink on Milo's delivery thread, which must not block. */
    void watch(String deviceId, List<PointNode> points, Consumer<MeterReading> sink) {
        watches.put(deviceId, new Watch(deviceId, List.copyOf(points), sink, new ArrayList<>()));
        worker.execute(this::resubscribe);
    }

    void unwatch(String deviceId) {
        Watch w = watches.remove(deviceId);
        if (w != null) {
            worker.execute(() -> {
                synchronized (this) {
                    w.items().forEach(subscription::removeMonitoredItem);
                    if (active) {
                        try {
                            subscription.synchronizeMonitoredItems();
                        } catch (UaException e) {
                            LOG.debug("Removing items of {} from {}: {}", deviceId, endpointUrl, e.toString());
                        }
                    }
                }
            });
        }
    }

    boolean idle() {
        return watches.isEmpty();
    }

    /**
     * Makes the server's side match the watches: creates the subscription if the session has none,
     * adds items for watches that have none yet, and synchronises. Runs on the worker, after a session
     * became active, a transfer failed, or a watch was added; a failure is retried in a few seconds.
     */
    private synchronized void resubscribe() {
        if (!active || closed) {
            return;
        }
        try {
            if (subscription.getSubscriptionId().isEmpty()) {
                subscription.create();
            }
            for (Watch w : watches.values()) {
                if (w.items().isEmpty()) {
                    for (PointNode p : w.points()) {
                        NodeId node = ExpandedNodeId.parse(p.nodeId()).toNodeIdOrThrow(client.getNamespaceTable());
                        OpcUaMonitoredItem item = OpcUaMonitoredItem.newDataItem(node);
                        item.setSamplingInterval(p.samplingMs());
                        item.setDataValueListener((it, value) -> w.sink().accept(reading(w.deviceId(), p.point(), value)));
                        w.items().add(item);
                    }
                    subscription.addMonitoredItems(w.items());
                }
            }
            subscription.synchronizeMonitoredItems();
            lastProblem = null;
        } catch (UaException | RuntimeException e) {
            problem("subscribing at " + endpointUrl + " failed (" + rootMessage(e) + "); trying again in 5 s");
            worker.schedule(this::resubscribe, 5, TimeUnit.SECONDS);
        }
    }

    static MeterReading reading(String deviceId, String point, DataValue value) {
        StatusCode status = value.getStatusCode();
        Instant source = value.getSourceTime() == null ? null : value.getSourceTime().getJavaInstant();
        String bad = status != null && status.isBad() ? status.toString() : null;
        Object v = value.getValue() == null ? null : value.getValue().getValue();
        return new MeterReading(deviceId, point, v, source, bad);
    }

    /** Writes a value to a node; completes with the server's status (or exceptionally when it cannot be sent). */
    CompletableFuture<StatusCode> write(String nodeId, Object value) {
        NodeId node;
        try {
            node = ExpandedNodeId.parse(nodeId).toNodeIdOrThrow(client.getNamespaceTable());
        } catch (UaException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return client.writeValuesAsync(List.of(node), List.of(DataValue.valueOnly(new Variant(value))))
                .thenApply(codes -> codes.get(0));
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        try {
            client.disconnectAsync().get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("Disconnecting from {}: {}", endpointUrl, e.toString());
        }
    }
}
