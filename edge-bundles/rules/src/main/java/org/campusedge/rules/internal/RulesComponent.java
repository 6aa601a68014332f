package org.campusedge.rules.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.Alarm;
import org.campusedge.api.Alarms;
import org.campusedge.api.Broadcasts;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.CampusHome;
import org.campusedge.api.DataFiles;
import org.campusedge.api.DeviceControls;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Drill;
import org.campusedge.api.Drills;
import org.campusedge.api.EventBus;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.RuleStatus;
import org.campusedge.api.Severity;
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
 * The edge controller: evaluates the school's rules on every durable event, keeps the alarms
 * ({@link Alarms} service) and carries out a new alarm's actions through the same command routes
 * everything else uses (broadcasts to the PA controller, control writes to meters). It works with
 * the cloud unreachable: nothing here waits for it. Rule files and the calendar are reloaded when
 * they change; a bad file is reported (FILE: FIELD: REASON) and the rules in force stay.
 */
@Component(service = {Alarms.class, RuleStatus.class, Drills.class, org.campusedge.api.DutyRosters.class, org.campusedge.api.LabTimetables.class},
        immediate = true, configurationPid = RulesComponent.PID)
@Designate(ocd = RulesComponent.Config.class)
public final class RulesComponent implements Alarms, RuleStatus, Drills, org.campusedge.api.DutyRosters, org.campusedge.api.LabTimetables {

    public static final String PID = "org.campusedge.rules";
    /** How far back the stored alarm history is read at start to find the alarms still active. */
    static final int RESTORE_DAYS = 30;

    private static final Logger LOG = LoggerFactory.getLogger(RulesComponent.class);

    /** Where the rules and the calendar are, and how alarms escalate. */
    @ObjectClassDefinition(name = "Campus Edge rules and alarms", description = "Rules, calendar and alarm escalation")
    public @interface Config {
        @AttributeDefinition(description = "Folder of rule sets (*.yaml, schema rules.schema.json)")
        String rulesDir() default "conf/rules";

        @AttributeDefinition(description = "The school calendar (schema calendar.schema.json); empty: no school hours")
        String calendarFile() default "conf/calendar.yaml";

        @AttributeDefinition(description = "The broadcast schedule (schema schedule.schema.json); empty: none")
        String scheduleFile() default "conf/schedule.yaml";

        @AttributeDefinition(description = "Seconds after which an unacknowledged CRITICAL alarm escalates")
        int escalateAfterSeconds() default 300;

        @AttributeDefinition(description = "Seconds a PA controller may take, after accepting a play, to report it played or"
                + " failed before it is a gateway alarm (a play longer than this is taken for a silent controller)")
        int paReportSeconds() default 180;

        @AttributeDefinition(description = "Seconds between checks of the rule files for changes")
        int reloadIntervalSeconds() default 5;
    }

    private final DeviceRegistry registry;
    private final RuleFiles files;
    /** What configuration was in force, in the trail. */
    private final InForceRecords inForce;
    private final AutoCloseable inventoryListener;
    private final TransitionJournal journal;
    private final AlarmBook alarms;
    private final DrillDesk drills;
    private final PaReportWatch paReports;
    private final SchedulePlayer player;
    /** When the event being evaluated was handed to the rules (under this component's lock), null on the timer. */
    private java.time.Instant handedAt;
    private final java.util.concurrent.ExecutorService drillReports;
    private final EventBus.Subscription subscription;
    private final ScheduledExecutorService timer;
    private final EventBus bus;
    private RuleEngine engine;
    /** Replaced whole on a reload; read without the lock by the console's lab access checks. */
    private volatile SchoolCalendar calendar;
    private BroadcastSchedule schedule;
    private List<String> problems = List.of();
    private java.time.Instant lastLoadAt;
    private final java.nio.file.Path rulesFolder;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Broadcasts broadcasts;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeviceControls controls;

