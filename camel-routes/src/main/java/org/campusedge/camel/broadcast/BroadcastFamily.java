package org.campusedge.camel.broadcast;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.BroadcastRequest;
import org.campusedge.api.Broadcasts;
import org.campusedge.api.Device;
import org.campusedge.api.Families;
import org.campusedge.camel.family.DeviceFamily;
import org.campusedge.camel.family.FamilyContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broadcast (PA) controllers: commanded over their HTTP API (play, stop, zone status) through a
 * command route per controller, reporting plays and faults to the device HTTP port, and asked for
 * their zones every {@code camel.controllerPollSeconds} so that a dead one goes offline (and is on
 * record as a {@code broadcast.fault}) before anyone needs it. Offers {@link Broadcasts}.
 */
public final class BroadcastFamily implements DeviceFamily {

    private static final Logger LOG = LoggerFactory.getLogger(BroadcastFamily.class);

    /** A command the gateway sent, with who asked and what the controller said. */
    public static final String REQUESTED = Families.BROADCAST_REQUESTED;
    public static final String PLAYED = Families.BROADCAST_PLAYED;
    /** A zone or amplifier fault the controller reported, or the controller unreachable. */
    public static final String FAULT = Families.BROADCAST_FAULT;

    private volatile GatewayBroadcasts broadcasts;
    private ScheduledFuture<?> poll;

    @Override
    public String name() {
        return Families.BROADCAST;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PUSH, Capability.COMMAND, Capability.POLL);
    }

    @Override
    public Set<String> protocols() {
        return Set.of("http-pa");
    }

    @Override
    public Set<String> eventKinds() {
        return Set.of(REQUESTED, PLAYED, FAULT);
    }

    @Override
    public List<String> templates() {
        return List.of("broadcast.yaml", "broadcast-command.yaml");
    }

    @Override
    public void bind(FamilyContext c) {
        c.bind("broadcastStatus", new BroadcastStatusNormaliser(c.registry()));
        c.bind("broadcastCommand", new BroadcastCommand(c.registry(), c.counters(),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build(), Duration.ofSeconds(5), c.credentials()));
    }

    @Override
    public void started(FamilyContext c) {
        broadcasts = new GatewayBroadcasts(c.commands());
        int seconds = c.setting("controllerPollSeconds", Integer.class, 60);
        poll = c.timer().scheduleWithFixedDelay(() -> pollControllers(c), 5, seconds, TimeUnit.SECONDS);
    }

    /** Each controller that has its command route is asked for its zones; the answer (or none) is what the route records. */
    private void pollControllers(FamilyContext c) {
        try {
            for (Device d : c.devicesWithRoute(name(), "broadcast-command-")) {
                broadcasts.send(BroadcastRequest.status(d.id()));
            }
        } catch (RuntimeException e) {
            LOG.warn("Polling the broadcast controllers failed: {}", e.toString());
        }
    }

    @Override
    public Map<Class<?>, Object> services() {
        GatewayBroadcasts b = broadcasts;
        return b == null ? Map.of() : Map.of(Broadcasts.class, b);
    }

    @Override
    public void close() {
        if (poll != null) {
            poll.cancel(false);
        }
    }
}
