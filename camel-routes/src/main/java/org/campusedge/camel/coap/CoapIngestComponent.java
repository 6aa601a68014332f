package org.campusedge.camel.coap;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.campusedge.camel.ingest.IngressCounters;
import org.eclipse.californium.core.CoapServer;

/**
 * Camel component {@code campus-coap:/path}: a consumer endpoint that owns one resource on the
 * gateway's shared CoAP server and answers only after the route finished, asynchronously.
 *
 * <p>Why not camel-coap: its 4.17 consumer always answers 2.05 Content (or 5.00 on any exception),
 * so it cannot say 2.04 Changed, 4.00 Bad Request or 5.03 Service Unavailable, and it processes on
 * Californium's protocol threads synchronously, so each request would hold a thread until the
 * group commit. This component maps the route's outcome to a proper CoAP response code and frees
 * the protocol thread while the store commits.
 */
public final class CoapIngestComponent extends DefaultComponent {

    private final CoapServer server;
    private final IngressCounters counters;
    private final CoapDeviceAuth auth;

    public CoapIngestComponent(CoapServer server, IngressCounters counters, CoapDeviceAuth auth) {
        this.server = server;
        this.counters = counters;
        this.auth = auth;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String path = remaining.startsWith("/") ? remaining.substring(1) : remaining;
        if (path.isEmpty() || path.contains("//") || path.endsWith("/")) {
            throw new IllegalArgumentException("campus-coap needs a resource path like /campus/lab/dev-1, got '" + remaining + "'");
        }
        return new CoapIngestEndpoint(uri, this, path);
    }

    CoapServer server() {
        return server;
    }

    IngressCounters counters() {
        return counters;
    }

    CoapDeviceAuth auth() {
        return auth;
    }
}
