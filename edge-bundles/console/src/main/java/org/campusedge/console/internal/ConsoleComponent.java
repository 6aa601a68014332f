package org.campusedge.console.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import org.campusedge.api.Alarms;
import org.campusedge.api.CampusHome;
import org.campusedge.api.DeviceCounters;
import org.campusedge.api.CloudLink;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.EventStore;
import org.campusedge.api.RuleStatus;
import org.campusedge.web.Sessions;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
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
 * Runs the school console: its users file, sessions, the live feed off the event bus and the HTTP
 * server. On the first start, with no users yet, it creates {@code admin} with a generated password
 * and prints it once on the gateway's standard output (never into the log file).
 */
@Component(service = {}, immediate = true, configurationPid = ConsoleComponent.PID)
@Designate(ocd = ConsoleComponent.Config.class)
public final class ConsoleComponent {

    public static final String PID = "org.campusedge.console";
    /** Service property with the console's bound TCP port. */
    public static final String PORT_PROPERTY = "campus.console.port";
    /** Service property: "https" or "http". */
    public static final String SCHEME_PROPERTY = "campus.console.scheme";
    /** Service property: the plain-HTTP port that redirects to the console, when there is one. */
    public static final String REDIRECT_PORT_PROPERTY = "campus.console.redirectPort";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleComponent.class);

    /** Where the console listens and how long sessions last. */
    @ObjectClassDefinition(name = "Campus Edge school console", description = "The web console for security staff, teachers and admins")
    public @interface Config {
        @AttributeDefinition(description = "Address the console binds")
        String host() default "0.0.0.0";

        @AttributeDefinition(description = "TCP port of the console, HTTPS unless tls is off (0 picks a free one)")
        int port() default 8443;

        @AttributeDefinition(description = "HTTPS for the console (a self-signed key and certificate are made at first start)")
        boolean tls() default true;

        @AttributeDefinition(description = "The console's TLS key store (PKCS#12, password 'campus-edge'); made at first start,"
                + " or put the school's own here")
        String keyStore() default "data/console-tls.p12";

        @AttributeDefinition(description = "Plain-HTTP port that only redirects to the HTTPS console (-1: none)")
        int redirectPort() default 8080;

        @AttributeDefinition(description = "File of console users (salted PBKDF2 hashes); made at first start")
        String usersFile() default "data/console-users";

        @AttributeDefinition(description = "File of the wall screens' logins (hashes of their tokens); made when the first is")
        String screensFile() default "data/console-screens";

        @AttributeDefinition(description = "File of the labs the admin let teachers watch at any time (beyond their lessons)")
        String labGrantsFile() default "data/console-lab-grants";

        @AttributeDefinition(description = "Minutes without a request after which a session ends")
        int sessionIdleMinutes() default 30;

        @AttributeDefinition(description = "Hours after the login at which a session ends regardless")
        int sessionHours() default 12;

        @AttributeDefinition(description = "Most live pages (alarm lists, lab charts) open at once")
        int maxLivePages() default 48;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile CloudLink cloud;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile org.campusedge.api.ServerCertificates certificates;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile org.campusedge.api.CardSubjects cardSubjects;

    /** The calendar's lab timetables (from the rules bundle): without them a teacher sees only the labs granted her. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile org.campusedge.api.LabTimetables timetables;

    /** The gateway's watchdog, whose watched parts the health answer reports. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile org.campusedge.api.Watchdog watchdog;

    /** Every server's per-address guard (the device ports, this console), for the metrics. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            fieldOption = org.osgi.service.component.annotations.FieldOption.UPDATE)
    private final java.util.List<org.campusedge.net.SourceGuard> connectors = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final ConsoleServer server;
    private final EventBus.Subscription subscription;
    private final ServiceRegistration<ConsoleComponent> registration;
    private ServiceRegistration<org.campusedge.net.SourceGuard> sources;
    private org.campusedge.net.BoundedHttpServer redirect;

    @Activate
    public ConsoleComponent(BundleContext context, Config config, @Reference(name = "bus") EventBus bus,
                            @Reference(name = "alarms") Alarms alarms, @Reference(name = "health") DeviceHealth health,
                            @Reference(name = "registry") DeviceRegistry registry, @Reference(name = "store") EventStore store,
                            @Reference(name = "rules") RuleStatus rules, @Reference(name = "counters") DeviceCounters counters,
                            @Reference(name = "scr") ServiceComponentRuntime scr,
                            @Reference(name = "credentials") org.campusedge.api.DeviceCredentials credentials,
                            @Reference(name = "drills") org.campusedge.api.Drills drills)
            throws Exception {
        Users users = new Users(CampusHome.resolve(config.usersFile()));
        if (users.isEmpty()) {
            char[] password = Users.generatePassword();
            users.put("admin", Users.Role.ADMIN, password);
            // standard output only, once: the log file is kept for weeks and read by more people
            System.out.println("Console first start: user 'admin', password " + new String(password)
                    + " (shown once; change it on the console: header, 'password')");
            // and to an owner-only file, so that a gateway started by systemd does not leave it only in the journal
            java.nio.file.Path first = CampusHome.resolve("data/console-admin-password");
            org.campusedge.net.OwnerOnlyFiles.write(first, ("admin\t" + new String(password) + "\n# made at the first start; delete this"
                    + " file once the password is changed\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            LOG.info("Console: the first admin password is also in {} (owner-only)", first);
            LOG.info("Console: created user 'admin'; its password was printed on the gateway's standard output");
        }
        // live pages hold a thread and a request slot each of the console's 96: keep half for everything else
        LiveFeed feed = new LiveFeed(Math.min(config.maxLivePages(), 48));
        org.campusedge.net.TlsIdentity tls = null;
        if (config.tls()) {
            java.nio.file.Path keys = CampusHome.resolve(config.keyStore());
            tls = org.campusedge.net.TlsIdentity.loadOrCreate(keys, keys.resolveSibling(keys.getFileName().toString()
                    .replaceAll("\\.p12$", "") + ".crt"), "Campus Edge school console " + registry.schoolId());
            if (tls.created()) {
                // printed beside the first password: what the admin compares with the browser's warning on the first visit
                System.out.println("Console first start: HTTPS certificate made, SHA-256 fingerprint " + tls.fingerprint());
            }
            LOG.info("Console: HTTPS with the certificate in {} (SHA-256 {})", keys, tls.fingerprint());
        }
        server = new ConsoleServer(config.host(), config.port(), tls, users, new Sessions<>(Clock.systemUTC(),
                Duration.ofMinutes(config.sessionIdleMinutes()), Duration.ofHours(config.sessionHours()), ConsoleServer.MAX_SESSIONS), feed, alarms, health,
                registry, store, new LabRecordings(bus, store, registry),
                new LabAccess(new LabGrants(CampusHome.resolve(config.labGrantsFile())), () -> timetables, Clock.systemUTC()),
                new AdminView(context, registry, rules, counters, scr, () -> cloud, store), new CredentialsView(credentials, registry, () -> certificates),
                new DrillView(drills, registry, store), new Screens(CampusHome.resolve(config.screensFile())), () -> cardSubjects,
                ConsoleServer.defaultLimits(), e -> bus.publish(java.util.List.of(e)).exceptionally(t -> {
                    LOG.error("A console audit record could not be stored: {}", t.toString());
                    return null;
                }), new Monitoring(new GatewayMetrics(new GatewayMetrics.Sources(counters, registry, health, store, bus, alarms,
                        () -> cloud, () -> java.util.List.copyOf(connectors))), new GatewayHealth(store::stats, health::devices, () -> cloud, () -> watchdog),
                        CampusHome.resolve("data/metrics-token")));
        try {
            subscription = bus.subscribe("console", 10_000, feed::publish);
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(PORT_PROPERTY, server.port());
            props.put(SCHEME_PROPERTY, tls == null ? "http" : "https");
            if (tls != null && config.redirectPort() >= 0 && config.redirectPort() == config.port() && config.port() != 0) {
                LOG.warn("Console: console.redirectPort is the console's own port {}; no plain-HTTP redirect", config.port());
            } else if (tls != null && config.redirectPort() >= 0) {
                redirect = ConsoleServer.redirect(config.host(), config.redirectPort(), server.port());
                props.put(REDIRECT_PORT_PROPERTY, redirect.port());
            }
            registration = context.registerService(ConsoleComponent.class, this, props);
            sources = context.registerService(org.campusedge.net.SourceGuard.class, server.bounded().sources(), null);
        } catch (RuntimeException | java.io.IOException e) {
            server.close(); // free the port for the next activation
            if (redirect != null) {
                redirect.close();
            }
            throw e;
        }
        LOG.info("Console: /metrics (Prometheus) and /health for an admin's session or the token in {}",
                CampusHome.resolve("data/metrics-token"));
        LOG.info("School console on {}://{}:{}/{}", tls == null ? "http" : "https", config.host(), server.port(),
                redirect == null ? "" : " (plain HTTP on " + redirect.port() + " redirects there)");
    }

    @Deactivate
    void deactivate() {
        if (sources != null) {
            sources.unregister();
        }
        registration.unregister();
        subscription.close();
        server.close();
        if (redirect != null) {
            redirect.close();
        }
    }
}
