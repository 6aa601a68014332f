package org.campusedge.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The gateway's settings file ({@code conf/gateway.properties}) plus command-line overrides, turned
 * into one ConfigAdmin configuration per PID the bundles define (their Metatype, {@link SettingsCatalog}).
 * A key's prefix names the configuration ({@code store.path} is property {@code path} of
 * {@code org.campusedge.store}); values of keys
 * that name files or folders are resolved against the gateway's home, or against the running
 * release's program folder when they start with {@code ${app}/} (its device profiles).
 */
final class GatewaySettings {

    /** What a path setting starts with to name a file of the program folder rather than the home. */
    static final String APP = "${app}/";

    private final Path home;
    private final Path app;
    private final SettingsCatalog catalog;
    private final Map<String, String> values = new TreeMap<>();

    private GatewaySettings(Path home, Path app, SettingsCatalog catalog) {
        this.home = home;
        this.app = app;
        this.catalog = catalog;
    }

    /** Settings of a home that is also the program folder (a development or test home). */
    static GatewaySettings load(Path home, Path file, List<String> overrides, SettingsCatalog catalog) throws IOException {
        return load(home, home, file, overrides, catalog);
    }

    /**
     * The settings file and the overrides, each key checked against the bundles' own definitions
     * ({@link SettingsCatalog}): an unknown prefix or a key its configuration lacks (a typo) is an
     * {@link IllegalArgumentException} naming the keys there are, before anything starts.
     */
    static GatewaySettings load(Path home, Path app, Path file, List<String> overrides, SettingsCatalog catalog) throws IOException {
        GatewaySettings s = new GatewaySettings(home, app, catalog);
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> s.values.put(k, p.getProperty(k).trim()));
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects key=value, got '" + o + "'");
            }
            s.values.put(o.substring(0, eq).trim(), o.substring(eq + 1).trim());
        }
        for (String key : s.values.keySet()) {
            java.util.Optional<String> problem = catalog.problem(key);
            if (problem.isPresent()) {
                throw new IllegalArgumentException(problem.get());
            }
        }
        return s;
    }

    /** The configuration for each PID, with paths made absolute. */
    Map<String, Hashtable<String, Object>> configurations() {
        Map<String, Hashtable<String, Object>> out = new TreeMap<>();
        Map<String, String> pids = catalog.pids();
        for (String pid : pids.values()) {
            out.put(pid, new Hashtable<>());
        }
        values.forEach((key, value) -> {
            int dot = key.indexOf('.');
            String name = key.substring(dot + 1);
            out.get(pids.get(key.substring(0, dot))).put(name, isPath(name) ? resolve(value) : value);
        });
        return out;
    }

    String get(String key) {
        return values.get(key);
    }

    Path path(String key, String fallback) {
        String v = values.getOrDefault(key, fallback);
        return Path.of(resolve(v));
    }

    private static boolean isPath(String name) {
        return name.equals("path") || name.endsWith("Dir") || name.endsWith("File") || name.endsWith("Path");
    }

    private String resolve(String value) {
        if (value.isEmpty()) {
            return value;
        }
        if (value.startsWith(APP)) {
            return app.resolve(value.substring(APP.length())).normalize().toString();
        }
        Path p = Path.of(value);
        if (!p.isAbsolute() && p.startsWith("device-profiles") && !Files.exists(home.resolve(p)) && Files.exists(app.resolve(p))) {
            // settings written before the home was apart from the program name the release's profiles this way
            return app.resolve(p).normalize().toString();
        }
        return (p.isAbsolute() ? p : home.resolve(p)).normalize().toString();
    }
}
