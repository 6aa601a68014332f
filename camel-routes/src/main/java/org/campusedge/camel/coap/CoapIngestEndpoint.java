package org.campusedge.camel.coap;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.campusedge.camel.ingest.ReceiveOnlyEndpoint;

/** One CoAP resource path on the gateway's server; consumer only. */
final class CoapIngestEndpoint extends ReceiveOnlyEndpoint {

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
    protected Consumer newConsumer(Processor processor) {
        return new CoapIngestConsumer(this, processor);
    }
}
