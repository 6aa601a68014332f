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
    /** The alarm of a device connected but failing is {@code FAILING_ALARM + id}. */
    static final String FAILING_ALARM = "gateway:device-failing:";
    @org.osgi.service.component.annotations.Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC)
    private volatile org.campusedge.api.Alarms alarms;

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
            List<State> states = devices();
            alarmFailing(states);
            if (report != null) {
                report.write(states, counters.all());
            }
        } catch (RuntimeException | IOException e) {
            LOG.warn("Presence check failed: {}", e.toString());
        }
    }

    /**
     * A device connected but sending nothing usable (everything refused: garbage, a wrong key, a
     * wrong clock) is not forwarding, however online it looks: a gateway alarm of its own
     * ({@code gateway:device-failing:ID}, WARNING) while it lasts, cleared when it is good again or
     * goes offline (which is an alarm of its own by the rules).
     */
    private void alarmFailing(List<State> states) {
        org.campusedge.api.Alarms book = alarms;
        if (book == null) {
            return;
        }
        java.util.Set<String> now = new java.util.HashSet<>();
        for (State s : states) {
            if (s.presence() == Presence.FAILING) {
                now.add(s.deviceId());
            }
        }
        java.util.Set<String> alarmed = new java.util.HashSet<>();
        for (org.campusedge.api.Alarm a : book.active()) { // also those restored from before a restart
            if (a.key().startsWith(FAILING_ALARM)) {
                alarmed.add(a.key().substring(FAILING_ALARM.length()));
            }
        }
        for (String id : now) {
            if (!alarmed.contains(id)) {
                String why = counters.all().stream().filter(c -> c.deviceId().equals(id)).map(DeviceCounters.Counts::lastError)
                        .filter(java.util.Objects::nonNull).findFirst().orElse("refused");
                book.raiseGatewayAlarm(FAILING_ALARM + id, "device-failing", org.campusedge.api.Severity.WARNING, id,
                        "connected, but everything it sent lately was refused: " + (why.length() > 120 ? why.substring(0, 120) : why));
            }
        }
        for (String id : alarmed) {
            if (!now.contains(id)) {
                book.clearGatewayAlarm(FAILING_ALARM + id, "device-failing", "its messages are accepted again, or it went quiet");
            }
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
