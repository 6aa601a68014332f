package org.campusedge.camel.observe;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.campusedge.camel.ingest.IngestHeaders;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one observation of a sensor's resource alive. Every 2.05 notification goes through the
 * device's route. When notifications stop for longer than the endpoint's {@code silence} — a sensor
 * that rebooted forgets its observers, one that is unplugged answers nothing, one that answers an
 * error sends no notifications — it cancels and registers again, backing off up to a minute while
 * the sensor stays silent. Nothing here marks the sensor offline: device health does that when its
 * readings stop.
 */
final class ObserveConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ObserveConsumer.class);
    private static final long MAX_BACKOFF_MS = 60_000;

    private final ObserveComponent.ObserveEndpoint endpoint;
    private CoapClient client;
    private CoapObserveRelation relation;
    private ScheduledFuture<?> watchdog;
    private volatile long lastNotification;
    private volatile long backoffMs = 1_000;
    private volatile long nextAttempt;
    private volatile long registrations;

    ObserveConsumer(ObserveComponent.ObserveEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        client = new CoapClient(endpoint.address);
        client.setEndpoint(endpoint.getComponent().client(endpoint.deviceId, endpoint.address));
        lastNotification = System.currentTimeMillis();
        register();
        long tick = Math.max(250, Math.min(endpoint.silence.toMillis() / 4, 5_000));
        watchdog = endpoint.getComponent().scheduler().scheduleWithFixedDelay(this::watch, tick, tick, TimeUnit.MILLISECONDS);
    }

    private synchronized void register() {
        if (!isRunAllowed()) {
            return; // a watchdog round that raced the route's stop
        }
        if (relation != null) {
            relation.proactiveCancel();
        }
        registrations++;
        relation = client.observe(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                notification(response);
            }

            @Override
            public void onError() {
                lost("no answer from " + endpoint.address);
            }
        });
    }

    private void notification(CoapResponse response) {
        if (!isRunAllowed()) {
            return; // a notification that crossed the route's stop
        }
        if (response.getCode() != ResponseCode.CONTENT) {
            lost("answered " + response.getCode());
            return;
        }
        if ("coaps".equals(endpoint.address.getScheme())) {
            // the session this came over must be the one proven with this kit's key, whatever address it came from
            java.security.Principal peer = response.advanced().getSourceContext().getPeerIdentity();
            if (!(peer instanceof org.eclipse.californium.elements.auth.PreSharedKeyIdentity psk)
                    || !psk.getIdentity().equals(endpoint.deviceId)) {
                endpoint.getComponent().counters().unproven(endpoint.deviceId, "a notification over a DTLS session of "
                        + (peer == null ? "no identity" : "another identity") + " was dropped");
                return;
            }
        }
        lastNotification = System.currentTimeMillis();
        backoffMs = 1_000;
        Exchange exchange = createExchange(false);
        exchange.getIn().setBody(response.getPayload());
        int format = response.getOptions().getContentFormat();
        if (format != MediaTypeRegistry.UNDEFINED) {
            exchange.getIn().setHeader(IngestHeaders.COAP_CONTENT_FORMAT, format);
        }
        try {
            getAsyncProcessor().process(exchange, doneSync -> done(exchange));
        } catch (RuntimeException e) {
            exchange.setException(e);
            done(exchange);
        }
    }

    private void done(Exchange exchange) {
        try {
            // nothing to answer: a notification's value is superseded by the next one whatever happened
            endpoint.getComponent().counters().record(endpoint.deviceId, exchange.getException());
        } finally {
            releaseExchange(exchange, false);
        }
    }

    /** An error answer or no answer: the watchdog registers again once the silence has lasted long enough. */
    private void lost(String why) {
        LOG.debug("Observation of {} failed ({}); the watchdog will register again", endpoint.deviceId, why);
    }

    /** Registers again when notifications have stopped for longer than the endpoint's silence. */
    private void watch() {
        long now = System.currentTimeMillis();
        boolean silent = now - lastNotification > endpoint.silence.toMillis();
        if (silent && now >= nextAttempt) {
            nextAttempt = now + backoffMs;
            backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
            LOG.debug("No notification from {} for {}; registering again", endpoint.deviceId,
                    Duration.ofMillis(now - lastNotification));

            try {
                register();
            } catch (RuntimeException e) {
                LOG.debug("re-registration of {} failed: {}", endpoint.deviceId, e.toString());
            }
        }
    }

    /** How many times the observation was registered (1 + re-registrations). */
    long registrations() {
        return registrations;
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        if (relation != null) {
            relation.proactiveCancel();
            relation = null;
        }
        if (client != null) {
            client.shutdown();
        }
        endpoint.getComponent().forget(endpoint.deviceId, endpoint.address);
        super.doStop();
    }
}
