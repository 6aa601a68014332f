package org.campusedge.camel.broadcast;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.campusedge.api.BroadcastRequest;
import org.campusedge.api.BroadcastResult;
import org.campusedge.api.BroadcastResult.Outcome;
import org.campusedge.api.Broadcasts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Broadcasts} through the controllers' command routes ({@code direct:broadcast-ID}, made
 * from the broadcast-command template for each controller of the inventory).
 */
public final class GatewayBroadcasts implements Broadcasts {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayBroadcasts.class);

    private final CamelContext context;
    private final ProducerTemplate producer;

    public GatewayBroadcasts(CamelContext context) {
        this.context = context;
        this.producer = context.createProducerTemplate();
    }

    /** The endpoint URI of a controller's command route. */
    public static String endpointFor(String controllerId) {
        return "direct:broadcast-" + controllerId;
    }

    @Override
    public CompletionStage<BroadcastResult> send(BroadcastRequest request) {
        Endpoint endpoint = context.hasEndpoint(endpointFor(request.controllerId()));
        if (endpoint == null) {
            return CompletableFuture.completedFuture(new BroadcastResult(Outcome.REFUSED, null, null,
                    "no broadcast controller '" + request.controllerId() + "' in the inventory"));
        }
        Exchange exchange = new DefaultExchange(context, ExchangePattern.InOut);
        exchange.getIn().setBody(request);
        return producer.asyncSend(endpoint, exchange).thenApply(done -> {
            BroadcastResult result = done.getIn().getHeader(BroadcastCommand.RESULT, BroadcastResult.class);
            if (done.getException() != null) {
                LOG.warn("Broadcast command to {} {}: {}", request.controllerId(),
                        result == null ? "failed" : "sent, but its audit event was not stored", done.getException().toString());
            }
            return result != null ? result : new BroadcastResult(Outcome.REFUSED, null, null,
                    "command not sent: " + done.getException());
        });
    }

    public void close() throws Exception {
        producer.close();
    }
}
