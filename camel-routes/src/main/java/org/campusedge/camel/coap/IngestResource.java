package org.campusedge.camel.coap;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.campusedge.camel.ingest.IngestHeaders;
import org.campusedge.camel.ingest.IngressCounters;
import org.campusedge.api.RejectedInputException;
import org.campusedge.camel.ingest.Text;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * The CoAP resource of one device route. A POST becomes a Camel exchange (body: the payload bytes,
 * headers: content format and source address); the route runs asynchronously and its outcome
 * becomes the response, once {@link CoapDeviceAuth} let the request speak for the device (4.01 / 4.03
 * before anything is parsed otherwise): 2.04 Changed when the events are durable, 4.xx with a one-line reason for
 * bad input, 5.03 with Max-Age when the store pushes back, 5.00 for anything unexpected.
 */
final class IngestResource extends CoapResource {

    private final CoapIngestConsumer consumer;
    private final IngressCounters counters;
    private final CoapDeviceAuth auth;

    IngestResource(String name, CoapIngestConsumer consumer, IngressCounters counters, CoapDeviceAuth auth) {
        super(name);
        this.consumer = consumer;
        this.counters = counters;
        this.auth = auth;
        getAttributes().addResourceType("campus-ingest");
    }

    @Override
    public void handlePOST(CoapExchange coap) {
        RejectedInputException refused = auth.refusal(getName(), coap.advanced().getRequest());
        if (refused != null) {
            counters.unproven(getName(), refused.getMessage()); // the 4.xx counts against the source too
            coap.respond(codeFor(refused.reason()), Text.answer(refused.getMessage()), MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        Exchange exchange = consumer.createExchange(false);
        exchange.getIn().setBody(coap.getRequestPayload());
        int format = coap.getRequestOptions().getContentFormat();
        if (format != MediaTypeRegistry.UNDEFINED) {
            exchange.getIn().setHeader(IngestHeaders.COAP_CONTENT_FORMAT, format);
        }
        InetSocketAddress peer = coap.getSourceSocketAddress();
        exchange.getIn().setHeader(IngestHeaders.COAP_SOURCE, peer.getHostString() + ":" + peer.getPort());
        // exactly one answer and one release per request, whichever way the route ends
        AtomicBoolean answered = new AtomicBoolean();
        try {
            consumer.getAsyncProcessor().process(exchange, doneSync -> {
                if (answered.compareAndSet(false, true)) {
                    respond(coap, exchange);
                }
            });
        } catch (RuntimeException e) {
            if (answered.compareAndSet(false, true)) {
                exchange.setException(e);
                respond(coap, exchange);
            }
        }
    }

    private void respond(CoapExchange coap, Exchange exchange) {
        String device = getName();
        try {
            Exception failure = exchange.getException();
            switch (counters.record(device, failure)) {
                case ACCEPTED -> coap.respond(ResponseCode.CHANGED);
                case REJECTED -> {
                    RejectedInputException rejected = (RejectedInputException) failure;
                    coap.respond(codeFor(rejected.reason()), Text.answer(rejected.getMessage()), MediaTypeRegistry.TEXT_PLAIN);
                }
                case DEFERRED -> {
                    Response r = new Response(ResponseCode.SERVICE_UNAVAILABLE);
                    r.getOptions().setMaxAge(1); // RFC 7252 5.9.3.4: retry after Max-Age seconds
                    r.setPayload(Text.answer(failure.getMessage()));
                    coap.respond(r);
                }
                case FAILED -> coap.respond(ResponseCode.INTERNAL_SERVER_ERROR,
                        "gateway error; the readings were not stored", MediaTypeRegistry.TEXT_PLAIN);
            }
        } catch (RuntimeException e) {
            counters.failed(device, e); // the answer could not be sent; the device will retransmit
        } finally {
            consumer.releaseExchange(exchange, false);
        }
    }

    static ResponseCode codeFor(RejectedInputException.Reason reason) {
        return switch (reason) {
            case MALFORMED -> ResponseCode.BAD_REQUEST;
            case TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE;
            case UNKNOWN_DEVICE -> ResponseCode.NOT_FOUND;
            case UNSUPPORTED -> ResponseCode.UNSUPPORTED_CONTENT_FORMAT;
            case UNAUTHENTICATED -> ResponseCode.UNAUTHORIZED;
            case FORBIDDEN -> ResponseCode.FORBIDDEN;
        };
    }

}
