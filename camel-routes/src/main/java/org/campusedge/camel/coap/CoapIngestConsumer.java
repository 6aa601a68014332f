package org.campusedge.camel.coap;

import org.apache.camel.Processor;
import org.campusedge.camel.ingest.IngressCounters;
import org.apache.camel.support.DefaultConsumer;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * Puts an {@link IngestResource} at the endpoint's path while the route runs and takes it away when
 * the route stops, so a device that is not in the inventory gets CoAP's own 4.04 Not Found.
 */
final class CoapIngestConsumer extends DefaultConsumer {

    private IngestResource resource;

    CoapIngestConsumer(CoapIngestEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public CoapIngestEndpoint getEndpoint() {
        return (CoapIngestEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        String[] segments = getEndpoint().path().split("/");
        Resource parent = getEndpoint().getComponent().server().getRoot();
        synchronized (CoapIngestConsumer.class) { // the resource tree is shared by every route
            for (int i = 0; i < segments.length - 1; i++) {
                Resource child = parent.getChild(segments[i]);
                if (child == null) {
                    child = new CoapResource(segments[i], false); // an intermediate path segment, not discoverable
                    parent.add(child);
                }
                parent = child;
            }
            String name = segments[segments.length - 1];
            if (parent.getChild(name) != null) {
                throw new IllegalStateException("CoAP resource /" + getEndpoint().path() + " is already in use by another route");
            }
            resource = new IngestResource(name, this, getEndpoint().getComponent().counters(), getEndpoint().getComponent().auth());
            parent.add(resource);
        }
    }

    @Override
    protected void doStop() throws Exception {
        synchronized (CoapIngestConsumer.class) {
            if (resource != null) {
                resource.delete();
                resource = null;
            }
        }
        super.doStop();
    }
}
