package org.campusedge.camel.http;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.campusedge.camel.ingest.Text;
import org.campusedge.net.BoundedHttpServer;
import org.campusedge.net.SourceGuard;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One device's POST to the gateway: its body (read in full and within bounds before a route sees
 * it), content type and source, and its one answer. Every 4xx answer counts against the source
 * address, so a machine that posts only garbage lands in its penalty ({@link SourceGuard}).
 */
public final class DeviceRequest {

    private final Request http;
    private final Response response;
    private Callback callback;
    private final InetAddress source;
    private final SourceGuard sources;
    private final AtomicBoolean answered = new AtomicBoolean();
    private byte[] body;

    DeviceRequest(Request http, Response response, Callback callback, InetAddress source, SourceGuard sources) {
        this.http = http;
        this.response = response;
        this.callback = callback;
        this.source = source;
        this.sources = sources;
    }

    void body(byte[] body) {
        this.body = body;
    }

    /** The request holds one of the server's in-flight slots from now until it is answered. */
    void holdsSlotOf(BoundedHttpServer server) {
        this.callback = server.leaving(callback);
    }

    public byte[] body() {
        return body;
    }

    public String contentType() {
        return http.getHeaders().get(HttpHeader.CONTENT_TYPE);
    }

    /** The sender as {@code address:port}. */
    public String source() {
        return source.getHostAddress() + ":" + Request.getRemotePort(http);
    }

    /** Answers with a status and a one-line plain-text reason (none for 2xx), adding Retry-After to a 503; once only. */
    public void answer(int status, String reason) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        if (status >= 400 && status < 500) {
            sources.rejected(source);
        } else if (status < 300) {
            sources.accepted(source); // proven: TCP addresses cannot be forged, and its own 401s never put it in the penalty
        }
        BoundedHttpServer.answer(response, callback, status, status < 300 || reason == null ? null : Text.answer(reason));
    }

    /** Refuses before any route saw the request (no device to count it against). */
    void refuse(int status, String reason) {
        answer(status, reason);
    }

    /** Refuses a request for a route's device: counted against the device and the source. */
    void refuse(GatewayHttpServer.Route route, int status, String reason) {
        route.refused(reason);
        answer(status, reason);
    }
}
