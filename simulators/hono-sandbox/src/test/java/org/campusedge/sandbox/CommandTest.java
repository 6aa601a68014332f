package org.campusedge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.message.Message;
import org.eclipse.hono.application.client.DownstreamMessage;
import org.eclipse.hono.application.client.amqp.AmqpMessageContext;
import org.eclipse.hono.client.ServiceInvocationException;
import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

/** Command and control with the real Hono application client's sendCommand. */
class CommandTest extends SandboxTestBase {


    @Test
    void requestResponseRoundTripThroughTheGatewaysGenericLink() throws Exception {
        final NorthApp app = app();
        final RawDevice gw = gateway();
        final BlockingQueue<Message> seen = answering(gw, "command");

        final DownstreamMessage<AmqpMessageContext> response = NorthApp.await(app.client.sendCommand(
                TENANT, "cam-7", "status", Buffer.buffer("{}"), "application/json", null, Duration.ofSeconds(5), null));
        assertEquals(200, response.getStatus());
        assertEquals("cam-7", response.getDeviceId());
        assertEquals("{\"ok\":true,\"subject\":\"status\"}", response.getPayload().toString(StandardCharsets.UTF_8));
        assertEquals("application/json", response.getContentType());

        final Message command = seen.poll(1, TimeUnit.SECONDS);
        assertNotNull(command);
        assertEquals("command/t/cam-7", command.getAddress());
        assertEquals("status", command.getSubject());
        assertEquals("application/json", command.getContentType());
        assertEquals("cam-7", command.getApplicationProperties().getValue().get("device_id"));
        assertNotNull(command.getCorrelationId());
        assertTrue(command.getReplyTo().startsWith("command_response/t/cam-7/0"), command.getReplyTo());

        final Message raw = response.getMessageContext().getRawMessage();
        assertEquals(command.getCorrelationId(), raw.getCorrelationId());
        assertEquals(TENANT, raw.getApplicationProperties().getValue().get("tenant_id"));
        assertTrue(raw.getCreationTime() > 0);
        assertEquals(1, sandbox.stats().commandsRouted());
        eventually(() -> sandbox.stats().commandResponsesRouted() == 1, "command response counted");
    }

    @Test
    void commandForTheGatewayItselfCarriesNoDeviceIdProperty() throws Exception {
        final NorthApp app = app();
        final RawDevice gw = gateway();
        final BlockingQueue<Message> seen = answering(gw, "command");
        final var response = NorthApp.await(app.client.sendCommand(
                TENANT, "gw-a", "broadcast", Buffer.buffer("{\"text\":\"hi\"}"), "application/json",
                "my-reply", Duration.ofSeconds(5), null));
        assertEquals(200, response.getStatus());
        final Message command = seen.poll(1, TimeUnit.SECONDS);
        assertNull(command.getApplicationProperties());
        assertEquals("command_response/t/gw-a/0my-reply", command.getReplyTo());
    }

    @Test
    void deviceSpecificLinkIsPreferred() throws Exception {
        final NorthApp app = app();
        final RawDevice gw = gateway();
        final BlockingQueue<Message> generic = answering(gw, "command");
        final BlockingQueue<Message> specific = answering(gw, "command//dev-1");
        final RawDevice sensor = track(RawDevice.connect(clients, sandbox.devicePort(), "sensor-9@t", "pw"));
        final BlockingQueue<Message> own = answering(sensor, "command");

        assertEquals(200, NorthApp.await(app.client.sendCommand(TENANT, "dev-1", "ping", Buffer.buffer("1"))).getStatus());
        assertNotNull(specific.poll(1, TimeUnit.SECONDS));
        assertEquals(200, NorthApp.await(app.client.sendCommand(TENANT, "sensor-9", "ping", Buffer.buffer("1"))).getStatus());
        assertNotNull(own.poll(1, TimeUnit.SECONDS));
        assertTrue(generic.isEmpty());
    }