    @Activate
    public RulesComponent(@Reference(name = "bus") EventBus bus, @Reference(name = "registry") DeviceRegistry registry,
                          @Reference(name = "files") DataFiles dataFiles, @Reference(name = "store") EventStore store,
                          Config config) {
        this.registry = registry;
        String calendarFile = config.calendarFile();
        String scheduleFile = config.scheduleFile();
        this.rulesFolder = CampusHome.resolve(config.rulesDir());
        this.files = new RuleFiles(dataFiles, rulesFolder,
                calendarFile.isBlank() ? null : CampusHome.resolve(calendarFile),
                scheduleFile.isBlank() ? null : CampusHome.resolve(scheduleFile));
        this.bus = bus;
        this.player = new SchedulePlayer(bus, registry);
        this.inForce = new InForceRecords(e -> bus.publish(List.of(e)).exceptionally(t -> {
            LOG.error("A record of the configuration in force could not be stored: {}", t.toString());
            return null;
        }), registry.schoolId());
        this.journal = new TransitionJournal(bus::publish, Clock.systemUTC());
        this.alarms = new AlarmBook(journal, registry, Clock.systemUTC(), Duration.ofSeconds(config.escalateAfterSeconds()));
        this.paReports = new PaReportWatch(Duration.ofSeconds(Math.max(1, config.paReportSeconds())), Clock.systemUTC(), () -> this);
        this.calendar = SchoolCalendar.none(registry.timezone());
        this.engine = new RuleEngine(List.of(), calendar);
        this.schedule = BroadcastSchedule.none(registry.timezone());
        reload();
        inForce.inventory(registry);
        this.inventoryListener = registry.addListener(inForce::inventory);
        // the alarms active before a restart are active again, and the engine knows them as raised
        List<CampusEvent> history = new java.util.ArrayList<>(store.query(EventQuery.all(100_000).withKind("alarm.*")
                .between(Clock.systemUTC().instant().minus(Duration.ofDays(RESTORE_DAYS)), null).latestFirst()));
        java.util.Collections.reverse(history); // the newest 100,000, replayed oldest first
        alarms.restore(history);
        for (Alarm a : alarms.active()) {
            engine.adopt(a.key(), a.ruleId(), a.lastAt());
        }
        this.drillReports = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "drill-reports");
            t.setDaemon(true);
            return t;
        });
        this.drills = new DrillDesk(journal, alarms, store, registry, e -> bus.publish(List.of(e)).exceptionally(t -> {
            LOG.warn("A drill's event could not be stored ({}); the drill shows nothing until it is stopped", t.toString());
            return null;
        }), Clock.systemUTC(), drillReports);
        drills.restore(store.query(EventQuery.all(10_000).withKind("audit.drill-*")
                .between(Clock.systemUTC().instant().minus(Drill.LONGEST.multipliedBy(2)), null)));
        // a drill's alarm whose drill is over (it ended while the gateway was down, or its end was not stored) is cleared
        int leftOver = alarms.clearDrillsExcept(drills.current().map(Drill::id).orElse(null), "its drill is over");
        if (leftOver > 0) {
            LOG.info("{} alarm(s) of a drill that is over cleared", leftOver);
        }
        if (!alarms.active().isEmpty()) {
            LOG.info("{} alarm(s) still active from before the restart", alarms.active().size());
        }
        // intrusions and other urgent events have a lane of their own on the bus that readings cannot fill; readings
        // beyond 20,000 behind (about 5 MB of heap) are shed and counted: a threshold may then see the next one
        this.subscription = bus.subscribe("rules", 20_000, this::onEvent);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rules-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        long reloadEvery = Math.max(1, config.reloadIntervalSeconds());
        timer.scheduleWithFixedDelay(() -> {
            if (files.changed()) {
                reload();
            }
        }, reloadEvery, reloadEvery, TimeUnit.SECONDS);
    }

    private synchronized void reload() {
        lastLoadAt = Clock.systemUTC().instant(); // when this load began reading the files (callers wait for a load begun after a change)
        RuleFiles.Loaded loaded = files.load(registry.timezone());
        if (!loaded.problems().isEmpty()) {
            problems = loaded.problems();
            LOG.warn("Rule files have {} problem(s); {} rule(s) stay in force", problems.size(), engine.rules().size());
            problems.forEach(p -> LOG.warn("  {}", p));
            return;
        }
        problems = List.of();
        RuleEngine next = new RuleEngine(loaded.rules(), loaded.calendar(), this::drillEvent);
        next.carryOver(engine);
        engine = next;
        calendar = loaded.calendar();
        schedule = loaded.schedule();
        schedule.advance(Clock.systemUTC().instant(), calendar); // from now on: nothing from before the load plays
        LOG.info("{} rule(s) and {} scheduled broadcast(s) in force", loaded.rules().size(), schedule.items().size());
        inForce.rules(files.fingerprints(), loaded.rules().size(), files.owner());
    }

    @Override
    public synchronized List<String> loadErrors() {
        return problems;
    }

    @Override
    public java.nio.file.Path rulesFolder() {
        return rulesFolder;
    }

    @Override
    public synchronized java.time.Instant lastLoadAt() {
        return lastLoadAt;
    }

    @Override
    public synchronized int rules() {
        return engine.rules().size();
    }

    @Override
    public synchronized List<String> ruleSummaries() {
        return engine.rules().stream().map(r -> r.id() + " · " + r.kind().name().toLowerCase() + " · " + r.severity() + " · "
                + r.when().name().toLowerCase() + " — " + r.description()).toList();
    }

    @Override
    public synchronized List<Threshold> thresholds() {
        return engine.rules().stream().filter(r -> r.kind() == Rule.Kind.THRESHOLD)
                .map(r -> new Threshold(r.id(), r.match().kinds(), r.match().point(), r.above(), r.below(), switch (r.when()) {
                    case ALWAYS -> "always";
                    case SCHOOL_HOURS -> "schoolHours";
                    case OUTSIDE_SCHOOL_HOURS -> "outsideSchoolHours";
                    case LAB_SCHEDULED_EMPTY -> "labScheduledEmpty";
                })).toList();
    }

    @Override
    public synchronized int scheduledBroadcasts() {
        return schedule.items().size();
    }

    /** The engine asks under this component's lock (onEvent, tick): the drill desk is read under it. */
    private boolean drillEvent(CampusEvent e) {
        return drills != null && drills.played(e);
    }

    private void onEvent(CampusEvent e) {
        paReports.onEvent(e); // not under this component's lock: its alarm is raised through it
        // decided and applied under one lock: a raise from the timer and a clear from an event must reach
        // the alarm book in the order the engine decided them (applying only enqueues and sends asynchronously)
        synchronized (this) {
            if (drills.stale(e)) {
                LOG.info("A drill's event {} arrived after its drill ended: dropped, neither a drill's nor real", e.id());
                return;
            }
            handedAt = Clock.systemUTC().instant(); // the bus hands over only what is durable: the trigger's "stored" hop
            engine.onEvent(e).forEach(this::apply);
            handedAt = null;
        }
    }

    private void tick() {
        try {
            synchronized (this) {
                engine.tick(Clock.systemUTC().instant()).forEach(this::apply);
            }
        } catch (RuntimeException ex) {
            LOG.warn("Rule timer: {}", ex.toString());
        }
        try {
            synchronized (this) {
                drills.tick(); // apart: a failing rule must not keep a drill from ending
            }
            alarms.escalate();
            paReports.check();
            playSchedule();
        } catch (RuntimeException ex) {
            LOG.warn("Rule timer: {}", ex.toString());
        }
    }

    private void playSchedule() {
        BroadcastSchedule.Due due;
        String controller;
        synchronized (this) {
            due = schedule.advance(Clock.systemUTC().instant(), calendar);
            controller = schedule.controller();
        }
        player.play(due, controller, broadcasts);
    }

    private void apply(RuleEngine.Decision d) {
        if (!d.raise()) {
            alarms.clearByRule(d.key(), d.rule().id(), d.message());
            return;
        }
        // the drill's own event only: a drill mark on any other event is not believed (see DrillDesk.played)
        String drill = d.trigger() != null && drills.played(d.trigger()) ? Drill.of(d.trigger()) : null;
        String during = drill == null ? drills.current().map(Drill::id).orElse(null) : null;
        if (alarms.raise(d.key(), d.rule(), d.trigger(), d.message(), drill, during, handedAt)) {
            LOG.info("Alarm raised: {} ({}) {}{}", d.key(), d.rule().severity(), d.message(), drill != null ? " [drill]" : "");
            for (Rule.Action a : d.rule().actions()) {
                AlarmActions.run(d, a, drill, broadcasts, controls);
            }
            if (during != null && d.rule().severity() == Severity.CRITICAL) {
                alarms.get(d.key()).ifPresent(drills::interrupt);
            }
        }
    }

    @Override
    public boolean raiseGatewayAlarm(String key, String check, Severity severity, String deviceId, String message) {
        // one lock for the drill's state, the raise and the interruption: a drill starting or ending meanwhile cannot split them
        synchronized (this) {
            String during = drills.current().map(Drill::id).orElse(null);
            boolean fresh = alarms.raiseGatewayAlarm(key, check, severity, deviceId, message, during);
            if (fresh) {
                LOG.warn("Alarm raised: {} ({}) {}", key, severity, message);
                if (severity == Severity.CRITICAL) {
                    alarms.get(key).ifPresent(drills::interrupt);
                }
            }
            return fresh;
        }
    }

    @Override
    public List<org.campusedge.api.LabTimetables.Lesson> lessons(String room, java.time.Instant from, java.time.Instant to) {
        return calendar.lessons(room, from, to);
    }

    @Override
    public synchronized List<OnDuty> onDuty(String roster, java.time.Instant at) {
        return calendar.onDuty(roster, at);
    }

    @Override
    public synchronized java.util.Set<String> rosters() {
        return calendar.rosters();
    }

    @Override
    public synchronized Optional<Drill> current() {
        return drills.current();
    }

    @Override
    public java.util.concurrent.CompletionStage<Drill> start(String deviceId, String kind, Duration length, String name,
                                                             String startedBy) {
        synchronized (this) {
            return drills.start(deviceId, kind, length, name, startedBy, engine.rules());
        }
    }

    @Override
    public java.util.concurrent.CompletionStage<Optional<Drill>> stop(String by) {
        synchronized (this) {
            return drills.stop(by);
        }
    }

    @Override
    public boolean clearGatewayAlarm(String key, String check, String message) {
        return alarms.clearGatewayAlarm(key, check, message);
    }

    @Override
    public List<Alarm> active() {
        return alarms.active();
    }

    @Override
    public Optional<Alarm> get(String key) {
        return alarms.get(key);
    }

    @Override
    public java.util.concurrent.CompletionStage<Boolean> acknowledge(String key, String user, String role, String note) {
        return alarms.acknowledge(key, user, role, note);
    }

    @Override
    public java.util.concurrent.CompletionStage<Boolean> clear(String key, String user, String role, String note) {
        return alarms.clear(key, user, role, note);
    }

    @Deactivate
    void deactivate() throws Exception {
        inventoryListener.close();
        timer.shutdownNow();
        drillReports.shutdown();
        subscription.close();
        journal.close();
    }
}
