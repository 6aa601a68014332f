package org.campusedge.camel.card;

import java.util.Map;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultConsumer;
import org.campusedge.camel.ingest.ReceiveOnlyEndpoint;

/**
 * Camel component {@code campus-card:READER_ID}: the route of one card reader, fed with that
 * reader's swipes by the shared {@link CardServer}; the route's outcome becomes the ACK or NAK.
 */
public final class CardComponent extends DefaultComponent {

    private final CardServer server;

    public CardComponent(CardServer server) {
        this.server = server;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        if (!remaining.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw new IllegalArgumentException("campus-card needs a reader id, got '" + remaining + "'");
        }
        return new ReaderEndpoint(uri, this, remaining);
    }

    private static final class ReaderEndpoint extends ReceiveOnlyEndpoint {
        private final String readerId;

        ReaderEndpoint(String uri, CardComponent component, String readerId) {
            super(uri, component);
            this.readerId = readerId;
        }

        @Override
        protected Consumer newConsumer(Processor processor) {
            return new ReaderConsumer(this, processor);
        }
    }

    private static final class ReaderConsumer extends DefaultConsumer implements CardServer.Route {
        ReaderConsumer(ReaderEndpoint endpoint, Processor processor) {
            super(endpoint, processor);
        }

        private ReaderEndpoint reader() {
            return (ReaderEndpoint) getEndpoint();
        }

        private CardServer server() {
            return ((CardComponent) getEndpoint().getComponent()).server;
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            server().register(reader().readerId, this);
        }

        @Override
        protected void doStop() throws Exception {
            server().unregister(reader().readerId, this);
            super.doStop();
        }

        @Override
        public Exchange createExchange() {
            return createExchange(false);
        }

        @Override
        public void process(Exchange exchange, Runnable whenDone) {
            AsyncProcessor p = getAsyncProcessor();
            p.process(exchange, doneSync -> whenDone.run());
        }

        @Override
        public void release(Exchange exchange) {
            releaseExchange(exchange, false);
        }
    }
}
