package org.campusedge.camel.ingest;

import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.campusedge.api.BackpressureException;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventBus;

/**
 * The last step of every device route: takes the events from the device's allowance
 * ({@link DeviceRates}; over it, the route ends "busy"), publishes the exchange's
 * {@code List<CampusEvent>} body on the event bus and lets the route finish only when the bus
 * reports them durable. Asynchronous, so no thread waits for the group commit.
 */
public final class IngestProcessor extends AsyncProcessorSupport {

    private final EventBus bus;
    private final DeviceRates rates;

    public IngestProcessor(EventBus bus, DeviceRates rates) {
        this.bus = bus;
        this.rates = rates;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Object body = exchange.getIn().getBody();
        if (!(body instanceof List<?> events)) {
            exchange.setException(new IllegalStateException("ingest expects a List<CampusEvent> body, got "
                    + (body == null ? "null" : body.getClass().getName())));
            callback.done(true);
            return true;
        }
        if (!events.isEmpty()) {
            try {
                rates.take(((CampusEvent) events.get(0)).deviceId(), events.size());
            } catch (BackpressureException busy) {
                exchange.setException(busy);
                callback.done(true);
                return true;
            }
        }
        bus.publish((List<CampusEvent>) events).whenComplete((ok, failure) -> {
            if (failure != null) {
                exchange.setException(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            }
            callback.done(false);
        });
        return false;
    }
}
