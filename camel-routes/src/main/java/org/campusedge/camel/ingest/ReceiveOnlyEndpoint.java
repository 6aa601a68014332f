package org.campusedge.camel.ingest;

import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * An endpoint of one of the gateway's device connectors: devices send, routes receive, nothing is
 * produced to it (commands go through the command routes). Subclasses say how to make their consumer.
 */
public abstract class ReceiveOnlyEndpoint extends DefaultEndpoint {

    protected ReceiveOnlyEndpoint(String uri, Component component) {
        super(uri, component);
    }

    /** The consumer of this endpoint, before Camel configures it. */
    protected abstract Consumer newConsumer(Processor processor) throws Exception;

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException(getEndpointUri() + ": connector endpoints only receive");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        Consumer c = newConsumer(processor);
        configureConsumer(c);
        return c;
    }
}
