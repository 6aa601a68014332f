package org.campusedge.simulators.camera;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.simulators.AckLatency;
import org.campusedge.net.DigestClient;
import org.campusedge.simulators.net.HttpWire;

/**
 * One simulated camera: posts its alerts to the gateway's alarm-host URL as a real camera does,
 * one request per connection from its own address, and keeps what the answers were.
 */
public final class Camera {

    private final String id;
    private final URI alarmHost;
    private final boolean json;
    private final InetAddress local;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong alertsAccepted = new AtomicLong();
    private volatile String lastRefusal;
    private volatile AckLatency latency;
    private int postCount;
    private volatile DigestClient digest;

    /**
     * @param gateway the gateway's device HTTP server, e.g. {@code http://127.0.0.1:8088}
     * @param json    post the JSON encoding instead of XML (newer firmware does)
     */
    public Camera(String id, URI gateway, boolean json) {
        this(id, gateway, json, null);
    }

    /** @param local the camera's own address to post from (null: any) */
    public Camera(String id, URI gateway, boolean json, InetAddress local) {
        this.id = id;
        this.alarmHost = gateway.resolve("/campus/camera/" + id);
        this.json = json;
        this.local = local;
    }

    public String id() {
        return id;
    }

    /**
     * Configures the camera with its secret, as an installer types it into the camera's alarm-host
     * settings: its posts then answer the gateway's Digest challenge (user name: the camera's id).
     * Null: the camera sends no credentials.
     */
    public Camera withSecret(String secret) {
        this.digest = secret == null ? null : new DigestClient(id, secret);
        return this;
    }

    /** The next post count: a camera numbers its posts so that the alarm host can tell a re-send. */
    public synchronized int nextPostCount() {
        return ++postCount;
    }

    /** Where the time from post to 200 goes, or null. */
    public void measure(AckLatency latency) {
        this.latency = latency;
    }

    /** Posts an alert and returns the HTTP status (or -1 when the gateway could not be reached). */
    public int post(AlertDocuments.Alert alert) {
        String body = json ? AlertDocuments.json(alert) : AlertDocuments.xml(alert);
        int status = postRaw(body.getBytes(StandardCharsets.UTF_8), json ? "application/json" : "application/xml");
        boolean heartbeat = alert.eventType().equals("heartBeat") || (alert.eventType().equals("videoloss") && !alert.active());
        if (status == 200 && !heartbeat) {
            alertsAccepted.incrementAndGet();
        }
        return status;
    }

    /** Posts any body: what the bad-input tests and a misconfigured camera send. */
    public int postRaw(byte[] body, String contentType) {
        try {
            long t0 = System.nanoTime();
            HttpWire.Answer response = HttpWire.post(local, alarmHost, contentType, body, Duration.ofSeconds(10), digest);
            int status = response.status();
            if (status == 200) {
                AckLatency l = latency;
                if (l != null) {
                    l.record(t0);
                }
                accepted.incrementAndGet();
            } else {
                refused.incrementAndGet();
                lastRefusal = status + " " + response.body().trim();
            }
            return status;
        } catch (IOException e) {
            failed.incrementAndGet();
            return -1;
        }
    }

    public long accepted() {
        return accepted.get();
    }

    /** Alerts (not heartbeats) the gateway answered 200: each is a stored event. */
    public long alertsAccepted() {
        return alertsAccepted.get();
    }

    public long refused() {
        return refused.get();
    }

    public long failed() {
        return failed.get();
    }

    /** The status and reason of the last refused post, or null. */
    public String lastRefusal() {
        return lastRefusal;
    }
}
