package org.campusedge.sandbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.qpid.proton.amqp.Symbol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Vertx;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonQoS;
import io.vertx.proton.ProtonSender;
import io.vertx.proton.ProtonServer;

/**
 * The device-side listener, behaving like Hono's AMQP protocol adapter: SASL PLAIN
 * {@code auth-id@tenant} against the {@link Registry}, {@code ANONYMOUS-RELAY}, one anonymous
 * sender link per device for uploads (see {@link Uploads}) and receiver links on {@code command},
 * {@code command//DEV} or {@code command/TENANT/DEV} for commands (see {@link CommandRouter}).
 * Runs on the sandbox's single vert.x context.
 */
final class DeviceSide {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceSide.class);
    private static final Symbol ANONYMOUS_RELAY = Symbol.valueOf("ANONYMOUS-RELAY");

    private final Vertx vertx;
    private final SandboxConfig config;
    private final SandboxStats stats;
    private final Northbound north;
    private final CommandRouter commands;
    private final Uploads uploads;
    private final Map<ProtonConnection, List<CommandRouter.Link>> connections = new HashMap<>();

    DeviceSide(final Vertx vertx, final SandboxConfig config, final SandboxStats stats, final Faults faults,
            final Northbound north, final CommandRouter commands) {
        this.vertx = vertx;
        this.config = config;
        this.stats = stats;
        this.north = north;
        this.commands = commands;
        this.uploads = new Uploads(vertx, config.registry(), stats, faults, north);
    }

    ProtonServer createServer() {
        return ProtonServer.create(vertx, config.serverOptions())
                .saslAuthenticatorFactory(() -> new SaslServerAuthenticator(this::verify, SaslServerAuthenticator.PLAIN))
                .connectHandler(this::onConnect);
    }

    /** {@code auth-id@tenant} / password against the registry. */
    private Object verify(final String mechanism, final String user, final String password) {
        stats.login();
        final int at = user == null ? -1 : user.lastIndexOf('@');
        if (at <= 0 || at == user.length() - 1) {
            LOG.debug("device login [{}] refused: user name must be auth-id@tenant", user);
            return null;
        }
        final DeviceIdentity id = config.registry()
                .authenticate(user.substring(0, at), user.substring(at + 1), password).orElse(null);
        if (id == null) {
            LOG.debug("device login [{}] refused", user);
        }
        return id;
    }

    private void onConnect(final ProtonConnection con) {
        final DeviceIdentity device = SaslServerAuthenticator.principal(con, DeviceIdentity.class);
        if (device == null) {
            Links.drop(con);
            return;
        }
        connections.put(con, new ArrayList<>());
        stats.deviceConnection(1);
        Links.acceptSessions(con);
        con.openHandler(ar -> {
            if (ar.succeeded()) {
                con.setContainer(NorthboundMessages.ADAPTER);
                con.setOfferedCapabilities(new Symbol[] {ANONYMOUS_RELAY});
                con.open();
                LOG.debug("device connection from {} open", device);
            }
        });
        con.closeHandler(ar -> {
            Links.drop(con);
            gone(con);
        });
        con.disconnectHandler(this::gone);
        con.receiverOpenHandler(receiver -> uploads.open(device, receiver));
        con.senderOpenHandler(sender -> openCommandLink(con, device, sender));
    }

    private void gone(final ProtonConnection con) {
        final List<CommandRouter.Link> links = connections.remove(con);
        if (links != null) {
            stats.deviceConnection(-1);
            links.forEach(this::commandLinkGone);
            links.clear();
        }
    }

    /** The device opens a receiver: we send it commands. */
    private void openCommandLink(final ProtonConnection con, final DeviceIdentity device, final ProtonSender sender) {
        final String source = sender.getRemoteSource() == null ? null : sender.getRemoteSource().getAddress();
        final Address a = AddressParser.parse(source);
        if (a == null || !Address.COMMAND.equals(a.endpoint())) {
            Links.refuse(sender, Outcome.NOT_FOUND, "no such node");
            return;
        }
        if (a.tenantId() != null && a.resourceId() == null) {
            Links.refuse(sender, Outcome.BAD_REQUEST, "address must not contain tenant ID only");
            return;
        }
        if (a.tenantId() != null && !a.tenantId().equals(device.tenantId())) {
            Links.refuse(sender, Outcome.UNAUTHORIZED, "can only subscribe for devices of same tenant");
            return;
        }
        final String deviceId = a.resourceId() == null ? device.deviceId() : a.resourceId();
        if (!config.registry().mayActFor(device, deviceId)) {
            Links.refuse(sender, Outcome.UNAUTHORIZED, device.deviceId() + " may not act for " + deviceId);
            return;
        }
        final boolean generic = a.resourceId() == null && device.gateway();
        final CommandRouter.Link link = new CommandRouter.Link(sender, device, device.tenantId(), deviceId, generic);
        sender.setSource(sender.getRemoteSource());
        sender.setTarget(sender.getRemoteTarget());
        sender.setQoS(ProtonQoS.AT_LEAST_ONCE);
        Links.closeOnRemoteDetach(sender, () -> {
            final List<CommandRouter.Link> links = connections.get(con);
            if (links != null && links.remove(link)) {
                commandLinkGone(link);
            }
        });
        sender.open();
        commands.register(link);
        connections.get(con).add(link);
        LOG.debug("command link [{}] for {} open (generic: {})", source, deviceId, generic);
        north.notifyTtd(device.tenantId(), deviceId, -1);
    }

    private void commandLinkGone(final CommandRouter.Link link) {
        commands.unregister(link);
        north.notifyTtd(link.tenantId(), link.deviceId(), 0);
    }

    /** Closes every device connection. */
    void closeAll() {
        for (final ProtonConnection con : List.copyOf(connections.keySet())) {
            Links.drop(con);
            gone(con);
        }
    }
}
