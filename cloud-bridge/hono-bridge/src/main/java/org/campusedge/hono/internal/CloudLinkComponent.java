package org.campusedge.hono.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.Alarm;
import org.campusedge.api.Alarms;
import org.campusedge.api.Broadcasts;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.CampusHome;
import org.campusedge.api.CloudLink;
import org.campusedge.api.DataFiles;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.EventStore;
import org.campusedge.api.Outbox;
import org.campusedge.api.RuleStatus;
import org.campusedge.api.Severity;
import org.campusedge.api.StallWatch;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's link to the city through Eclipse Hono: queues the school's summaries every period and
 * every transition of a CRITICAL alarm at once (the outbox's two lanes), drains the outbox to Hono's
 * AMQP adapter as the school's Hono gateway, and carries out the city's commands. With no Hono host
 * configured it does nothing but say so; with Hono unreachable everything waits in the outbox, and
 * local handling never waits for the cloud.
 */
@Component(service = CloudLink.class, immediate = true, configurationPid = CloudLinkComponent.PID)
@Designate(ocd = CloudLinkComponent.Config.class)
public final class CloudLinkComponent implements CloudLink {

    public static final String PID = "org.campusedge.cloud";

    private static final Logger LOG = LoggerFactory.getLogger(CloudLinkComponent.class);

    /** Where Hono is, who the gateway is there, and how often and how fast it sends. */
    @ObjectClassDefinition(name = "Campus Edge cloud link (Eclipse Hono)", description = "Summaries, critical alarms and city commands through Hono's AMQP adapter")
    public @interface Config {
        @AttributeDefinition(description = "Host of Hono's AMQP adapter; empty: no cloud link")
        String host() default "";

        @AttributeDefinition(description = "Port of Hono's AMQP adapter (5671 with TLS, 5672 without)")
        int port() default 5671;

        @AttributeDefinition(description = "TLS to the adapter")
        boolean tls() default true;

        @AttributeDefinition(description = "CA certificates to trust for TLS (PEM or key store); empty: the JVM's")
        String trustStorePath() default "";

        @AttributeDefinition(description = "The Hono tenant of the city")
        String tenant() default "";

        @AttributeDefinition(description = "The gateway's Hono device id; empty: gw-<school id>")
        String gatewayId() default "";

        @AttributeDefinition(description = "The gateway's Hono password; better kept in passwordFile than here",
                type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
        String password() default "";

        @AttributeDefinition(description = "Owner-only file with the gateway's Hono password (used when password is empty)")
        String passwordFile() default "conf/cloud-password";

        @AttributeDefinition(description = "Seconds per summary period (300: every 5 minutes)")
        int summaryPeriodSeconds() default 300;

        @AttributeDefinition(description = "Most periods summarised after the gateway was down (288 = a day of 5 minutes)")
        int maxCatchUpPeriods() default 288;

        @AttributeDefinition(description = "Most messages sent to Hono per second while draining")
        int maxMessagesPerSecond() default 100;

        @AttributeDefinition(description = "Seconds a cloud stall lasts before it is a gateway alarm: the alarm forwarder"
                + " not queuing, or Hono connected while nothing waiting in the outbox is accepted")
        int stallAlarmSeconds() default 60;

        @AttributeDefinition(description = "Seconds to wait for Hono's outcome of one message")
        int sendTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Folder for the link's state (summary and alarm cursors)")
        String stateDir() default "data";

        @AttributeDefinition(description = "The city bureau's public key (PEM, Ed25519): commands must be signed with its"
                + " private half; empty or missing: every command is refused")
        String cityKeyFile() default "conf/city-signing.pub";

        @AttributeDefinition(description = "Whether a rule set from the city may switch devices (control actions)")
        boolean cityControl() default false;
    }

    private final Outbox outbox;
    private final DeviceRegistry registry;
    private final String schoolId;
    private final String gatewayId;
    private HonoLink link;
    private Drainer drainer;
    private CityCommands commands;
    private ScheduledExecutorService timer;
    private ScheduledExecutorService alarmTimer;
    private ExecutorService commandWorker;
    private ExecutorService broadcastWorker;
    private EventBus.Subscription subscription;
    private final String endpoint;
    private Summariser summariser;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeviceHealth health;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Alarms alarms;
    /** The alarm the gateway raises when critical alarms have not been queued for the city for {@code cloud.stallAlarmSeconds}. */
    static final String FORWARDER_STALLED = "gateway:cloud-forwarder-stalled";
    /** The alarm the gateway raises when Hono is connected but nothing waiting in the outbox is accepted, for as long. */
    static final String OUTBOX_STALLED = "gateway:outbox-not-draining";
    /** How often the outbox's draining is checked. */
    static final Duration DRAIN_CHECK = Duration.ofSeconds(2);
    private final Duration stallAfter;
    /** Watches the alarm forwarder's polls (on its timer thread only). */
    private final StallWatch forwarding;
    private final StallWatch draining;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Broadcasts broadcasts;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile RuleStatus ruleStatus;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile org.campusedge.api.Drills drills;

    @Activate
    public CloudLinkComponent(Config config, @Reference(name = "outbox") Outbox outbox, @Reference(name = "store") EventStore store,
                              @Reference(name = "bus") EventBus bus, @Reference(name = "registry") DeviceRegistry registry,
                              @Reference(name = "files") DataFiles files) {
        this.outbox = outbox;
        this.registry = registry;
        this.schoolId = registry.schoolId();
        this.stallAfter = Duration.ofSeconds(Math.max(1, config.stallAlarmSeconds()));
        this.forwarding = new StallWatch(FORWARDER_STALLED, "cloud-forwarder", Severity.WARNING, null, stallAfter,
                java.time.Clock.systemUTC(), () -> alarms);
        this.draining = new StallWatch(OUTBOX_STALLED, "cloud-outbox", Severity.WARNING, null, stallAfter,
                java.time.Clock.systemUTC(), () -> alarms);
        this.gatewayId = config.gatewayId().isBlank() ? "gw-" + schoolId : config.gatewayId();
        if (config.host().isBlank()) {
            this.endpoint = null;
            LOG.info("Cloud link: no Hono host configured; nothing is forwarded to the city");
            return;
        }
        HonoLink.Settings settings = new HonoLink.Settings(config.host(), config.port(), config.tenant(), gatewayId,
                honoPassword(config), config.tls(), config.trustStorePath(), Duration.ofSeconds(Math.max(1, config.sendTimeoutSeconds())));
        this.endpoint = settings.endpoint();
        java.nio.file.Path stateDir = CampusHome.resolve(config.stateDir());
        this.summariser = new Summariser(store, registry, () -> health, () -> {
            Alarms a = alarms;
            return a == null ? List.<Alarm>of() : a.active();
        });
        SummaryScheduler summaries = new SummaryScheduler(summariser, outbox, schoolId, new StateFile(stateDir.resolve("cloud-summaries.state")),
                Duration.ofSeconds(Math.max(1, config.summaryPeriodSeconds())), Math.max(1, config.maxCatchUpPeriods()));
        AlarmForwarder forwarder = new AlarmForwarder(store, outbox, schoolId, new StateFile(stateDir.resolve("cloud-alarms.cursor")),
                () -> alarms, Instant.now().minus(Duration.ofMinutes(10)));
        try {
            start(config, settings, summaries, forwarder, bus, files);
        } catch (RuntimeException e) {
            deactivate(); // nothing half-started stays behind: threads, the subscription, the connection
            throw e;
        }
        LOG.info("Cloud link to {}: summaries every {} s, critical alarms at once", endpoint, config.summaryPeriodSeconds());
    }

    private void start(Config config, HonoLink.Settings settings, SummaryScheduler summaries, AlarmForwarder forwarder, EventBus bus,
                       DataFiles files) {
        commandWorker = Executors.newSingleThreadExecutor(r -> daemon(r, "cloud-commands"));
        broadcastWorker = Executors.newSingleThreadExecutor(r -> daemon(r, "cloud-broadcasts"));
        commands = new CityCommands(gatewayId, registry, bus, () -> broadcasts,
                new RuleSetInstaller(files, () -> ruleStatus, Duration.ofSeconds(8), config.cityControl()),
                this::statusReport, commandWorker, broadcastWorker, new CommandSignature(cityKey(config), schoolId, System::currentTimeMillis));
        commands.drills(() -> drills);
        link = new HonoLink(settings, commands::onCommand, () -> {
            if (drainer != null) {
                drainer.wakeUp();
            }
        });
        commands.responder((replyTo, corr, status, body) -> link.respond(replyTo, corr, status, body).whenComplete((v, t) -> {
            if (t != null) {
                LOG.warn("The answer to the city's command {} could not be sent: {}", corr, t.toString());
            }
        }));
        drainer = new Drainer(outbox, link, config.maxMessagesPerSecond(), Duration.ofMillis(500), Duration.ofSeconds(30));
        // each alarm transition Hono took: when it was queued and when it was accepted, on the alarm's ledger
        drainer.onCriticalAccepted((m, at) -> bus.publish(List.of(CampusEvent.builder().schoolId(schoolId).deviceId("gateway")
                .profileId("gateway").kind("cloud.delivered").severity(Severity.INFO)
                .attributes(Map.of("event", m.eventId(), "queuedAt", m.queuedAt().toString(), "acceptedAt", at.toString(),
                        "attempts", Integer.toString(m.attempts() + 1))).build())));
        // alarms and summaries on threads of their own: a long catch-up of summaries never delays an alarm
        alarmTimer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "cloud-alarms"));
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "cloud-summaries"));
        // an alarm event wakes the forwarder at once; the periodic poll is the safety net (and the restart catch-up)
        subscription = bus.subscribe("cloud", 1_000, e -> {
            if (e.kind().startsWith("alarm.") && AlarmForwarder.isCritical(e)) {
                alarmTimer.execute(() -> forward(forwarder));
            }
        });
        alarmTimer.scheduleWithFixedDelay(() -> forward(forwarder), 0, 1, TimeUnit.SECONDS);
        alarmTimer.scheduleWithFixedDelay(this::checkDraining, DRAIN_CHECK.toSeconds(), DRAIN_CHECK.toSeconds(), TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(() -> {
            try {
                if (summaries.runDue(Instant.now()) > 0) {
                    drainer.wakeUp();
                }
            } catch (RuntimeException ex) {
                LOG.warn("Cloud summaries: {}", ex.toString());
            }
        }, 1, Math.min(5, Math.max(1, config.summaryPeriodSeconds() / 2)), TimeUnit.SECONDS);
        link.start();
        drainer.start();
    }

    /**
     * The gateway's Hono password: from {@code cloud.passwordFile} (owner-only; made so if it was not), or
     * from {@code cloud.password} with a warning (gateway.properties is a settings file people copy and
     * paste from; a password does not belong in it).
     */
    private static String honoPassword(Config config) {
        if (!config.password().isBlank()) {
            LOG.warn("Cloud link: the Hono password is in gateway.properties (cloud.password); move it to {} (owner-only)",
                    config.passwordFile());
            return config.password();
        }
        java.nio.file.Path file = CampusHome.resolve(config.passwordFile());
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = java.nio.file.Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                LOG.warn("Cloud link: {} was readable by others; made it owner-only", file);
            }
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // missing (read below says so) or not POSIX
        }
        try {
            return java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (java.io.IOException e) {
            LOG.warn("Cloud link: no Hono password ({} cannot be read: {}); Hono will refuse the connection", file, e.toString());
            return "";
        }
    }

    /** The bureau's public key, or null (then every command is refused, and the log says why once). */
    private static java.security.PublicKey cityKey(Config config) {
        if (config.cityKeyFile().isBlank()) {
            LOG.warn("Cloud link: no city public key configured (cloud.cityKeyFile); the city's commands will be refused");
            return null;
        }
        java.nio.file.Path file = CampusHome.resolve(config.cityKeyFile());
        try {
            java.security.PublicKey key = CommandSignature.readKey(file);
            LOG.info("Cloud link: the city's commands are checked against the bureau's key in {}", file);
            return key;
        } catch (java.io.IOException | java.security.GeneralSecurityException | IllegalArgumentException e) {
            LOG.warn("Cloud link: the city's public key {} cannot be read ({}); the city's commands will be refused", file, e.toString());
            return null;
        }
    }

    /**
     * Connected but not forwarding: Hono is connected, messages wait in the outbox, and none was
     * accepted in the last round. Lasting {@code cloud.stallAlarmSeconds}, it is the gateway alarm
     * {@value #OUTBOX_STALLED} (Hono releasing or rejecting everything, a drainer stuck); it clears
     * once messages are accepted again, or the link is down (then it is not this condition).
     */
    private void checkDraining() {
        try {
            Outbox.Stats s = outbox.stats();
            long waiting = s.critical() + s.telemetry();
            Instant last = drainer.lastAccepted;
            Instant roundStart = Instant.now().minus(DRAIN_CHECK);
            if (link.connected() && waiting > 0 && (last == null || last.isBefore(roundStart))) {
                if (draining.failed("connected to Hono, but " + waiting + " message(s) wait in the outbox and none is accepted"
                        + (last == null ? "" : " (last accepted " + last + ")"))) {
                    LOG.error("Cloud outbox: connected to Hono but nothing accepted for {} s", stallAfter.toSeconds());
                }
            } else {
                draining.ok("the outbox drains again");
            }
        } catch (RuntimeException ex) {
            LOG.warn("Cloud outbox check: {}", ex.toString());
        }
    }

    private void forward(AlarmForwarder forwarder) {
        try {
            if (forwarder.poll() > 0) {
                drainer.wakeUpCritical();
            }
            forwarding.ok("the alarm forwarder moves again");
        } catch (RuntimeException ex) {
            if (forwarding.failingSince() == null) {
                LOG.warn("Cloud alarm forwarding: {}", ex.toString());
            }
            if (forwarding.failed("critical alarms are not being queued for the city: " + ex.getMessage())) {
                LOG.error("Cloud alarm forwarding has failed for {} s: {}", stallAfter.toSeconds(), ex.toString());
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public Status status() {
        Outbox.Stats stats = outbox.stats();
        if (link == null) {
            return new Status(null, false, null, 0, 0, null, 0, null, "no Hono host configured", stats);
        }
        String error = drainer.lastError != null ? drainer.lastError : link.lastError();
        return new Status(endpoint, link.ready(), link.since(), drainer.accepted.get(), drainer.refused.get(), drainer.lastAccepted,
                commands.received.get(), commands.last, error, stats);
    }

    /** The answer to the city's status command. */
    private Map<String, Object> statusReport() {
        Status s = status();
        Map<String, Object> cloud = new LinkedHashMap<>();
        cloud.put("connected", s.connected());
        cloud.put("outboxCritical", s.outbox().critical());
        cloud.put("outboxTelemetry", s.outbox().telemetry());
        cloud.put("shedTelemetry", s.outbox().shedTelemetry());
        cloud.put("parked", s.outbox().parked());
        cloud.put("accepted", s.accepted());
        // the same counts as the health summary, keyed by family
        Map<String, Object> devices = new TreeMap<>();
        for (Object o : (List<?>) summariser.health().get("families")) {
            Map<?, ?> f = (Map<?, ?>) o;
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("online", f.get("online"));
            counts.put("offline", f.get("offline"));
            devices.put((String) f.get("family"), counts);
        }
        Alarms a = alarms;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("school", schoolId);
        out.put("gateway", gatewayId);
        out.put("cloud", cloud);
        out.put("devices", devices);
        out.put("alarmsOpen", a == null ? null : a.active().stream().filter(x -> !x.drill()).count());
        org.campusedge.api.Drills d = drills;
        out.put("drill", d == null ? null : d.current().map(org.campusedge.api.Drill::id).orElse(null));
        return out;
    }

    @Deactivate
    void deactivate() {
        if (subscription != null) {
            subscription.close();
        }
        // stop and wait: a reconfigured instance must not start while this one still queues or writes its cursors
        for (ExecutorService e : new ExecutorService[] {alarmTimer, timer, commandWorker, broadcastWorker}) {
            if (e != null) {
                e.shutdownNow();
            }
        }
        for (ExecutorService e : new ExecutorService[] {alarmTimer, timer, commandWorker, broadcastWorker}) {
            try {
                if (e != null && !e.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("A cloud link thread did not stop within 5 s");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        if (drainer != null) {
            drainer.close();
        }
        if (link != null) {
            link.close();
        }
    }
}
