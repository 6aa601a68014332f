package org.campusedge.camel.http;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultConsumer;
import org.campusedge.api.RejectedInputException;
import org.campusedge.camel.ingest.ReceiveOnlyEndpoint;
import org.campusedge.camel.ingest.IngestHeaders;
import org.campusedge.camel.ingest.IngressCounters;

/**
 * Camel component {@code campus-http:/path}: the route of one device that POSTs to the gateway's
 * {@link GatewayHttpServer}. The body (bytes) and its content type go into the route; the route's
 * outcome becomes the answer, only once the events are durable: 200, 4xx with a reason (counted
 * against the device), 503 with Retry-After when the store pushes back, 500 otherwise.
 */
public final class HttpIngestComponent extends DefaultComponent {

    private final GatewayHttpServer server;
    private final IngressCounters counters;

    public HttpIngestComponent(GatewayHttpServer server, IngressCounters counters) {
        this.server = server;
        this.counters = counters;
    }

    /**
     * {@code campus-http:/campus/camera/cam-1?contentTypes=application/xml,application/json&maxBodyBytes=16384}:
     * the family's template says which content types its devices send (required: there is no
     * default, a family that forgets them accepts nothing) and, optionally, its largest body.
     */
    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String path = remaining.startsWith("/") ? remaining : "/" + remaining;
        String device = path.substring(path.lastIndexOf('/') + 1);
        if (!device.matches("[a-z0-9][a-z0-9-]{0,63}") || path.contains("//")) {
            throw new IllegalArgumentException("campus-http needs a path ending in a device id, like /campus/camera/cam-1, got '"
                    + remaining + "'");
        }
        Object types = parameters.remove("contentTypes");
        if (types == null || types.toString().isBlank()) {
            throw new IllegalArgumentException("campus-http:" + path + " needs contentTypes=..., the media types its devices send");
        }
        Object max = parameters.remove("maxBodyBytes");
        int maxBody = max == null ? server.defaultMaxBodyBytes() : Integer.parseInt(max.toString());
        List<String> media = Arrays.stream(types.toString().split(",")).map(t -> t.trim().toLowerCase(Locale.ROOT)).toList();
        return new PathEndpoint(uri, this, path, device, new GatewayHttpServer.Acceptance(maxBody, media));
    }

    /** The HTTP status for a rejected input. */
    static int statusFor(RejectedInputException.Reason reason) {
        return switch (reason) {
            case MALFORMED -> 400;
            case TOO_LARGE -> 413;
            case UNKNOWN_DEVICE -> 404;
            case UNSUPPORTED -> 415;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
        };
    }

    private static final class PathEndpoint extends ReceiveOnlyEndpoint {
        final String path;
        final String device;
        final GatewayHttpServer.Acceptance acceptance;

        PathEndpoint(String uri, HttpIngestComponent component, String path, String device, GatewayHttpServer.Acceptance acceptance) {
            super(uri, component);
            this.path = path;
            this.device = device;
            this.acceptance = acceptance;
        }

        @Override
        protected Consumer newConsumer(Processor processor) {
            return new PathConsumer(this, processor);
        }
    }

    private static final class PathConsumer extends DefaultConsumer implements GatewayHttpServer.Route {
        PathConsumer(PathEndpoint endpoint, Processor processor) {
            super(endpoint, processor);
        }

        private PathEndpoint endpoint() {
            return (PathEndpoint) getEndpoint();
        }

        private HttpIngestComponent component() {
            return (HttpIngestComponent) getEndpoint().getComponent();
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            component().server.register(endpoint().path, this, endpoint().acceptance);
        }

        @Override
        protected void doStop() throws Exception {
            component().server.unregister(endpoint().path, this);
            super.doStop();
        }

        @Override
        public void refused(String reason) {
            component().counters.rejected(endpoint().device, reason);
        }

        @Override
        public void unproven(String reason) {
            component().counters.unproven(endpoint().device, reason);
        }

        @Override
        public void handle(DeviceRequest request) {
            IngressCounters counters = component().counters;
            String device = endpoint().device;
            Exchange exchange = createExchange(false);
            exchange.getIn().setBody(request.body());
            if (request.contentType() != null) {
                exchange.getIn().setHeader(IngestHeaders.CONTENT_TYPE, request.contentType());
            }
            exchange.getIn().setHeader(IngestHeaders.SOURCE, request.source());
            AtomicBoolean answered = new AtomicBoolean(); // one answer, one release, whichever way the route ends
            try {
                getAsyncProcessor().process(exchange, doneSync -> {
                    if (answered.compareAndSet(false, true)) {
                        answer(request, exchange, counters, device);
                    }
                });
            } catch (RuntimeException e) {
                if (answered.compareAndSet(false, true)) {
                    exchange.setException(e);
                    answer(request, exchange, counters, device);
                }
            }
        }

        private void answer(DeviceRequest request, Exchange exchange, IngressCounters counters, String device) {
            try {
                Exception failure = exchange.getException();
                switch (counters.record(device, failure)) {
                    case ACCEPTED -> request.answer(200, null);
                    case REJECTED -> request.answer(statusFor(((RejectedInputException) failure).reason()), failure.getMessage());
                    case DEFERRED -> request.answer(503, failure.getMessage());
                    case FAILED -> request.answer(500, "gateway error; the alert was not stored");
                }
            } finally {
                releaseExchange(exchange, false);
            }
        }
    }
}
