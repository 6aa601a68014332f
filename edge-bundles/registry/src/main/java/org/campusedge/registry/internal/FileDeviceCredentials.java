package org.campusedge.registry.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.campusedge.api.CampusHome;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices' credentials from the secrets file ({@link SecretsFile}), re-read when the file's
 * modification time or size changes, so that {@code bin/campus-edge credentials add|rotate|revoke}
 * take effect on a running gateway within a few seconds. Listeners are told which devices changed
 * (a connection proven with a rotated or revoked secret is then dropped by its server). The log names
 * devices, never secrets.
 */
@Component(service = DeviceCredentials.class, configurationPid = FileDeviceCredentials.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = FileDeviceCredentials.Config.class)
public final class FileDeviceCredentials implements DeviceCredentials {

    static final String PID = "org.campusedge.credentials";

    private static final Logger LOG = LoggerFactory.getLogger(FileDeviceCredentials.class);

    @ObjectClassDefinition(id = PID, name = "Campus Edge device credentials",
            description = "Each device's secret, from an owner-only file apart from the inventory.")
    public @interface Config {

        @AttributeDefinition(name = "Secrets file",
                description = "device-id TAB secret TAB created, one line per device; owner-only (conf/device-secrets).")
        String secretsFile() default "conf/device-secrets";

        @AttributeDefinition(name = "Reload interval (s)", min = "1",
                description = "How often the file's modification time and size are checked.")
        int reloadIntervalSeconds() default 2;
    }

    /** What tells a change: the time (to the nanosecond), the size, and the inode (an atomic move makes a new one). */
    private record Seen(java.nio.file.attribute.FileTime modified, long size, Object fileKey) {
    }

    private final SecretsFile file;
    private final DeviceRegistry registry;
    private AutoCloseable registryListener;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService executor;
    private volatile Map<String, Secret> secrets = Map.of();
    // guarded by this
    private Seen seen;
    private boolean loaded;

    @Activate
    public FileDeviceCredentials(Config config, @Reference(name = "registry") DeviceRegistry registry) {
        this(CampusHome.resolve(config.secretsFile()), Math.max(1, config.reloadIntervalSeconds()), registry);
    }

    FileDeviceCredentials(Path path, int intervalSeconds, DeviceRegistry registry) {
        this.file = new SecretsFile(path);
        this.registry = registry;
        issueMissing(registry);
        reloadIfChanged();
        LOG.info("Device credentials: {} devices in {}", secrets.size(), path);
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "campusedge-credentials-reload");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::poll, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
        registryListener = registry == null ? null : registry.addListener(r -> executor.execute(() -> {
            issueMissing(r);
            poll();
        }));
    }

    @Deactivate
    void deactivate() {
        if (registryListener != null) {
            try {
                registryListener.close();
            } catch (Exception e) {
                // the registry is going away too
            }
        }
        executor.shutdownNow();
        listeners.clear();
    }

    @Override
    public Optional<Secret> secret(String deviceId) {
        return Optional.ofNullable(secrets.get(deviceId));
    }

    @Override
    public Set<String> devices() {
        return secrets.keySet();
    }

    @Override
    public List<Entry> entries() {
        List<Entry> out = new java.util.ArrayList<>();
        file.read().secrets().forEach((id, s) -> out.add(new Entry(id, !s.value().equals(SecretsFile.REVOKED),
                s.created().equals(Instant.EPOCH) ? null : s.created())));
        return out;
    }

    @Override
    public String issue(String deviceId) {
        if (!SecretsFile.validDeviceId(deviceId)) {
            throw new IllegalArgumentException("'" + deviceId + "' is not a device id");
        }
        String secret = SecretsFile.newSecret();
        file.update(m -> m.put(deviceId, new Secret(secret, Instant.now().truncatedTo(ChronoUnit.SECONDS))));
        reloadIfChanged();
        LOG.info("Device credentials: a new secret issued to {}", deviceId);
        return secret;
    }

    @Override
    public boolean revoke(String deviceId) {
        boolean done = file.update(m -> {
            Secret s = m.get(deviceId);
            if (s == null || s.value().equals(SecretsFile.REVOKED)) {
                return false;
            }
            m.put(deviceId, new Secret(SecretsFile.REVOKED, Instant.now().truncatedTo(ChronoUnit.SECONDS)));
            return true;
        });
        if (done) {
            reloadIfChanged();
            LOG.info("Device credentials: {} revoked", deviceId);
        }
        return done;
    }

    @Override
    public AutoCloseable addListener(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Gives every device of the inventory that must prove who it is, and has no line in the file, a
     * new secret (a revoked one keeps its line, and so gets none). Devices named only in the file
     * stay: an inventory edit that drops a device for a while does not lose its key.
     */
    private void issueMissing(DeviceRegistry r) {
        if (r == null) {
            return;
        }
        try {
            int issued = file.update(m -> {
                int n = 0;
                for (Device d : r.devices()) {
                    if (!d.unprotected() && !m.containsKey(d.credentialId())) {
                        m.put(d.credentialId(), new Secret(SecretsFile.newSecret(), Instant.now().truncatedTo(ChronoUnit.SECONDS)));
                        n++;
                    }
                }
                return n;
            });
            if (issued > 0) {
                LOG.info("Device credentials: issued a secret to {} device(s) of the inventory that had none ({};"
                        + " bin/campus-edge credentials show DEVICE prints one)", issued, file.path());
            }
        } catch (RuntimeException e) {
            LOG.warn("Device credentials: could not issue secrets in {}: {}", file.path(), e.toString());
        }
    }

    private void poll() {
        try {
            reloadIfChanged();
        } catch (RuntimeException | Error e) {
            LOG.warn("Device credentials: reading {} failed ({}); the last good secrets stay in force", file.path(), e.toString());
        }
    }

    /** Re-reads the file if it changed; true when it did. */
    synchronized boolean reloadIfChanged() {
        Seen now = fingerprint();
        if (Objects.equals(now, seen)) {
            return false;
        }
        if (file.ensureOwnerOnly()) {
            LOG.warn("Device credentials: {} was readable by others; made it owner-only (0600)", file.path());
        }
        SecretsFile.Content c = file.read(); // throws when unreadable: then the next poll tries again
        seen = now;
        c.problems().forEach(p -> LOG.warn("Device credentials: {}", p));
        Map<String, Secret> before = secrets;
        Map<String, Secret> usable = new java.util.HashMap<>(c.secrets());
        usable.values().removeIf(v -> v.value().equals(SecretsFile.REVOKED));
        secrets = Map.copyOf(usable);
        Set<String> changed = new HashSet<>(before.keySet());
        changed.addAll(secrets.keySet());
        changed.removeIf(id -> Objects.equals(before.get(id), secrets.get(id)));
        if (!changed.isEmpty() && loaded) {
            LOG.info("Device credentials changed for {} device(s): {}", changed.size(),
                    changed.size() <= 10 ? new java.util.TreeSet<>(changed) : "(" + changed.size() + ")");
        }
        loaded = true;
        if (!changed.isEmpty()) {
            Set<String> told = Set.copyOf(changed);
            for (Listener l : listeners) {
                try {
                    l.credentialsChanged(told);
                } catch (RuntimeException e) {
                    LOG.warn("A credentials listener failed: {}", e.toString());
                }
            }
        }
        return true;
    }

    private Seen fingerprint() {
        try {
            BasicFileAttributes a = Files.readAttributes(file.path(), BasicFileAttributes.class);
            return new Seen(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (java.io.IOException e) {
            return new Seen(null, -1, null); // absent: no secrets
        }
    }
}
