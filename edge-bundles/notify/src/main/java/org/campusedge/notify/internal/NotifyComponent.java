package org.campusedge.notify.internal;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.Alarms;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.CampusHome;
import org.campusedge.api.DataFiles;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
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
 * Notifications to people: reads {@code conf/notifications.yaml} (and again when it changes), hears
 * every alarm transition on the bus, and sends through the {@link Notifier}. At its start it also
 * replays the alarm transitions of the last {@link #CATCH_UP} from the store, so an alarm raised
 * while it was down is still told (the queue's keys make a replay queue nothing twice).
 */
@Component(service = {}, immediate = true, configurationPid = NotifyComponent.PID)
@Designate(ocd = NotifyComponent.Config.class)
public final class NotifyComponent {

    public static final String PID = "org.campusedge.notify";
    private static final Logger LOG = LoggerFactory.getLogger(NotifyComponent.class);
    static final Duration CATCH_UP = Duration.ofMinutes(15);

    @ObjectClassDefinition(name = "Campus Edge notifications", description = "WeCom, DingTalk and webhook notifications of alarms")
    public @interface Config {
        @AttributeDefinition(description = "The channels and escalation levels (YAML); a missing file sends nothing")
        String file() default "conf/notifications.yaml";

        @AttributeDefinition(description = "The SQLite file of the delivery queue")
        String queueFile() default "data/notifications.db";
    }

    private final DataFiles files;
    private final Path planFile;
    private final DeliveryQueue queue;
    private final Notifier notifier;
    private final EventBus.Subscription subscription;
    private final ScheduledExecutorService timer;
    private volatile Plan plan = Plan.NONE;
    private long planModified = -1;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Alarms alarms;

    @Activate
    public NotifyComponent(@Reference(name = "bus") EventBus bus, @Reference(name = "store") EventStore store,
                           @Reference(name = "registry") DeviceRegistry registry, @Reference(name = "files") DataFiles files,
                           @Reference(name = "rosters") org.campusedge.api.DutyRosters rosters, Config config) throws Exception {
        this.files = files;
        this.planFile = CampusHome.resolve(config.file());
        this.queue = new DeliveryQueue(CampusHome.resolve(config.queueFile()));
        this.notifier = new Notifier(queue, () -> plan, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                Clock.systemUTC(), e -> bus.publish(List.of(e)), () -> alarms, () -> rosters, registry.schoolId(),
                registry.timezone());
        reload();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "notify");
            t.setDaemon(true);
            return t;
        });
        this.subscription = bus.subscribe("notify", 1_000, e -> {
            try {
                notifier.onEvent(e);
                if (e.kind().startsWith("alarm.")) {
                    timer.execute(this::tick); // at once, not at the next round
                }
            } catch (RuntimeException ex) {
                LOG.warn("Notifications: {}", ex.toString());
            }
        });
        try {
            // the newest 10,000 of the window, replayed oldest first
            List<CampusEvent> recent = new java.util.ArrayList<>(store.query(EventQuery.all(10_000).withKind("alarm.*")
                    .between(Instant.now().minus(CATCH_UP), null).latestFirst()));
            java.util.Collections.reverse(recent);
            for (CampusEvent e : recent) {
                notifier.onEvent(e);
            }
        } catch (RuntimeException e) {
            LOG.warn("Notifications: the recent alarms could not be read again: {}", e.toString());
        }
        timer.scheduleWithFixedDelay(this::tick, 200, 200, TimeUnit.MILLISECONDS);
        // what was sent, failed or cancelled is kept for 30 days (the alarm's record in the store keeps the outcome for good)
        timer.scheduleWithFixedDelay(() -> {
            try {
                int n = queue.prune(Instant.now().minus(Duration.ofDays(30)));
                if (n > 0) {
                    LOG.info("Notifications: {} finished deliveries older than 30 days deleted", n);
                }
            } catch (RuntimeException e) {
                LOG.warn("Notifications: pruning failed: {}", e.toString());
            }
        }, 1, 60, TimeUnit.MINUTES);
    }

    private void tick() {
        try {
            reload();
            notifier.dispatch();
        } catch (RuntimeException e) {
            LOG.warn("Notifications: {}", e.toString());
        }
    }

    /** Reads the plan again when its file changed; a bad file keeps the plan in force and says why. */
    private void reload() {
        long modified;
        try {
            modified = Files.exists(planFile) ? Files.getLastModifiedTime(planFile).toMillis() : 0;
        } catch (java.io.IOException e) {
            return;
        }
        if (modified == planModified) {
            return;
        }
        planModified = modified;
        if (modified == 0) {
            plan = Plan.NONE;
            LOG.info("Notifications: no {}; nobody is notified of alarms", planFile);
            return;
        }
        DataFiles.Checked checked = files.read(planFile, "notifications.schema.json");
        if (!checked.ok()) {
            LOG.error("Notifications: {} has problems, the previous plan stays in force: {}", planFile, checked.problems());
            return;
        }
        try {
            plan = Plan.of(checked.content());
            LOG.info("Notifications: {} channel(s), {} escalation level(s) from {}", plan.channels().size(), plan.levels().size(), planFile);
        } catch (RuntimeException e) {
            LOG.error("Notifications: {}: {}; the previous plan stays in force", planFile, e.getMessage());
        }
    }

    @Deactivate
    void deactivate() throws Exception {
        timer.shutdownNow();
        subscription.close();
        queue.close();
    }
}
