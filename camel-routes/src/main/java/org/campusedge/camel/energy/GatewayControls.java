package org.campusedge.camel.energy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.campusedge.api.ControlRequest;
import org.campusedge.api.ControlResult;
import org.campusedge.api.ControlResult.Outcome;
import org.campusedge.api.DeviceControls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link DeviceControls} through the meters' command routes ({@code direct:energy-ID} from the energy-command template). */
public final class GatewayControls implements DeviceControls {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayControls.class);

    private final CamelContext context;
    private final ProducerTemplate producer;

    public GatewayControls(CamelContext context) {
        this.context = context;
        this.producer = context.createProducerTemplate();
    }

    @Override
    public CompletionStage<ControlResult> write(ControlRequest request) {
        Endpoint endpoint = context.hasEndpoint("direct:energy-" + request.deviceId());
        if (endpoint == null) {
            return CompletableFuture.completedFuture(new ControlResult(Outcome.REFUSED,
                    "no controllable meter '" + request.deviceId() + "' in the inventory"));
        }
        Exchange exchange = new DefaultExchange(context, ExchangePattern.InOut);
        exchange.getIn().setBody(request);
        return producer.asyncSend(endpoint, exchange).thenApply(done -> {
            ControlResult result = done.getIn().getHeader(EnergyControl.RESULT, ControlResult.class);
            if (done.getException() != null) {
                LOG.warn("Control write to {}: {}", request.deviceId(), done.getException().toString());
            }
            return result != null ? result : new ControlResult(Outcome.REFUSED, "write not sent: " + done.getException());
        });
    }

    public void close() throws Exception {
        producer.close();
    }
}
