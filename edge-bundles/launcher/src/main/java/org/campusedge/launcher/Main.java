package org.campusedge.launcher;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the Campus Edge gateway: Equinox with the bundles of the program folder's {@code bundles/},
 * configured from the home's {@code conf/gateway.properties} (made from the program's {@code defaults/}
 * at the first start, see {@link HomeSeed}). The program folder is {@code campus.app} (set by
 * bin/campus-edge to its own release); the home, with the school's settings, secrets and data, is
 * {@code --home} (default: the program folder, as in a development checkout). Prints what is active and what is not (and why), then writes
 * {@code run/gateway.status} (state, pid, CoAP port, database and log paths) for scripts and tests.
 *
 * <p>It fails fast rather than run degraded: a home already used by a running gateway (the lock
 * {@code run/gateway.lock}), a component that cannot start (a port that cannot be bound, a store
 * that cannot be opened) or a thread that dies of an {@link Error} stops the process with a reason
 * and a non-zero status, for its supervisor (systemd) to see and restart.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    /**
     * A thread that ends with an {@link Error} (out of memory, a stopped thread, a broken class) leaves
     * the JVM in a state nobody should trust: stop now, with a reason, for the supervisor to restart.
     * Exceptions are only logged: the parts whose death matters watch themselves ({@code Watchdog}).
     */
    private static void uncaught(Thread t, Throwable e) {
        if (e instanceof Error) {
            try {
                LOG.error("Thread {} died of {}; stopping the gateway so that its supervisor restarts it", t.getName(), e, e);
            } finally {
                Runtime.getRuntime().halt(70);
            }
        }
        LOG.warn("Thread {} ended: {}", t.getName(), e.toString(), e);
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("campus.home", ".")).toAbsolutePath().normalize();
        Path conf = null;
        List<String> overrides = new ArrayList<>();
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]).toAbsolutePath().normalize();
                case "--conf" -> conf = Path.of(args[++i]);
                case "--set" -> overrides.add(args[++i]);
                case "--check-settings" -> checkOnly = true;
                case "--settings" -> {
                    // every setting with its default and meaning, from the bundles' own definitions (docs/SETTINGS.md)
                    Path app = Path.of(System.getProperty("campus.app", home.toString())).toAbsolutePath().normalize();
                    System.out.print(SettingsCatalog.read(app.resolve("bundles")).markdown());
                    return;
                }
                case "-h", "--help" -> {
                    System.out.println("usage: campus-edge [--home DIR] [--conf FILE] [--set key=value]... [--check-settings] | --settings (every setting)");
                    return;
                }
                default -> {
                    System.err.println("unknown argument '" + args[i] + "' (try --help)");
                    System.exit(2);
                }
            }
        }
        Path app = Path.of(System.getProperty("campus.app", home.toString())).toAbsolutePath().normalize();
        if (checkOnly) {
            // before an upgrade switches to this release: do the home's settings fit its bundles? (no lock: the old one runs)
            Path file = conf != null ? conf : home.resolve("conf/gateway.properties");
            try {
                GatewaySettings.load(home, app, Files.exists(file) ? file : null, overrides, SettingsCatalog.read(app.resolve("bundles")));
                System.out.println("campus-edge: the settings in " + file + " fit " + app.getFileName());
                return;
            } catch (IllegalArgumentException | IOException e) {
                System.err.println("campus-edge: " + file + " does not fit " + app.getFileName() + ": " + e.getMessage());
                System.exit(2);
                return;
            }
        }
        System.setProperty("campus.home", home.toString()); // what the bundles resolve relative paths against
        System.setProperty("campus.app", app.toString());
        Files.createDirectories(home.resolve("run"));
        homeLock = HomeLock.acquire(home.resolve("run/gateway.lock")); // before anything of the home is touched
        if (homeLock == null) {
            String holder = HomeLock.holder(home.resolve("run/gateway.lock"));
            String why = "campus-edge: " + home + " is in use by another running gateway" + (holder.isEmpty() ? "" : " (" + holder + ")")
                    + "; lock " + home.resolve("run/gateway.lock") + ". Stop it first, or give this one its own --home.";
            System.err.println(why);
            LOG.error("{}", why);
            System.exit(HOME_IN_USE);
            return;
        }
        try {
            HomeSeed.seed(app, home).forEach(p -> LOG.info("Made {} from the release's defaults", p));
        } catch (IOException e) {
            System.err.println("campus-edge: cannot make the home's settings in " + home.resolve("conf") + ": " + e);
            System.exit(2);
            return;
        }
        if (conf == null) {
            conf = home.resolve("conf/gateway.properties");
        }
        GatewaySettings settings;
        try {
            settings = GatewaySettings.load(home, app, Files.exists(conf) ? conf : null, overrides,
                    SettingsCatalog.read(app.resolve("bundles")));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("campus-edge: bad settings in " + conf + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(home, app, settings));
    }

    /** Held for the life of the process: an unreachable lock's file descriptor would be closed, and the lock with it. */
    private static HomeLock homeLock;

    /**
     * Makes the folders that hold the school's data owner-only (0700): the event store, the outbox, the
     * keys and certificates, the users, the device secrets, the logs and the run files. Whatever the
     * umask the gateway was started with (the service unit sets 0077; a person at a shell may not), no
     * other user of the box reads a file in them. A folder owned by someone else is left as it is.
     */
    static void ownerOnly(Path home) {
        for (String dir : new String[] {"data", "conf", "logs", "run"}) {
            Path d = home.resolve(dir);
            try {
                Files.createDirectories(d);
                if (Files.getOwner(d).getName().equals(System.getProperty("user.name"))) {
                    Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
            } catch (IOException | UnsupportedOperationException e) {
                LOG.warn("Cannot make {} owner-only: {}", d, e.toString());
            }
        }
    }

    /**
     * How long a start may take: components still activating are waited for (a failed one ends the
     * wait at once), and the event store's migration after an upgrade builds indexes over the whole
     * store, minutes on a large one; a restart loop of half-done migrations would never finish.
     */
    static final long START_SECONDS = 3600;

    /** Exit status when the home is in use by another running gateway (not 3: the JVM's own status when it runs out of memory). */
    static final int HOME_IN_USE = 4;

    /** Runs the gateway on a home whose lock this process holds ({@link #homeLock}). */
    static int run(Path home, Path app, GatewaySettings settings) throws Exception {
        Path status = home.resolve("run/gateway.status");
        Files.createDirectories(status.getParent());
        Thread.setDefaultUncaughtExceptionHandler(Main::uncaught);
        ownerOnly(home);
        Files.deleteIfExists(status);
        Files.deleteIfExists(home.resolve("run/gateway.alive")); // a previous run's: the watchdog writes its own once it runs
        long started = System.nanoTime();
        GatewayRuntime runtime = GatewayRuntime.boot(home.resolve("work"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                LOG.info("Stopping the gateway");
                runtime.close();
                Files.deleteIfExists(status);
                // only now, with the databases closed, is it not alive: restore and rollback may go ahead
                Files.deleteIfExists(settings.path("watchdog.aliveFile", "run/gateway.alive"));
            } catch (Exception e) {
                LOG.warn("Stop failed: {}", e.toString());
            }
        }, "gateway-shutdown"));
        List<StatusReport.Line> components;
        try {
            runtime.installAndStart(app.resolve("bundles"));
            runtime.configure(settings.configurations());
            components = runtime.awaitComponents(START_SECONDS);
        } catch (Exception e) {
            // no half-started gateway left behind: stop the framework and say why
            LOG.error("The gateway could not start: {}", e.toString(), e);
            runtime.close();
            return 1;
        }
        List<StatusReport.Line> bundles = StatusReport.bundles(runtime.context());
        if (bundles.stream().anyMatch(l -> !l.ok()) || components.stream().anyMatch(l -> !l.ok())) {
            // a gateway with a part missing would look alive and do less than its school thinks: stop, say why
            StringBuilder failed = new StringBuilder("The gateway did not start; not every part is active:\n");
            bundles.stream().filter(l -> !l.ok()).forEach(l -> failed.append(l).append('\n'));
            components.stream().filter(l -> !l.ok()).forEach(l -> failed.append(l).append('\n'));
            LOG.error("{}", failed.toString().trim());
            System.err.print(failed);
            runtime.close();
            return 1;
        }

        String release = release(app);
        StringBuilder report = new StringBuilder("Campus Edge gateway " + release + "\n");
        bundles.forEach(l -> report.append(l).append('\n'));
        components.forEach(l -> report.append(l).append('\n'));
        long bad = bundles.stream().filter(l -> !l.ok()).count() + components.stream().filter(l -> !l.ok()).count();
        Object coapPort = runtime.serviceProperty("org.campusedge.api.DeviceCounters", "campus.coap.port");
        Object coapsPort = runtime.serviceProperty("org.campusedge.api.DeviceCounters", "campus.coaps.port");
        Object cardPort = runtime.serviceProperty("org.campusedge.api.DeviceCounters", "campus.card.port");
        Object httpPort = runtime.serviceProperty("org.campusedge.api.DeviceCounters", "campus.http.port");
        Object consolePort = runtime.serviceProperty("org.campusedge.console.internal.ConsoleComponent", "campus.console.port");
        Path db = settings.path("store.path", "data/campus-edge.db");
        report.append(String.format("%d bundles, %d components, %d not active; started in %d ms%n", bundles.size(),
                components.size(), bad, (System.nanoTime() - started) / 1_000_000));
        report.append("  CoAP (lab sensors): udp/").append(coapPort == null ? "not listening" : coapPort)
                .append(" (plain: kits marked security: none), coaps udp/")
                .append(coapsPort == null || "-1".equals(coapsPort.toString()) ? "not listening" : coapsPort).append(" (DTLS-PSK)\n");
        report.append("  device secrets:     ").append(settings.path("credentials.secretsFile", "conf/device-secrets"))
                .append(" (bin/campus-edge credentials show DEVICE)\n");
        report.append("  card readers:       tcp/").append(cardPort == null ? "not listening" : cardPort).append('\n');
        report.append("  device HTTP:        tcp/").append(httpPort == null ? "not listening" : httpPort)
                .append(" (camera alarms, broadcast status)\n");
        Object scheme = runtime.serviceProperty("org.campusedge.console.internal.ConsoleComponent", "campus.console.scheme");
        report.append("  school console:     ").append(consolePort == null ? "not running"
                : (scheme == null ? "http" : scheme) + "://localhost:" + consolePort + "/").append('\n');
        report.append("  event store:        ").append(db).append('\n');
        report.append("  log:                ").append(home.resolve("logs/gateway.log")).append('\n');
        report.append("  program:            ").append(app).append(" (release ").append(release).append(")\n");
        report.append("  home:               ").append(home).append(" (settings in conf/, data in data/)\n");
        LOG.info("{}", report.toString().trim());

        Properties p = new Properties();
        p.setProperty("state", "running");
        p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        p.setProperty("release", release);
        p.setProperty("app", app.toString());
        p.setProperty("home", home.toString());
        p.setProperty("coap.port", coapPort == null ? "" : coapPort.toString());
        p.setProperty("coaps.port", coapsPort == null ? "" : coapsPort.toString());
        p.setProperty("card.port", cardPort == null ? "" : cardPort.toString());
        p.setProperty("http.port", httpPort == null ? "" : httpPort.toString());
        p.setProperty("console.port", consolePort == null ? "" : consolePort.toString());
        Object consoleScheme = runtime.serviceProperty("org.campusedge.console.internal.ConsoleComponent", "campus.console.scheme");
        p.setProperty("console.scheme", consoleScheme == null ? "http" : consoleScheme.toString());
        Object redirectPort = runtime.serviceProperty("org.campusedge.console.internal.ConsoleComponent", "campus.console.redirectPort");
        p.setProperty("console.redirect.port", redirectPort == null ? "" : redirectPort.toString());
        p.setProperty("store.path", db.toString());
        p.setProperty("log", home.resolve("logs/gateway.log").toString());
        p.setProperty("heap.max.mb", Long.toString(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() >> 20));
        Path tmp = status.resolveSibling("gateway.status.tmp");
        try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Campus Edge gateway status");
        }
        Files.move(tmp, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        runtime.waitForStop();
        return 0;
    }

    /** The release's name from the program folder's RELEASE file ("development" in a checkout without one). */
    static String release(Path app) {
        try {
            return Files.readString(app.resolve("RELEASE"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "development";
        }
    }
}
