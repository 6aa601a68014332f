package org.campusedge.registry.internal;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.CampusHome;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Profile;
import org.campusedge.api.SchoolInfo;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device registry of the gateway: profiles and the school inventory from files, validated,
 * polled for changes and hot-reloaded. A bad file never replaces the last good version; it is
 * reported in {@link #loadErrors()} and logged once.
 */
@Component(service = DeviceRegistry.class, configurationPid = FileDeviceRegistry.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = FileDeviceRegistry.Config.class)
public final class FileDeviceRegistry implements DeviceRegistry {

    static final String PID = "org.campusedge.registry";

    private static final Logger LOG = LoggerFactory.getLogger(FileDeviceRegistry.class);

    /** Where the registry reads its files and how often it looks for changes. */
    @ObjectClassDefinition(id = PID, name = "Campus Edge device registry",
            description = "Device profiles and the school inventory, validated and reloaded on change.")
    public @interface Config {

        @AttributeDefinition(name = "Profiles directory",
                description = "Directory with one YAML file per device profile (${app}/: the running release's)")
        String profilesDir() default "${app}/device-profiles/profiles";

        @AttributeDefinition(name = "Inventory file",
                description = "The school's inventory YAML: its devices (examples in ${app}/device-profiles/schools/)")
        String inventoryFile() default "conf/school.yaml";

        @AttributeDefinition(name = "Reload interval (s)", min = "1",
                description = "How often the files' modification times and sizes are checked.")
        int reloadIntervalSeconds() default 5;
    }

    private final Path profilesDir;
    private final Path inventoryFile;
    private final RegistryLoader loader = new RegistryLoader();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService executor;

    private volatile LoadResult current = LoadResult.EMPTY;
    private volatile List<String> loadErrors = List.of();
    private volatile long generation;
    // guarded by this
    private FileFingerprint lastSeen;
    private List<String> lastLogged = List.of();

    @Activate
    public FileDeviceRegistry(Config config) {
        this.profilesDir = path(config.profilesDir(), "profilesDir");
        this.inventoryFile = path(config.inventoryFile(), "inventoryFile");
        int interval = config.reloadIntervalSeconds();
        if (interval < 1) {
            LOG.warn("reloadIntervalSeconds {} is below 1; using 1", interval);
            interval = 1;
        }
        reload();
        if (generation == 0) {
            LOG.warn("Device registry started EMPTY: {} / {} could not be loaded; fix the files and they are picked up within {} s",
                    profilesDir, inventoryFile, interval);
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "campusedge-registry-reload");
            t.setDaemon(true);
            return t;
        });
        // last in the constructor: the poll task sees a fully built registry
        executor.scheduleWithFixedDelay(this::poll, interval, interval, TimeUnit.SECONDS);
    }

    /** A missing setting is a broken configuration, not a bad file: SCR reports this and does not activate. */
    private static Path path(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("configuration " + PID + " has no " + name);
        }
        return CampusHome.resolve(value.trim());
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
        listeners.clear();
    }

    /** One scheduled check; must never throw, or the executor would silently stop polling. */
    private void poll() {
        try {
            reloadIfChanged();
        } catch (RuntimeException | Error e) {
            LOG.warn("Device registry reload check failed unexpectedly; will try again", e);
        }
    }

    /** Reloads when a file changed since the last load; true when it did reload. */
    synchronized boolean reloadIfChanged() {
        if (FileFingerprint.of(profilesDir, inventoryFile).equals(lastSeen)) {
            return false;
        }
        reload();
        return true;
    }

    /** Loads the files now and puts the result in force if it has no errors. */
    synchronized void reload() {
        // taken before reading, so an edit made during the load is seen by the next poll
        lastSeen = FileFingerprint.of(profilesDir, inventoryFile);
        LoadResult result = loader.load(profilesDir, inventoryFile);
        loadErrors = result.errors();
        if (!result.ok()) {
            reportErrors(result.errors());
            return;
        }
        lastLogged = List.of();
        current = result;
        generation++;
        LOG.info("Device registry generation {} in force: school {}, {} profiles, {} devices",
                generation, result.schoolId(), result.profiles().size(), result.devices().size());
        for (Listener l : listeners) {
            try {
                l.registryChanged(this);
            } catch (RuntimeException e) {
                LOG.warn("Device registry listener {} failed on generation {}", l, generation, e);
            }
        }
    }

    private void reportErrors(List<String> errors) {
        if (errors.equals(lastLogged)) {
            return;
        }
        lastLogged = errors;
        LOG.warn("Device registry files have {} problem(s); {}", errors.size(), generation == 0
                ? "nothing is loaded yet" : "generation " + generation + " stays in force");
        for (String e : errors) {
            LOG.warn("  {}", e);
        }
    }

    @Override
    public String schoolId() {
        return current.schoolId();
    }

    @Override
    public SchoolInfo school() {
        School school = current.school();
        return school == null ? new SchoolInfo(schoolId(), null, null, null, 0)
                : new SchoolInfo(school.id(), school.name(), school.nameEn(), school.district(), school.enrolment());
    }

    @Override
    public ZoneId timezone() {
        School school = current.school();
        return school == null ? School.DEFAULT_TIMEZONE : school.timezone();
    }

    @Override
    public Optional<Device> device(String deviceId) {
        return Optional.ofNullable(current.devices().get(deviceId));
    }

    @Override
    public Collection<Device> devices() {
        return current.devices().values();
    }

    @Override
    public Optional<Profile> profile(String profileId) {
        return Optional.ofNullable(current.profiles().get(profileId));
    }

    @Override
    public Collection<Profile> profiles() {
        return current.profiles().values();
    }

    @Override
    public List<String> loadErrors() {
        return loadErrors;
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public AutoCloseable addListener(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
