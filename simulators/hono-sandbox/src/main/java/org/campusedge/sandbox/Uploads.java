package org.campusedge.sandbox;

import java.time.Duration;

import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonDelivery;
import io.vertx.proton.ProtonReceiver;

/**
 * A device's anonymous sender link and the messages on it: telemetry, events and command
 * responses, checked and forwarded northbound, then settled as Hono's AMQP adapter does
 * ({@code accepted}; {@code rejected} for the sender's faults; {@code released} when nobody
 * downstream took it). Applies the {@link Faults}. Runs on the sandbox's single vert.x context.
 */
final class Uploads {

    private static final Logger LOG = LoggerFactory.getLogger(Uploads.class);

    /** The credit Hono's adapter gives a device's sender link. */
    static final int PREFETCH = 30;

    private final Vertx vertx;
    private final Registry registry;
    private final SandboxStats stats;
    private final Faults faults;
    private final Northbound north;

    Uploads(final Vertx vertx, final Registry registry, final SandboxStats stats, final Faults faults,
            final Northbound north) {
        this.vertx = vertx;
        this.registry = registry;
        this.stats = stats;
        this.faults = faults;
        this.north = north;
    }

    /** The device opens a sender link: we receive on it (anonymous terminus only). */
    void open(final DeviceIdentity device, final ProtonReceiver receiver) {
        final String target = receiver.getRemoteTarget() == null ? null : receiver.getRemoteTarget().getAddress();
        if (target != null && !target.isEmpty()) {
            LOG.debug("{} asked for target [{}]; refusing link", device, target);
            Links.refuse(receiver, Outcome.BAD_REQUEST, "container supports anonymous terminus only");
            return;
        }
        receiver.setTarget(receiver.getRemoteTarget());
        receiver.setQoS(receiver.getRemoteQoS());
        receiver.setPrefetch(PREFETCH);
        receiver.setAutoAccept(false);
        receiver.handler((delivery, message) -> process(device, delivery, message)
                .otherwise(t -> Outcome.released("internal error: " + t))
                .onSuccess(outcome -> settle(delivery, outcome, eventId(message))));
        Links.closeOnRemoteDetach(receiver, () -> { });
        receiver.open();
    }

    private Future<Outcome> process(final DeviceIdentity device, final ProtonDelivery delivery, final Message msg) {
        final boolean presettled = delivery.remotelySettled();
        final Address a = AddressParser.parse(msg.getAddress());
        if (a == null || Address.COMMAND.equals(a.endpoint())) {
            return done(Outcome.rejected(Outcome.NOT_FOUND, "unsupported endpoint: " + msg.getAddress()));
        }
        if (Address.EVENT.equals(a.endpoint()) && presettled) {
            return done(new Outcome(Outcome.rejected(Outcome.BAD_REQUEST, "").state(), "presettled event"));
        }
        if (a.tenantId() != null && a.resourceId() == null) {
            return done(Outcome.rejected(Outcome.BAD_REQUEST, "message address must not contain tenant ID only"));
        }
        if (a.tenantId() != null && !a.tenantId().equals(device.tenantId())) {
            return done(Outcome.rejected(Outcome.UNAUTHORIZED, "can only publish for device of same tenant"));
        }
        final String tenantId = device.tenantId();
        final String deviceId = a.resourceId() == null ? device.deviceId() : a.resourceId();
        if (!registry.mayActFor(device, deviceId)) {
            return done(Outcome.rejected(Outcome.UNAUTHORIZED,
                    device.deviceId() + " is not authorized to act for device " + deviceId));
        }
        switch (faults.mode()) {
            case RELEASE:
                return done(Outcome.released("fault: release"));
            case REJECT:
                return done(Outcome.rejected(Outcome.RESOURCE_LIMIT, "sandbox fault: message limit exceeded"));
            default:
                break;
        }
        if (Address.COMMAND_RESPONSE.equals(a.endpoint())) {
            return commandResponse(tenantId, deviceId, a, msg, presettled);
        }
        if (NorthboundMessages.EMPTY_NOTIFICATION.equals(msg.getContentType()) && hasPayload(msg)) {
            return done(Outcome.rejected(Outcome.BAD_REQUEST, "content type [" + msg.getContentType()
                    + "] does not match payload"));
        }
        final Message out = NorthboundMessages.telemetryOrEvent(a.endpoint(), tenantId, deviceId, msg, presettled);
        return north.forward(a.endpoint() + "/" + tenantId, out, !presettled);
    }

