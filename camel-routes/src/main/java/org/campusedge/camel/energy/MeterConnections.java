package org.campusedge.camel.energy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One {@link MeterConnection} per OPC UA target (endpoint, security, user), shared by every meter
 * route behind that server and closed when the last one stops. When an admin trusts a server
 * certificate, every connection not in session tries again at once; when a credential changes, the
 * connections that log in with it log in again.
 */
public final class MeterConnections implements AutoCloseable {

    /** The gateway's OPC UA application URI; a secured gateway adds its school id. */
    public static final String APPLICATION_URI = MeterConnection.APPLICATION_URI;

    private final double publishingMs;
    private final OpcUaPki pki;
    private final MeterConnection.Peer peer;
    private final Map<MeterTarget, MeterConnection> byTarget = new HashMap<>();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "opcua-meters");
        t.setDaemon(true);
        return t;
    });

    /** Unsecured connections only (tests of the routes' logic). */
    public MeterConnections(double publishingMs) {
        this(publishingMs, null, new MeterConnection.Peer() {
            @Override
            public String password(String credentialId) {
                return null;
            }

            @Override
            public void refused(String deviceId, String reason) {
            }
        });
    }

    /**
     * @param publishingMs how often the servers send what changed
     * @param pki          the gateway's certificates and trust list
     * @param passwords    a credential id to its secret (the OPC UA password), or null
     * @param refused      a meter and why its server refused the gateway or was refused
     */
    public MeterConnections(double publishingMs, OpcUaPki pki, java.util.function.Function<String, String> passwords,
                            java.util.function.BiConsumer<String, String> refused) {
        this(publishingMs, pki, new MeterConnection.Peer() {
            @Override
            public String password(String credentialId) {
                return passwords.apply(credentialId);
            }

            @Override
            public void refused(String deviceId, String reason) {
                refused.accept(deviceId, reason);
            }
        });
    }

    private MeterConnections(double publishingMs, OpcUaPki pki, MeterConnection.Peer peer) {
        this.publishingMs = publishingMs;
        this.pki = pki;
        this.peer = peer;
        if (pki != null) {
            pki.onTrusted(this::retryRefused);
            pki.onDistrusted(this::reconnectAll); // a live session with that server ends now, not at its next reconnect
            // a certificate an admin copied into trusted/certs (Milo reloads the folder) is tried at once too
            worker.scheduleWithFixedDelay(() -> {
                if (pki.trustListChanged()) {
                    retryRefused();
                }
            }, 2, 2, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Whether secured targets can be served (the gateway has its certificates). */
    boolean secure() {
        return pki != null;
    }

    synchronized MeterConnection acquire(MeterTarget target) {
        MeterConnection c = byTarget.get(target);
        if (c == null) {
            c = new MeterConnection(target, publishingMs, pki, peer, worker);
            byTarget.put(target, c);
            c.open();
        }
        return c;
    }

    /** Watches a meter at its target's connection, made if there is none; one step, so that a release cannot close it in between. */
    synchronized void watch(MeterTarget target, String deviceId, List<MeterConnection.PointNode> points,
                            java.util.function.Consumer<MeterReading> sink) {
        acquire(target).watch(deviceId, points, sink);
    }

    /** Stops watching a meter; its connection is closed when no meter is left on it. */
    synchronized void unwatch(MeterTarget target, String deviceId) {
        MeterConnection c = byTarget.get(target);
        if (c != null) {
            c.unwatch(deviceId);
            release(target);
        }
    }

    synchronized MeterConnection existing(MeterTarget target) {
        return byTarget.get(target);
    }

    synchronized void release(MeterTarget target) {
        MeterConnection c = byTarget.get(target);
        if (c != null && c.idle()) {
            byTarget.remove(target);
            worker.execute(c::close);
        }
    }

    /** The credentials of these ids were added, rotated or revoked: the sessions that use them log in again. */
    public synchronized void credentialsChanged(Set<String> ids) {
        byTarget.values().stream().filter(c -> c.target().credentialId() != null && ids.contains(c.target().credentialId()))
                .forEach(MeterConnection::reconnect);
    }

    private synchronized void reconnectAll() {
        List.copyOf(byTarget.values()).forEach(MeterConnection::reconnect);
    }

    private synchronized void retryRefused() {
        List.copyOf(byTarget.values()).stream().filter(c -> !c.isActive()).forEach(MeterConnection::reconnect);
    }

    @Override
    public synchronized void close() {
        byTarget.values().forEach(MeterConnection::close);
        byTarget.clear();
        worker.shutdownNow();
    }
}
