package org.campusedge.camel.coap;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** One CoAP resource path on the gateway's server; consumer only. */
final class CoapIngestEndpoint extends DefaultEndpoint {

    private final String path;

    CoapIngestEndpoint(String uri, CoapIngestComponent component, String path) {
        super(uri, component);
        this.path = path;
    }

    @Override
    public CoapIngestComponent getComponent() {
        return (CoapIngestComponent) super.getComponent();
    }

    String path() {
        return path;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("campus-coap endpoints only receive; use a CoAP client to send");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        Consumer c = new CoapIngestConsumer(this, processor);
        configureConsumer(c);
        return c;
    }
}
