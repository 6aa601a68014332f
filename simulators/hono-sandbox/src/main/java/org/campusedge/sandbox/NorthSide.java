package org.campusedge.sandbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonQoS;
import io.vertx.proton.ProtonReceiver;
import io.vertx.proton.ProtonSender;
import io.vertx.proton.ProtonServer;

/**
 * The northbound listener: what a Hono application client sees of the AMQP messaging network.
 * Consumers attach receiver links to {@code telemetry/TENANT}, {@code event/TENANT} and
 * {@code command_response/TENANT/REPLY_ID}; applications attach sender links to
 * {@code command/TENANT}. Runs on the sandbox's single vert.x context.
 */
final class NorthSide implements Northbound {

    private static final Logger LOG = LoggerFactory.getLogger(NorthSide.class);

    /** A northbound consumer's link. */
    private record Consumer(String address, ProtonSender sender, ProtonConnection connection) {
    }

    private final Vertx vertx;
    private final SandboxConfig config;
    private final SandboxStats stats;
    private final CommandRouter commands;
    private final Set<ProtonConnection> connections = new HashSet<>();
    private final Map<String, List<Consumer>> consumers = new HashMap<>();
    private int next;

    NorthSide(final Vertx vertx, final SandboxConfig config, final SandboxStats stats, final CommandRouter commands) {
        this.vertx = vertx;
        this.config = config;
        this.stats = stats;
        this.commands = commands;
    }

    ProtonServer createServer() {
        final String[] mechanisms = config.northUser() == null
                ? new String[] {SaslServerAuthenticator.PLAIN, SaslServerAuthenticator.ANONYMOUS}
                : new String[] {SaslServerAuthenticator.PLAIN};
        return ProtonServer.create(vertx, config.serverOptions())
                .saslAuthenticatorFactory(() -> new SaslServerAuthenticator(this::verify, mechanisms))
                .connectHandler(this::onConnect);
    }

    private Object verify(final String mechanism, final String user, final String password) {
        stats.login();
        if (config.northUser() == null) {
            return user == null ? "anonymous" : user;
        }
        return SaslServerAuthenticator.PLAIN.equals(mechanism)
                && config.northUser().equals(user) && config.northPassword().equals(password) ? user : null;
    }

    private void onConnect(final ProtonConnection con) {
        connections.add(con);
        stats.northConnection(1);
        Links.acceptSessions(con);
        con.openHandler(ar -> {
            if (ar.succeeded()) {
                con.setContainer("hono-sandbox-messaging");
                con.open();
            }
        });
        con.closeHandler(ar -> {
            Links.drop(con);
            gone(con);
        });
        con.disconnectHandler(this::gone);
        con.senderOpenHandler(sender -> openConsumer(con, sender));
        con.receiverOpenHandler(receiver -> openCommandSender(con, receiver));
    }

    private void gone(final ProtonConnection con) {
        if (connections.remove(con)) {
            stats.northConnection(-1);
            consumers.values().forEach(list -> list.removeIf(c -> c.connection() == con));
        }
    }

    /** The application opens a receiver: we send to it. */
    private void openConsumer(final ProtonConnection con, final ProtonSender sender) {
        final String source = sender.getRemoteSource() == null ? null : sender.getRemoteSource().getAddress();
        final Address a = AddressParser.parse(source);
        final boolean valid = a != null && a.tenantId() != null && switch (a.endpoint()) {
            case Address.TELEMETRY, Address.EVENT -> a.pathWithoutBase() == null;
            case Address.COMMAND_RESPONSE -> a.pathWithoutBase() != null && !a.pathWithoutBase().isEmpty();
            default -> false;
        };
        if (!valid) {
            LOG.debug("refusing northbound consumer for [{}]", source);
            Links.refuse(sender, Outcome.NOT_FOUND, "no such node: " + source);
            return;
        }
        final Consumer consumer = new Consumer(a.toString(), sender, con);
        sender.setSource(sender.getRemoteSource());
        sender.setQoS(sender.getRemoteQoS() == null ? ProtonQoS.AT_LEAST_ONCE : sender.getRemoteQoS());
        Links.closeOnRemoteDetach(sender, () -> remove(consumer));
        sender.open();
        consumers.computeIfAbsent(consumer.address(), k -> new ArrayList<>()).add(consumer);
        LOG.debug("northbound consumer attached to [{}]", consumer.address());
    }

