package org.campusedge.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Equinox with the gateway's bundles in it: boots the framework, installs and starts every bundle
 * in {@code bundles/}, hands the settings to ConfigAdmin and waits until every component has
 * settled, active or not.
 */
final class GatewayRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

    /**
     * Packages the system bundle exports from the launcher's class path: one logging API for every
     * bundle (configured by logback here), and the DS and ConfigAdmin APIs so that the launcher can
     * talk to Felix SCR and ConfigAdmin with the same classes they use.
     */
    static final String SYSTEM_PACKAGES_EXTRA = String.join(",",
            "org.slf4j;version=2.0.17", "org.slf4j.spi;version=2.0.17", "org.slf4j.event;version=2.0.17",
            "org.slf4j.helpers;version=2.0.17",
            "org.osgi.service.component;version=1.5.1", "org.osgi.service.component.runtime;version=1.5",
            "org.osgi.service.component.runtime.dto;version=1.5",
            "org.osgi.service.cm;version=1.6.1");

    private final Framework framework;

    private GatewayRuntime(Framework framework) {
        this.framework = framework;
    }

    static GatewayRuntime boot(Path workDir) throws BundleException {
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, workDir.resolve("osgi").toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SYSTEM_PACKAGES_EXTRA);
        props.put("osgi.console", "");
        props.put("eclipse.log.enabled", "false");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path (lib/org.eclipse.osgi-*.jar)"));
        Framework fw = factory.newFramework(props);
        fw.start();
        return new GatewayRuntime(fw);
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    /** Installs every jar of the folder, then starts them all (fragments are only installed). */
    List<Bundle> installAndStart(Path bundlesDir) throws IOException, BundleException {
        List<Bundle> installed = new ArrayList<>();
        List<Path> jars = newestOfEach(bundlesDir);
        BundleContext bc = context();
        for (Path jar : jars) {
            installed.add(bc.installBundle(jar.toUri().toString()));
        }
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                try {
                    b.start();
                } catch (BundleException e) {
                    // reported with its reason by the status report; the others still start
                }
            }
        }
        return installed;
    }

    /**
     * The jars of {@code bundlesDir}, one per bundle: where two jars are the same bundle (an archive
     * unpacked over an older release leaves the old jar beside the new one), the higher
     * Bundle-Version wins and the other is named in the log and left alone.
     */
    static List<Path> newestOfEach(Path bundlesDir) throws IOException {
        java.util.Map<String, Path> chosen = new java.util.TreeMap<>();
        java.util.Map<String, org.osgi.framework.Version> versions = new java.util.HashMap<>();
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(bundlesDir, "*.jar")) {
            ds.forEach(jars::add);
        }
        jars.sort(null);
        for (Path jar : jars) {
            String name;
            org.osgi.framework.Version version;
            try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
                java.util.jar.Manifest m = j.getManifest();
                String bsn = m == null ? null : m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
                if (bsn == null) {
                    chosen.put(jar.getFileName().toString(), jar); // not a bundle: installing it says so
                    continue;
                }
                name = bsn.split(";")[0].trim();
                version = org.osgi.framework.Version.parseVersion(m.getMainAttributes().getValue(Constants.BUNDLE_VERSION));
            }
            org.osgi.framework.Version had = versions.get(name);
            if (had == null || version.compareTo(had) > 0) {
                if (had != null) {
                    LOG.warn("Bundle {} is in {} twice: {} ({}) replaces {} ({}); remove the older jar", name, bundlesDir,
                            jar.getFileName(), version, chosen.get(name).getFileName(), had);
                }
                chosen.put(name, jar);
                versions.put(name, version);
            } else {
                LOG.warn("Bundle {} is in {} twice: {} ({}) is left out for {} ({}); remove the older jar", name, bundlesDir,
                        jar.getFileName(), version, chosen.get(name).getFileName(), had);
            }
        }
        List<Path> out = new ArrayList<>(chosen.values());
        out.sort(null);
        return out;
    }

    /** Gives each PID its configuration through ConfigAdmin (location "?" binds it to any bundle). */
    void configure(Map<String, Hashtable<String, Object>> configurations) throws IOException, InterruptedException {
        ConfigurationAdmin admin = await(ConfigurationAdmin.class, 30);
        for (Map.Entry<String, Hashtable<String, Object>> c : configurations.entrySet()) {
            Configuration cfg = admin.getConfiguration(c.getKey(), "?");
            cfg.update(c.getValue());
        }
    }

    ServiceComponentRuntime scr() throws InterruptedException {
        return await(ServiceComponentRuntime.class, 30);
    }

    /**
     * Waits until no component is still becoming active: every one is ACTIVE or settled in a state
     * that will not change by itself (failed, or waiting for something that is not there). A state
     * counts as settled after two seconds without change and with nothing still activating.
     */
    List<StatusReport.Line> awaitComponents(long timeoutSeconds) throws InterruptedException {
        ServiceComponentRuntime scr = scr();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        List<StatusReport.Line> last = StatusReport.components(scr);
        int stableRounds = 0;
        long nextNote = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Thread.sleep(100); // SCR works on its own threads; poll its DTOs until they stop changing
            List<StatusReport.Line> now = StatusReport.components(scr);
            if (System.nanoTime() > nextNote) {
                nextNote = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                LOG.info("Still starting: {} (a database migration after an upgrade can take minutes on a large store)",
                        now.stream().filter(l -> l.state().equals(StatusReport.ACTIVATING)).map(StatusReport.Line::name).toList());
            }
            boolean allActive = !now.isEmpty() && now.stream().allMatch(StatusReport.Line::ok);
            boolean activating = now.stream().anyMatch(l -> l.state().equals(StatusReport.ACTIVATING));
            // once a component has failed the gateway will not start; a component "activating" then is one whose
            // activation failed with its dependency's, which SCR leaves SATISFIED: no reason to wait for it
            boolean failed = now.stream().anyMatch(l -> l.state().equals("FAILED"));
            stableRounds = now.equals(last) && (!activating || failed) ? stableRounds + 1 : 0;
            last = now;
            if (allActive || stableRounds >= 20) {
                break;
            }
        }
        return last;
    }

    /** A property of the first service registered under this interface name, or null. */
    Object serviceProperty(String interfaceName, String property) {
        ServiceReference<?> ref = context().getServiceReference(interfaceName);
        return ref == null ? null : ref.getProperty(property);
    }

    private <T> T await(Class<T> type, int seconds) throws InterruptedException {
        ServiceTracker<T, T> t = new ServiceTracker<>(context(), type, null);
        t.open();
        try {
            T service = t.waitForService(TimeUnit.SECONDS.toMillis(seconds));
            if (service == null) {
                throw new IllegalStateException(type.getSimpleName() + " did not appear within " + seconds + " s");
            }
            return service;
        } finally {
            // the service object stays usable; the tracker was only for waiting
            t.close();
        }
    }

    void waitForStop() throws InterruptedException {
        framework.waitForStop(0);
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(TimeUnit.SECONDS.toMillis(30));
    }
}