    private Future<Outcome> commandResponse(final String tenantId, final String deviceId, final Address a,
            final Message msg, final boolean presettled) {
        final String replyToId = CommandRouter.originalReplyToId(a.pathWithoutBase(), deviceId);
        final Integer status = status(msg);
        if (replyToId == null || !(msg.getCorrelationId() instanceof String corr) || status == null) {
            return done(Outcome.rejected(Outcome.BAD_REQUEST, "malformed command response message"));
        }
        final Message out = NorthboundMessages.commandResponse(tenantId, deviceId, replyToId, corr, status, msg);
        return north.forward(Address.COMMAND_RESPONSE + "/" + tenantId + "/" + replyToId, out, !presettled)
                .onSuccess(o -> {
                    if (o.isAccepted()) {
                        stats.commandResponseRouted();
                    }
                });
    }

    /** The {@code status} application property if it is a valid Hono status (2xx, 4xx, 5xx). */
    private static Integer status(final Message msg) {
        if (msg.getApplicationProperties() == null || msg.getApplicationProperties().getValue() == null) {
            return null;
        }
        final Object v = msg.getApplicationProperties().getValue().get(NorthboundMessages.STATUS);
        if (!(v instanceof Number n)) {
            return null;
        }
        final int s = n.intValue();
        return s < 200 || s >= 300 && s < 400 || s >= 600 ? null : s;
    }

    private static boolean hasPayload(final Message msg) {
        return msg.getBody() instanceof Data d && d.getValue() != null && d.getValue().getLength() > 0
                || msg.getBody() != null && !(msg.getBody() instanceof Data);
    }

    private static Future<Outcome> done(final Outcome outcome) {
        return Future.succeededFuture(outcome);
    }

    private static final java.util.regex.Pattern EVENT_ID = java.util.regex.Pattern.compile("\"id\"\\s*:\\s*\"([^\"]{1,100})\"");

    /** The CloudEvent id of a structured JSON payload, or null: what the city de-duplicates by. */
    static String eventId(final Message msg) {
        if (!(msg.getBody() instanceof Data d) || d.getValue() == null) {
            return null;
        }
        final java.util.regex.Matcher m = EVENT_ID.matcher(new String(d.getValue().getArray(), d.getValue().getArrayOffset(),
                Math.min(d.getValue().getLength(), 4096), java.nio.charset.StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }

    private void settle(final ProtonDelivery delivery, final Outcome outcome, final String eventId) {
        final Duration delay = faults.delay();
        if (delay.isZero()) {
            doSettle(delivery, outcome, eventId);
        } else {
            vertx.setTimer(Math.max(1, delay.toMillis()), id -> doSettle(delivery, outcome, eventId));
        }
    }

    private void doSettle(final ProtonDelivery delivery, final Outcome outcome, final String eventId) {
        if (outcome.isAccepted() && eventId != null) {
            stats.acceptedEvent(eventId);
        }
        if (delivery.remotelySettled()) {
            if (outcome.isAccepted()) {
                stats.accepted(1);
            } else {
                stats.dropped(outcome.reason());
            }
            LOG.debug("presettled message: {}", outcome.reason());
        } else {
            if (outcome.isAccepted()) {
                stats.accepted(1);
            } else if (outcome.isRejected()) {
                stats.rejected(outcome.reason());
            } else {
                stats.released(1);
            }
            LOG.debug("settling device message: {} ({})", outcome.state(), outcome.reason());
        }
        try {
            delivery.disposition(outcome.state(), true);
        } catch (final RuntimeException e) {
            LOG.debug("cannot settle, link or connection gone", e);
        }
    }
}