    private void remove(final Consumer consumer) {
        final List<Consumer> list = consumers.get(consumer.address());
        if (list != null) {
            list.remove(consumer);
        }
    }

    /** The application opens a sender on {@code command/TENANT}: we receive commands. */
    private void openCommandSender(final ProtonConnection con, final ProtonReceiver receiver) {
        final String target = receiver.getRemoteTarget() == null ? null : receiver.getRemoteTarget().getAddress();
        final Address a = AddressParser.parse(target);
        if (a == null || !Address.COMMAND.equals(a.endpoint()) || a.tenantId() == null || a.pathWithoutBase() != null) {
            Links.refuse(receiver, Outcome.NOT_FOUND, "no such node: " + target);
            return;
        }
        final String tenantId = a.tenantId();
        receiver.setTarget(receiver.getRemoteTarget());
        receiver.setQoS(receiver.getRemoteQoS() == null ? ProtonQoS.AT_LEAST_ONCE : receiver.getRemoteQoS());
        receiver.setAutoAccept(false);
        // credit is flowed as soon as the link is open: Hono's client waits only ~20 ms for it
        receiver.setPrefetch(100);
        receiver.handler((delivery, message) -> commands.route(tenantId, message)
                .onComplete(ar -> {
                    final Outcome outcome = ar.succeeded() ? ar.result() : Outcome.released("internal error");
                    if (!delivery.remotelySettled()) {
                        delivery.disposition(outcome.state(), true);
                    }
                }));
        Links.closeOnRemoteDetach(receiver, () -> { });
        receiver.open();
    }

    /**
     * Hands a message to one consumer of {@code address} that has credit (round robin).
     *
     * @param address        {@code telemetry/T}, {@code event/T} or {@code command_response/T/ID}
     * @param message        the northbound message
     * @param waitForOutcome whether to wait for the consumer's disposition (else: accepted once sent)
     * @return the outcome; released when there is no consumer or no credit
     */
    @Override
    public Future<Outcome> forward(final String address, final Message message, final boolean waitForOutcome) {
        return send(address, message, waitForOutcome, true);
    }

    private Future<Outcome> send(final String address, final Message message, final boolean waitForOutcome,
            final boolean countAsForwarded) {
        final List<Consumer> list = consumers.getOrDefault(address, List.of());
        if (list.isEmpty()) {
            return Future.succeededFuture(Outcome.released("no consumer"));
        }
        for (int i = 0; i < list.size(); i++) {
            final Consumer c = list.get(Math.floorMod(next + i, list.size()));
            if (c.sender().isOpen() && !c.sender().sendQueueFull()) {
                next = next + i + 1;
                final Future<Outcome> sent = Links.sendAndWait(vertx, c.sender(), message, config.forwardTimeout());
                if (countAsForwarded) {
                    stats.forwarded();
                    final String eventId = Uploads.eventId(message);
                    if (eventId != null) {
                        stats.forwardedEvent(eventId);
                    }
                }
                return waitForOutcome ? sent : Future.succeededFuture(Outcome.accepted());
            }
        }
        return Future.succeededFuture(Outcome.released("no credit"));
    }

    /** Sends Hono's empty notification for a device's command link, if anybody consumes events. */
    @Override
    public void notifyTtd(final String tenantId, final String deviceId, final int ttd) {
        send(Address.EVENT + "/" + tenantId, NorthboundMessages.emptyNotification(tenantId, deviceId, ttd), false, false)
                .onSuccess(o -> {
                    if (o.isAccepted()) {
                        stats.notificationSent();
                    }
                });
    }

    /** Closes every northbound connection. */
    @Override
    public Future<Void> closeAll() {
        for (final ProtonConnection con : List.copyOf(connections)) {
            Links.drop(con);
            gone(con);
        }
        return Future.succeededFuture();
    }
}
