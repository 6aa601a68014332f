package org.campusedge.camel.command;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a command into a device's command route ({@code direct:...}, made from a
 * {@code <family>-command} template) and hands back the result the route left in a header. A
 * failure after the result was made (its audit event not stored) is logged, the result still
 * returned: the device did what it did.
 */
public final class CommandSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandSender.class);

    private final CamelContext context;
    private final ProducerTemplate producer;

    public CommandSender(CamelContext context) {
        this.context = context;
        this.producer = context.createProducerTemplate();
    }

    /**
     * @param noRoute what to answer when the device has no command route (not in the inventory)
     * @param notSent what to answer when the route failed before it made a result
     */
    public <R> CompletionStage<R> send(String uri, Object command, String resultHeader, Class<R> resultType,
                                       Supplier<R> noRoute, Function<Exception, R> notSent) {
        Endpoint endpoint = context.hasEndpoint(uri);
        if (endpoint == null) {
            return CompletableFuture.completedFuture(noRoute.get());
        }
        Exchange exchange = new DefaultExchange(context, ExchangePattern.InOut);
        exchange.getIn().setBody(command);
        return producer.asyncSend(endpoint, exchange).thenApply(done -> {
            R result = done.getIn().getHeader(resultHeader, resultType);
            if (done.getException() != null) {
                LOG.warn("Command to {} {}: {}", uri, result == null ? "failed" : "done, but its audit event was not stored",
                        done.getException().toString());
            }
            return result != null ? result : notSent.apply(done.getException());
        });
    }

    @Override
    public void close() throws Exception {
        producer.close();
    }
}