    @Test
    void noDeviceLinkMeansReleasedWhichTheClientReportsAs503() throws Exception {
        final NorthApp app = app();
        final ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> NorthApp.await(app.client.sendCommand(TENANT, "dev-1", "status", Buffer.buffer("{}"),
                        "application/json", null, Duration.ofSeconds(5), null)));
        assertEquals(503, ServiceInvocationException.extractStatusCode(e.getCause()));
        // a one-way command too
        final ExecutionException oneWay = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> NorthApp.await(app.client.sendOneWayCommand(TENANT, "dev-1", "reboot", Buffer.buffer("{}"))));
        assertEquals(503, ServiceInvocationException.extractStatusCode(oneWay.getCause()));
        assertEquals(2, sandbox.stats().commandsReleased());
    }

    @Test
    void oneWayCommandIsAcceptedWhenTheDeviceAcceptsIt() throws Exception {
        final NorthApp app = app();
        final RawDevice gw = gateway();
        final BlockingQueue<Message> seen = answering(gw, "command");
        NorthApp.await(app.client.sendOneWayCommand(TENANT, "cam-1", "reboot", Buffer.buffer("{}")));
        final Message command = seen.poll(1, TimeUnit.SECONDS);
        assertNull(command.getReplyTo());
        assertEquals("reboot", command.getSubject());
    }

    @Test
    void commandLinksForOthersOrWrongAddressesAreRefused() throws Exception {
        final RawDevice gw = gateway();
        var r = gw.openCommandReceiver("command//other-1", (d, m) -> { });
        assertFalse(r.opened());
        assertEquals(Symbol.valueOf("amqp:unauthorized-access"), r.error().getCondition());
        r = gw.openCommandReceiver("command/t2/dev-1", (d, m) -> { });
        assertEquals(Symbol.valueOf("amqp:unauthorized-access"), r.error().getCondition());
        r = gw.openCommandReceiver("telemetry", (d, m) -> { });
        assertEquals(Symbol.valueOf("amqp:not-found"), r.error().getCondition());
        assertTrue(gw.openCommandReceiver("command/t/dev-1", (d, m) -> { }).opened());
    }

    @Test
    void commandLinksProduceEmptyNotificationEvents() throws Exception {
        final var events = app().events(TENANT);
        final RawDevice gw = gateway();
        final var link = gw.openCommandReceiver("command", (d, m) -> { });
        assertTrue(link.opened());
        final DownstreamMessage<AmqpMessageContext> open = NorthApp.poll(events, Duration.ofSeconds(5));
        assertNotNull(open);
        assertEquals("application/vnd.eclipse-hono-empty-notification", open.getContentType());
        assertEquals("gw-a", open.getDeviceId());
        assertEquals(-1, open.getTimeTillDisconnect());
        assertTrue(open.isSenderConnected());
        assertEquals("hono-amqp", open.getMessageContext().getRawMessage().getApplicationProperties().getValue()
                .get("orig_adapter"));

        gw.run(() -> link.link().close());
        final DownstreamMessage<AmqpMessageContext> closed = NorthApp.poll(events, Duration.ofSeconds(5));
        assertNotNull(closed);
        assertEquals(0, closed.getTimeTillDisconnect());
        assertFalse(closed.isSenderConnected());
        eventually(() -> sandbox.stats().notificationsSent() == 2, "two notifications counted");
    }

    @Test
    void malformedCommandResponseIsRejectedAndUnknownReplyIdReleased() throws Exception {
        final RawDevice gw = gateway();
        final Message noStatus = message("command_response/t/cam-1/0abc", "application/json", "{}");
        noStatus.setCorrelationId("c-1");
        DeviceSideTest.assertRejected(gw.sendAndWait(noStatus), "hono:bad-request");
        final Message nobodyWaiting = message("command_response/t/cam-1/0abc", "application/json", "{}");
        nobodyWaiting.setCorrelationId("c-1");
        nobodyWaiting.setApplicationProperties(new ApplicationProperties(java.util.Map.of("status", 200)));
        assertInstanceOf(org.apache.qpid.proton.amqp.messaging.Released.class, gw.sendAndWait(nobodyWaiting));
        final Message forOther = message("command_response/t/other-1/0abc", "application/json", "{}");
        forOther.setCorrelationId("c-1");
        forOther.setApplicationProperties(new ApplicationProperties(java.util.Map.of("status", 200)));
        DeviceSideTest.assertRejected(gw.sendAndWait(forOther), "amqp:unauthorized-access");
    }
}
