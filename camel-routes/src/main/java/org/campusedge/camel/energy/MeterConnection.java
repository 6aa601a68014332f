package org.campusedge.camel.energy;

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
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.campusedge.camel.ingest.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's session with one OPC UA server (a meter, or the building's energy-management
 * server with many meters) and its one subscription, shared by the routes of every meter behind it.
 *
 * <p>A secured {@link MeterTarget} asks the server for its endpoints, takes the one with the target's
 * security policy and SignAndEncrypt, and checks the server's certificate against the gateway's trust
 * list ({@link OpcUaPki}); it logs in with the user and the password from the secrets file. A server
 * that is not trusted, or refuses the user, is counted against every meter behind it and tried again
 * with back-off (5 s doubling to 60 s; at once when an admin trusts a certificate or the password
 * changes). Once a session was active, Milo's client keeps it alive by itself: it reconnects with
 * back-off and transfers the subscription when the same server comes back. When the server restarted
 * and no longer knows the subscription, the subscription is created again with the monitored items it had.
 */
final class MeterConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeterConnection.class);
    static final String APPLICATION_URI = "urn:campusedge:gateway";
    /** Seconds without a session after which the server is asked for its endpoints again. */
    static final int STALE_SECONDS = 20;

    /** Where the passwords come from and whom a refusal is counted against. */
    interface Peer {
        /** The credential's secret (the OPC UA password), or null when it has none. */
        String password(String credentialId);

        /** The server refused the gateway, or the gateway the server: counted against the meter. */
        void refused(String deviceId, String reason);
    }

    /** A meter point to watch: its profile name, its node id (ns= or nsu= form) and sampling interval. */
    record PointNode(String point, String nodeId, double samplingMs) {
    }

    private record Watch(String deviceId, List<PointNode> points, Consumer<MeterReading> sink,
                         List<OpcUaMonitoredItem> items) {
    }

    private final MeterTarget target;
    private final String endpointUrl;
    private final double publishingMs;
    private final OpcUaPki pki;
    private final Peer peer;
    private final ScheduledExecutorService worker;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private volatile OpcUaClient client;
    private volatile OpcUaSubscription subscription;
    private volatile boolean active;
    private volatile boolean closed;
    private volatile String lastProblem;
    private long backoffMs = 5_000;
    private long attempts;
    private java.util.concurrent.ScheduledFuture<?> resubscribeRetry;
    private java.util.concurrent.ScheduledFuture<?> retry;

    /** @param pki the gateway's certificates and trust list; null only for unsecured targets */
    MeterConnection(MeterTarget target, double publishingMs, OpcUaPki pki, Peer peer, ScheduledExecutorService worker) {
        if (target.secured() && pki == null) {
            throw new IllegalArgumentException("a secured OPC UA target needs the gateway's certificates");
        }
        this.target = target;
        this.endpointUrl = target.endpointUrl();
        this.publishingMs = publishingMs;
        this.pki = pki;
        this.peer = peer;
        this.worker = worker;
    }

    MeterTarget target() {
        return target;
    }

    /** Starts connecting; returns at once. Keeps trying while the server is not there, not trusted or refuses us. */
    void open() {
        worker.execute(this::connect);
    }

    /** Drops the session (if any) and connects again now: a certificate was trusted or the password changed. */
    void reconnect() {
        worker.execute(() -> {
            synchronized (this) {
                backoffMs = 5_000;
                if (retry != null) {
                    retry.cancel(false);
                    retry = null;
                }
                dropClient();
            }
            connect();
        });
    }

    private synchronized void connect() {
        if (closed || client != null) {
            return;
        }
        retry = null;
        long attempt = ++attempts;
        OpcUaClient c;
        try {
            c = OpcUaClient.create(config(attempt));
        } catch (IllegalStateException e) {
            failed(endpointUrl + ": " + e.getMessage(), true); // no secure endpoint, or no password: ours to refuse
            return;
        } catch (Exception e) {
            failed("cannot connect to " + endpointUrl + " (" + Text.rootMessage(e) + ")", false);
            return;
        }
        OpcUaSubscription s = new OpcUaSubscription(c, publishingMs);
        s.setSubscriptionListener(new OpcUaSubscription.SubscriptionListener() {
            @Override
            public void onTransferFailed(OpcUaSubscription sub, StatusCode status) {
                LOG.info("OPC UA server {} lost the subscription ({}); subscribing again", endpointUrl, status);
                worker.execute(MeterConnection.this::resubscribe);
            }

            @Override
            public void onWatchdogTimerElapsed(OpcUaSubscription sub) {
                problem("no publish response from " + endpointUrl + " within the subscription's watchdog time");
            }
        });
        c.addSessionActivityListener(new SessionActivityListener() {
            @Override
            public void onSessionActive(UaSession session) {
                active = true;
                LOG.info("OPC UA session with {} active ({}{})", endpointUrl, target.policy().name(),
                        target.user() == null ? ", anonymous" : ", user " + target.user());
                worker.execute(MeterConnection.this::resubscribe);
            }

            @Override
            public void onSessionInactive(UaSession session) {
                active = false;
                if (closed || client != c) {
                    return; // we hung up
                }
                problem("session with " + endpointUrl + " lost; reconnecting");
                // Milo reconnects to the certificate it knew; a server that is back with another one (replaced,
                // or not the meter server at all) cannot answer it. After a while, ask the server afresh, so that
                // its certificate is checked against the trust list and, if refused, shown to the admin.
                worker.schedule(() -> {
                    synchronized (MeterConnection.this) {
                        if (!active && !closed && client == c) {
                            LOG.info("OPC UA: no session with {} for {} s; asking the server for its endpoints again",
                                    endpointUrl, STALE_SECONDS);
                            dropClient();
                            connect();
                        }
                    }
                }, STALE_SECONDS, TimeUnit.SECONDS);
            }
        });
        client = c;
        subscription = s;
        c.connectAsync().whenComplete((ok, failure) -> {
            if (failure != null) {
                worker.execute(() -> {
                    synchronized (this) {
                        if (client == c) {
                            dropClient();
                            failed(why(failure), MeterTarget.refusal(failure));
                        }
                    }
                });
            } else {
                synchronized (this) {
                    backoffMs = 5_000;
                }
            }
        });
    }

    private OpcUaClientConfig config(long attempt) throws Exception {
        var b = OpcUaClientConfig.builder()
                .setApplicationName(LocalizedText.english("Campus Edge gateway"))
                .setApplicationUri(pki == null ? APPLICATION_URI : pki.applicationUri())
                .setRequestTimeout(uint(5000))
                .setKeepAliveInterval(uint(2000));
        if (!target.secured()) {
            return b.setEndpoint(target.unsecuredEndpoint()).setIdentityProvider(new AnonymousProvider()).build();
        }
        EndpointDescription endpoint = target.secureEndpoint();
        String password = target.user() == null ? null : peer.password(target.credentialId());
        if (target.user() != null && password == null) {
            throw new IllegalStateException("no credential '" + target.credentialId() + "' for OPC UA user " + target.user()
                    + " (bin/campus-edge credentials add " + target.credentialId() + ")");
        }
        return b.setEndpoint(endpoint)
                .setKeyPair(pki.keyPair()).setCertificate(pki.certificate())
                .setCertificateChain(new java.security.cert.X509Certificate[] {pki.certificate()})
                .setCertificateValidator(pki.validatorFor(endpointUrl, (cert, why) -> certificateRefused(attempt, cert, why)))
                .setIdentityProvider(target.user() == null ? new AnonymousProvider() : new UsernameProvider(target.user(), password))
                .build();
    }

    /**
     * The trust list refused the server's certificate. Milo would try again at once and again; the
     * attempt is ended here instead, counted, and tried again with back-off (at once when an admin trusts it).
     */
    private void certificateRefused(long attempt, java.security.cert.X509Certificate cert, String why) {
        String what = cert == null ? "(none)" : OpcUaPki.printable(cert.getSubjectX500Principal().getName())
                + ", SHA-1 " + OpcUaPki.thumbprint(cert);
        worker.execute(() -> {
            synchronized (this) {
                if (attempts == attempt && client != null) {
                    dropClient();
                    failed("refused the server certificate of " + endpointUrl + " (" + what + "): " + why
                            + "; trust it on the admin page if it is the meter server's", true);
                }
            }
        });
    }

    private String why(Throwable failure) {
        return "cannot connect to " + endpointUrl + " (" + Text.rootMessage(failure) + ")";
    }

    /** A connection attempt failed: noted, counted against the meters when it was a refusal, and tried again later. */
    private void failed(String why, boolean refused) {
        problem(why + "; trying again in " + backoffMs / 1000 + " s");
        if (refused) {
            watches.keySet().forEach(d -> peer.refused(d, why));
        }
        if (!closed) {
            retry = worker.schedule(this::connect, backoffMs, TimeUnit.MILLISECONDS);
            backoffMs = Math.min(60_000, backoffMs * 2);
        }
    }

    private void dropClient() {
        OpcUaClient c = client;
        client = null;
        subscription = null;
        active = false;
        watches.values().forEach(w -> w.items().clear());
        if (c != null) {
            c.disconnectAsync().whenComplete((x, t) -> { });
        }
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
                    OpcUaSubscription subscription = this.subscription;
                    if (subscription == null) {
                        return;
                    }
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
        OpcUaClient client = this.client;
        OpcUaSubscription subscription = this.subscription;
        if (!active || closed || client == null) {
            return;
        }
        try {
            if (subscription.getSubscriptionId().isEmpty()) {
                subscription.create();
            }
            for (Watch w : watches.values()) {
                if (w.items().isEmpty()) {
                    // all of a meter's items, or none: a point that cannot be resolved must not leave it half subscribed
                    List<OpcUaMonitoredItem> items = new ArrayList<>();
                    for (PointNode p : w.points()) {
                        NodeId node = ExpandedNodeId.parse(p.nodeId()).toNodeIdOrThrow(client.getNamespaceTable());
                        OpcUaMonitoredItem item = OpcUaMonitoredItem.newDataItem(node);
                        item.setSamplingInterval(p.samplingMs());
                        item.setDataValueListener((it, value) -> w.sink().accept(MeterReading.of(w.deviceId(), p.point(), value)));
                        items.add(item);
                    }
                    subscription.addMonitoredItems(items);
                    w.items().addAll(items);
                }
            }
            subscription.synchronizeMonitoredItems();
            lastProblem = null;
        } catch (UaException | RuntimeException e) {
            problem("subscribing at " + endpointUrl + " failed (" + Text.rootMessage(e) + "); trying again in 5 s");
            if (resubscribeRetry == null || resubscribeRetry.isDone()) { // one retry pending at most, whoever asked
                resubscribeRetry = worker.schedule(this::resubscribe, 5, TimeUnit.SECONDS);
            }
        }
    }


    /** Writes a value to a node; completes with the server's status (or exceptionally when it cannot be sent). */
    CompletableFuture<StatusCode> write(String nodeId, Object value) {
        OpcUaClient client = this.client;
        if (client == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no OPC UA session with " + endpointUrl));
        }
        NodeId node;
        try {
            node = ExpandedNodeId.parse(nodeId).toNodeIdOrThrow(client.getNamespaceTable());
        } catch (UaException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return client.writeValuesAsync(List.of(node), List.of(DataValue.valueOnly(new Variant(value))))
                .thenApply(codes -> codes.get(0));
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (retry != null) {
            retry.cancel(false);
        }
        OpcUaClient client = this.client;
        this.client = null;
        if (client == null) {
            return;
        }
        try {
            client.disconnectAsync().get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("Disconnecting from {}: {}", endpointUrl, e.toString());
        }
    }
}
