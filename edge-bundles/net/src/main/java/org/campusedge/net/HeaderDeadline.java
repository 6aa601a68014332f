package org.campusedge.net;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The header deadline Jetty lacks (its idle timeout is reset by every byte of a trickle): swept once
 * a second, a connection is closed when it has been sending a request's headers for longer than the
 * deadline — a fresh connection with no complete request, or one whose bytes keep arriving with no
 * new request begun. A connection whose request is being handled is left to the handler, which
 * bounds the body itself.
 */
final class HeaderDeadline {

    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    private final String name;
    private final ServerConnector connector;
    private final Duration deadline;
    /** Per connection: [messages seen, bytes seen, nanos since which bytes arrive without a new request; 0 = none]. */
    private final Map<EndPoint, long[]> progress = new ConcurrentHashMap<>();
    private final Set<EndPoint> handling = ConcurrentHashMap.newKeySet();
    private final LongAdder cut = new LongAdder();

    HeaderDeadline(String name, ServerConnector connector, Duration deadline) {
        this.name = name;
        this.connector = connector;
        this.deadline = deadline;
    }

    /** The connection's request is in the handler's hands (its body may arrive slowly, within its own deadline). */
    void handling(EndPoint ep) {
        handling.add(ep);
    }

    void handled(EndPoint ep) {
        handling.remove(ep);
    }

    /** Connections closed for taking too long over their headers. */
    long cut() {
        return cut.sum();
    }

    /** One round of the sweep. */
    void sweep() {
        try {
            long now = System.nanoTime();
            Set<EndPoint> alive = Collections.newSetFromMap(new IdentityHashMap<>());
            for (EndPoint ep : connector.getConnectedEndPoints()) {
                alive.add(ep);
                Connection c = ep.getConnection();
                EndPoint http = ep; // where the HTTP connection is: under TLS, the decrypted end point inside it
                if (c instanceof org.eclipse.jetty.io.ssl.SslConnection ssl) {
                    http = ssl.getSslEndPoint();
                    alive.add(http);
                    c = http.getConnection();
                }
                if (c == null) {
                    continue;
                }
                long messages = c.getMessagesIn();
                long bytes = c.getBytesIn();
                long[] p = progress.computeIfAbsent(ep, k -> new long[] {messages, bytes, 0});
                // the created time stamp is wall-clock milliseconds
                if (messages == 0 && System.currentTimeMillis() - ep.getCreatedTimeStamp() > deadline.toMillis()) {
                    cut(ep);
                    continue;
                }
                if (messages != p[0]) {
                    p[0] = messages;
                    p[1] = bytes;
                    p[2] = 0;
                } else if (bytes != p[1]) {
                    p[1] = bytes;
                    if (p[2] == 0) {
                        p[2] = now;
                    } else if (now - p[2] > deadline.toNanos() && !handling.contains(http)) {
                        cut(ep);
                    }
                }
            }
            progress.keySet().retainAll(alive);
            handling.retainAll(alive);
        } catch (RuntimeException e) {
            LOG.debug("{}: header deadline sweep failed: {}", name, e.toString());
        }
    }

    private void cut(EndPoint ep) {
        cut.increment();
        progress.remove(ep);
        ep.close();
    }
}
