package org.campusedge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.message.Message;
import org.eclipse.hono.application.client.DownstreamMessage;
import org.eclipse.hono.application.client.amqp.AmqpMessageContext;
import org.eclipse.hono.client.ClientErrorException;
import org.eclipse.hono.util.QoS;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.proton.ProtonQoS;

/** The device side (AMQP adapter behaviour), observed through a raw device client and the real Hono app client. */
class DeviceSideTest extends SandboxTestBase {

    @Test
    void deviceLoginFailuresAreSaslFailures() {
        final int port = sandbox.devicePort();
        assertThrows(Exception.class, () -> RawDevice.connect(clients, port, "gw-a@t", "wrong"), "wrong password");
        assertThrows(Exception.class, () -> RawDevice.connect(clients, port, "nobody@t", "secret"), "unknown device");
        assertThrows(Exception.class, () -> RawDevice.connect(clients, port, "gw-a@nowhere", "secret"), "unknown tenant");
        assertThrows(Exception.class, () -> RawDevice.connect(clients, port, "gw-off@off", "secret"), "disabled tenant");
        assertThrows(Exception.class, () -> RawDevice.connect(clients, port, "gw-a", "secret"), "no @tenant");
        assertEquals(0, sandbox.stats().deviceConnections());
    }

    @Test
    void startFailsClearlyWhenAPortIsTaken() {
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> HonoSandbox.start(
                SandboxConfig.builder().registry(registry()).devicePort(sandbox.devicePort()).build()));
        assertTrue(e.getMessage().contains("cannot listen for device connections on 127.0.0.1:" + sandbox.devicePort()),
                e.getMessage());
    }

    @Test
    void northAllowsAnonymousWhenNoCredentialsAreConfigured() throws Exception {
        try (HonoSandbox open = HonoSandbox.start(SandboxConfig.builder().registry(registry()).north(null, null).build())) {
            track(NorthApp.connect(clients, open.northPort(), null, null)).close();
        }
    }

    @Test
    void northLoginNeedsTheConfiguredCredentials() throws Exception {
        final int port = sandbox.northPort();
        assertThrows(Exception.class, () -> NorthApp.connect(clients, port, "city", "wrong"));
        assertThrows(Exception.class, () -> NorthApp.connect(clients, port, null, null), "anonymous refused");
        app();
        assertEquals(1, sandbox.stats().northConnections());
    }

    @Test
    void deviceConnectionOffersAnonymousRelay() throws Exception {
        final RawDevice gw = gateway();
        assertTrue(gw.<Boolean>call(f -> f.complete(gw.connection().isAnonymousRelaySupported())));
        assertEquals("hono-amqp", gw.<String>call(f -> f.complete(gw.connection().getRemoteContainer())));
    }

    @Test
    void telemetryOnBehalfOfAnAuthorisedDeviceReachesTheConsumerInHonoFormat() throws Exception {
        final var telemetry = app().telemetry(TENANT);
        final RawDevice gw = gateway();
        final DeliveryState outcome = gw.sendAndWait(message("telemetry//cam-7", "application/json", "{\"t\":21.5}"));
        assertInstanceOf(Accepted.class, outcome);

        final DownstreamMessage<AmqpMessageContext> got = NorthApp.poll(telemetry, Duration.ofSeconds(5));
        assertNotNull(got, "telemetry forwarded");
        assertEquals(TENANT, got.getTenantId());
        assertEquals("cam-7", got.getDeviceId());
        assertEquals("application/json", got.getContentType());
        assertEquals("{\"t\":21.5}", got.getPayload().toString(StandardCharsets.UTF_8));
        assertEquals(QoS.AT_LEAST_ONCE, got.getQos());
        assertNotNull(got.getCreationTime());

        final Message raw = got.getMessageContext().getRawMessage();
        assertEquals("telemetry/t", raw.getAddress());
        assertEquals("hono-amqp", props(raw).get("orig_adapter"));
        assertEquals("telemetry//cam-7", props(raw).get("orig_address"));
        assertEquals(1, props(raw).get("qos"));
        assertEquals("cam-7", props(raw).get("device_id"));
        final var annotations = raw.getMessageAnnotations().getValue();
        assertEquals(TENANT, annotations.get(Symbol.valueOf("tenant_id")));
        assertEquals("cam-7", annotations.get(Symbol.valueOf("device_id")));
        assertEquals("telemetry/t/cam-7", annotations.get(Symbol.valueOf("resource")));
        assertEquals(1, sandbox.stats().forwardedNorthbound());
        assertEquals(1, sandbox.stats().accepted());
    }

    @Test
    void eventsOfTheGatewayItselfAndWithFullAddressAreForwarded() throws Exception {
        final var events = app().events(TENANT);
        final RawDevice gw = gateway();
        assertInstanceOf(Accepted.class, gw.sendAndWait(message("event", "application/cloudevents+json", "{}")));
        assertInstanceOf(Accepted.class, gw.sendAndWait(message("event/t/dev-1", "text/plain", "x")));

        final DownstreamMessage<AmqpMessageContext> own = NorthApp.poll(events, Duration.ofSeconds(5));
        assertEquals("gw-a", own.getDeviceId());
        assertEquals("event/t", own.getMessageContext().getRawMessage().getAddress());
        assertTrue(own.getMessageContext().getRawMessage().isDurable());
        assertEquals("event", props(own.getMessageContext().getRawMessage()).get("orig_address"));
        final DownstreamMessage<AmqpMessageContext> child = NorthApp.poll(events, Duration.ofSeconds(5));
        assertEquals("dev-1", child.getDeviceId());
    }

    @Test
    void selfConnectingDeviceSendsAsItself() throws Exception {
        final var telemetry = app().telemetry(TENANT);
        final RawDevice dev = track(RawDevice.connect(clients, sandbox.devicePort(), "sensor-9@t", "pw"));
        assertInstanceOf(Accepted.class, dev.sendAndWait(message("telemetry", "text/plain", "1")));
        assertEquals("sensor-9", NorthApp.poll(telemetry, Duration.ofSeconds(5)).getDeviceId());
        final DeliveryState other = dev.sendAndWait(message("telemetry//cam-1", "text/plain", "1"));
        assertRejected(other, "amqp:unauthorized-access");
    }

    @Test
    void unauthorisedDeviceOrOtherTenantIsRejectedUnauthorizedAccess() throws Exception {
        app().telemetry(TENANT);
        final RawDevice gw = gateway();
        assertRejected(gw.sendAndWait(message("telemetry//other-9", "text/plain", "1")), "amqp:unauthorized-access");
        assertRejected(gw.sendAndWait(message("telemetry/t2/dev-1", "text/plain", "1")), "amqp:unauthorized-access");
        assertRejected(gw.sendAndWait(message("telemetry/t", "text/plain", "1")), "hono:bad-request");
        assertRejected(gw.sendAndWait(message("nowhere//dev-1", "text/plain", "1")), "amqp:not-found");
        assertEquals(2, sandbox.stats().rejectedByReason().get("amqp:unauthorized-access"));
        assertEquals(0, sandbox.stats().forwardedNorthbound());
    }

    @Test
    void senderLinkWithTargetIsRefusedBadRequest() throws Exception {
        final RawDevice gw = gateway();
        final var result = gw.openSender("telemetry", ProtonQoS.AT_LEAST_ONCE);
        assertFalse(result.opened());
        assertEquals(Symbol.valueOf("hono:bad-request"), result.error().getCondition());
        assertTrue(gw.openSender(null, ProtonQoS.AT_LEAST_ONCE).opened(), "anonymous sender accepted");
    }

    @Test
    void withoutConsumerMessagesAreReleased() throws Exception {
        final RawDevice gw = gateway();
        assertInstanceOf(Released.class, gw.sendAndWait(message("telemetry", "text/plain", "1")));
        assertInstanceOf(Released.class, gw.sendAndWait(message("event//dev-1", "text/plain", "1")));
        // a consumer of another tenant does not count
        app().telemetry("t2");
        assertInstanceOf(Released.class, gw.sendAndWait(message("telemetry", "text/plain", "1")));
        assertEquals(3, sandbox.stats().released());
    }

    @Test
    void presettledEventIsDroppedPresettledTelemetryForwardedAsQos0() throws Exception {
        final NorthApp app = app();
        final var events = app.events(TENANT);
        final var telemetry = app.telemetry(TENANT);
        final RawDevice gw = gateway();
        gw.send(message("event//dev-1", "text/plain", "dropped"), true);
        gw.send(message("telemetry//dev-1", "text/plain", "qos0"), true);
        final DownstreamMessage<AmqpMessageContext> t = NorthApp.poll(telemetry, Duration.ofSeconds(5));
        assertNotNull(t);
        assertEquals(QoS.AT_MOST_ONCE, t.getQos());
        assertNull(NorthApp.poll(events, Duration.ofMillis(500)), "presettled event must not be forwarded");
        assertEquals(1L, sandbox.stats().droppedByReason().get("presettled event"));
    }

    @Test
    void eventIsAcceptedOnlyAfterTheConsumerAcceptedIt() throws Exception {
        final CompletableFuture<Promise<Void>> pending = new CompletableFuture<>();
        app().events(TENANT, msg -> {
            final Promise<Void> p = Promise.promise();
            pending.complete(p);
            return p.future();
        });
        final RawDevice gw = gateway();
        final CompletableFuture<DeliveryState> outcome = gw.send(message("event//dev-1", "text/plain", "1"), false);
        final Promise<Void> consumerOutcome = pending.get(5, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertFalse(outcome.isDone(), "device must not be settled before the consumer settled");
        clients.runOnContext(v -> consumerOutcome.complete());
        assertInstanceOf(Accepted.class, outcome.get(5, TimeUnit.SECONDS));
    }

    @Test
    void consumerRejectionIsPassedToTheDevice() throws Exception {
        app().events(TENANT, msg -> Future.failedFuture(new ClientErrorException(400, "no thanks")));
        final RawDevice gw = gateway();
        assertRejected(gw.sendAndWait(message("event", "text/plain", "1")), "hono:bad-request");
    }

    static void assertRejected(final DeliveryState state, final String condition) {
        final Rejected rejected = assertInstanceOf(Rejected.class, state);
        assertEquals(Symbol.valueOf(condition), rejected.getError().getCondition());
    }
}
