package org.campusedge.health.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.campusedge.api.DeviceHealth.Presence;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.CampusHome;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCounters;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks which devices are talking: every few seconds it reads when each device last sent anything
 * (the connectors' {@link DeviceCounters}), turns a silent device's next message into a
 * {@code device.online} event and a silence longer than the profile's {@code offlineAfter} into
 * {@code device.offline}, published on the bus like any event. Polling the counters rather than
 * subscribing to the bus keeps it off the path of the 100,000 readings a second.
 */
@Component(service = DeviceHealth.class, immediate = true, configurationPid = DevicePresence.PID)
@Designate(ocd = DevicePresence.Config.class)
public final class DevicePresence implements DeviceHealth {

    public static final String PID = "org.campusedge.health";

    private static final Logger LOG = LoggerFactory.getLogger(DevicePresence.class);

    /** How often silences are checked. */
    @ObjectClassDefinition(name = "Campus Edge device health", description = "Device presence tracking")
    public @interface Config {
        @AttributeDefinition(description = "Seconds between checks for devices that went quiet")
        int checkIntervalSeconds() default 5;

        @AttributeDefinition(description = "File rewritten at each check with every device's presence and counts (empty: none)")
        String reportFile() default "run/devices.tsv";

        @AttributeDefinition(description = "File rewritten at each check with each network server's worst source addresses"
                + " (empty: none)")
        String sourcesFile() default "run/sources.tsv";
    }

    private final EventBus bus;
    private final DeviceRegistry registry;
    private final DeviceCounters counters;
    private final Clock clock;
    private final PresenceTracker tracker;
    private final ScheduledExecutorService checker;
    private final DeviceReport report;

    @Activate
    public DevicePresence(@Reference(name = "bus") EventBus bus, @Reference(name = "registry") DeviceRegistry registry,
                          @Reference(name = "counters") DeviceCounters counters, Config config) {
        this(bus, registry, counters, config.checkIntervalSeconds(), Clock.systemUTC(),
                config.reportFile().isBlank() ? null : new DeviceReport(CampusHome.resolve(config.reportFile())));
    }

    DevicePresence(EventBus bus, DeviceRegistry registry, DeviceCounters counters, int checkIntervalSeconds, Clock clock,
                   DeviceReport report) {
        this.report = report;
        this.bus = bus;
        this.registry = registry;
        this.counters = counters;
        this.clock = clock;
        this.tracker = new PresenceTracker(clock.instant());
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "device-presence");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, checkIntervalSeconds);
        checker.scheduleWithFixedDelay(this::check, every, every, TimeUnit.SECONDS);
    }

    void check() {
        try {
            for (DeviceCounters.Counts c : counters.all()) {
                Optional<Device> device = registry.device(c.deviceId());
                if (device.isPresent() && c.lastSeen() != null) {
                    tracker.seen(device.get(), c.lastSeen()).ifPresent(this::publish);
                }
            }
            List<CampusEvent> offline = tracker.check(clock.instant(), registry.devices(), registry::profile);
            if (!offline.isEmpty()) {
                LOG.info("{} device(s) went offline: {}", offline.size(),
                        offline.stream().map(CampusEvent::deviceId).limit(10).toList());
                bus.publish(offline).exceptionally(this::logFailure);
            }
            if (report != null) {
                report.write(devices(), counters.all());
            }
        } catch (RuntimeException | IOException e) {
            LOG.warn("Presence check failed: {}", e.toString());
        }
    }

    private void publish(CampusEvent online) {
        bus.publish(List.of(online)).exceptionally(this::logFailure);
    }

    private Void logFailure(Throwable t) {
        LOG.warn("A device presence event could not be stored: {}", t.toString());
        return null;
    }

    @Override
    public List<State> devices() {
        java.util.Map<String, DeviceCounters.Counts> counts = new java.util.HashMap<>();
        for (DeviceCounters.Counts c : counters.all()) {
            counts.put(c.deviceId(), c);
        }
        Instant now = clock.instant();
        return tracker.states(registry.devices()).stream().map(s -> failing(s, counts.get(s.deviceId()), now) ? new State(s.deviceId(),
                s.family(), Presence.FAILING, s.lastSeen(), s.since()) : s).toList();
    }

    /**
     * Online but failing: it sent something that was refused within its offlineAfter, and nothing of
     * it was accepted for that long (or ever, when it has been online that long).
     */
    private boolean failing(State s, DeviceCounters.Counts c, Instant now) {
        if (s.presence() != Presence.ONLINE || c == null || c.rejected() == 0 || c.lastErrorAt() == null) {
            return false;
        }
        Duration window = registry.device(s.deviceId()).flatMap(d -> registry.profile(d.profileId())).map(p -> p.offlineAfter())
                .orElse(Duration.ofMinutes(2));
        Instant since = now.minus(window);
        boolean refusedLately = c.lastErrorAt().isAfter(since);
        boolean nothingGood = c.lastAccepted() == null ? s.since() != null && !s.since().isAfter(since) : c.lastAccepted().isBefore(since);
        return refusedLately && nothingGood;
    }

    @Deactivate
    void deactivate() {
        checker.shutdownNow();
    }
}
