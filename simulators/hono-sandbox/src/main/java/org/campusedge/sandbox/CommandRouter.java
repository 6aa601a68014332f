package org.campusedge.sandbox;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonSender;

/**
 * Routes commands from applications ({@code command/TENANT}) to devices' command links: first a
 * link the device (or a gateway for it) opened for exactly that device, else the generic
 * {@code command} link of a connected gateway that may act for it. Also translates reply-to
 * addresses between the application's form ({@code command_response/TENANT/REPLY_ID}) and the
 * device-facing form Hono uses ({@code command_response/TENANT/DEVICE/<flag>REPLY_ID}).
 * Runs on the sandbox's single vert.x context.
 */
final class CommandRouter {

    private static final Logger LOG = LoggerFactory.getLogger(CommandRouter.class);

    /**
     * A device-side command link.
     *
     * @param sender   the link to the device
     * @param owner    who opened it
     * @param tenantId the tenant
     * @param deviceId the device it is for (the gateway itself for a generic link)
     * @param generic  a gateway's {@code command} link: all devices it may act for
     */
    record Link(ProtonSender sender, DeviceIdentity owner, String tenantId, String deviceId, boolean generic) {
    }

    private final Vertx vertx;
    private final Registry registry;
    private final SandboxStats stats;
    private final Duration timeout;
    private final Map<String, Link> specific = new HashMap<>();
    private final Map<String, Link> generic = new HashMap<>();

    CommandRouter(final Vertx vertx, final Registry registry, final SandboxStats stats, final Duration timeout) {
        this.vertx = vertx;
        this.registry = registry;
        this.stats = stats;
        this.timeout = timeout;
    }

    void register(final Link link) {
        (link.generic() ? generic : specific).put(key(link.tenantId(), link.deviceId()), link);
    }

    void unregister(final Link link) {
        (link.generic() ? generic : specific).remove(key(link.tenantId(), link.deviceId()), link);
    }

    /**
     * Routes one command received on {@code command/TENANT}.
     *
     * @param linkTenant the tenant of the application's link
     * @param command    the command message
     * @return the outcome for the application: the device's disposition, released if no device
     *         link (or no credit, or no disposition in time), rejected if the command is malformed
     */
    Future<Outcome> route(final String linkTenant, final Message command) {
        final Address to = AddressParser.parse(command.getAddress());
        if (to == null || !Address.COMMAND.equals(to.endpoint()) || to.tenantId() == null || to.resourceId() == null) {
            return bad("address is empty or invalid: " + command.getAddress());
        }
        if (!linkTenant.equals(to.tenantId())) {
            return bad("address not targeted at tenant " + linkTenant + ": " + command.getAddress());
        }
        if (command.getSubject() == null) {
            return bad("subject not set");
        }
        final Object corr = command.getCorrelationId() != null ? command.getCorrelationId() : command.getMessageId();
        if (corr != null && !(corr instanceof String)) {
            return bad("message/correlation-id is not of type string");
        }
        String replyToId = null;
        if (command.getReplyTo() != null) {
            final Address reply = AddressParser.parse(command.getReplyTo());
            if (reply == null || !Address.COMMAND_RESPONSE.equals(reply.endpoint())
                    || !linkTenant.equals(reply.tenantId()) || reply.pathWithoutBase() == null
                    || reply.pathWithoutBase().isEmpty()) {
                return bad("reply-to not a command response address of tenant " + linkTenant + ": "
                        + command.getReplyTo());
            }
            if (corr == null) {
                return bad("neither message-id nor correlation-id is set");
            }
            replyToId = reply.pathWithoutBase();
        }
        final String deviceId = to.resourceId();
        final Link link = find(linkTenant, deviceId);
        if (link == null || !link.sender().isOpen() || link.sender().sendQueueFull()) {
            LOG.debug("no command link (with credit) for device [{}/{}]", linkTenant, deviceId);
            stats.commandReleased();
            return Future.succeededFuture(Outcome.released(link == null ? "no command consumer" : "no credit"));
        }
        final Message out = Message.Factory.create();
        out.setAddress(Address.COMMAND + "/" + linkTenant + "/" + deviceId);
        out.setCorrelationId(corr);
        out.setSubject(command.getSubject());
        out.setContentType(command.getContentType());
        out.setBody(command.getBody());
        if (!link.owner().deviceId().equals(deviceId)) {
            final Map<String, Object> props = new HashMap<>();
            props.put(NorthboundMessages.DEVICE_ID, deviceId);
            out.setApplicationProperties(new ApplicationProperties(props));
        }
        if (replyToId != null) {
            out.setReplyTo(deviceFacingReplyTo(linkTenant, deviceId, replyToId));
        }
        stats.commandRouted();
        return Links.sendAndWait(vertx, link.sender(), out, timeout);
    }

    private Link find(final String tenantId, final String deviceId) {
        final Link exact = specific.get(key(tenantId, deviceId));
        if (exact != null) {
            return exact;
        }
        final Link own = generic.get(key(tenantId, deviceId));
        if (own != null) {
            return own;
        }
        for (final Link l : generic.values()) {
            if (l.tenantId().equals(tenantId) && registry.mayActFor(l.owner(), deviceId)) {
                return l;
            }
        }
        return null;
    }

    private static Future<Outcome> bad(final String why) {
        return Future.succeededFuture(Outcome.rejected(Outcome.BAD_REQUEST, why));
    }

    private static String key(final String tenantId, final String deviceId) {
        return tenantId + "/" + deviceId;
    }

    /**
     * Hono's device-facing reply-to ({@code Commands.getDeviceFacingReplyToId} with messaging type
     * AMQP): {@code command_response/TENANT/DEVICE/} + flag + reply id, where flag {@code 1} says
     * that the application's reply id started with {@code DEVICE/} (which is then not repeated).
     */
    static String deviceFacingReplyTo(final String tenantId, final String deviceId, final String replyToId) {
        final boolean containsDevice = replyToId.startsWith(deviceId + "/");
        final String rest = containsDevice ? replyToId.substring(deviceId.length() + 1) : replyToId;
        return Address.COMMAND_RESPONSE + "/" + tenantId + "/" + deviceId + "/" + (containsDevice ? "1" : "0") + rest;
    }

    /**
     * The inverse of {@link #deviceFacingReplyTo}.
     *
     * @param pathWithoutBase what follows {@code command_response/TENANT/} in a device's response
     * @param deviceId        the device (its first segment)
     * @return the application's reply id, or {@code null} if malformed
     */
    static String originalReplyToId(final String pathWithoutBase, final String deviceId) {
        final String prefix = deviceId + "/";
        if (pathWithoutBase == null || !pathWithoutBase.startsWith(prefix) || pathWithoutBase.length() <= prefix.length()) {
            return null;
        }
        final char flag = pathWithoutBase.charAt(prefix.length());
        if (flag < '0' || flag > '7') {
            return null;
        }
        final String rest = pathWithoutBase.substring(prefix.length() + 1);
        final String original = ((flag - '0') & 1) == 1 ? prefix + rest : rest;
        return original.isEmpty() ? null : original;
    }
}
