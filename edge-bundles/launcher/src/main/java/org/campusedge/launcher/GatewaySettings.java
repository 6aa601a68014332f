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
 * into one ConfigAdmin configuration per PID. A key's prefix names the configuration
 * ({@code store.path} is property {@code path} of {@code org.campusedge.store}); values of keys
 * that name files or folders are resolved against the gateway's home, or against the running
 * release's program folder when they start with {@code ${app}/} (its device profiles).
 */
final class GatewaySettings {

    /** Key prefix to ConfigAdmin PID. */
    static final Map<String, String> PIDS = Map.ofEntries(
            Map.entry("store", "org.campusedge.store"),
            Map.entry("registry", "org.campusedge.registry"),
            Map.entry("credentials", "org.campusedge.credentials"),
            Map.entry("camel", "org.campusedge.camel"),
            Map.entry("health", "org.campusedge.health"),
            Map.entry("rules", "org.campusedge.rules"),
            Map.entry("notify", "org.campusedge.notify"),
            Map.entry("console", "org.campusedge.console"),
            Map.entry("outbox", "org.campusedge.outbox"),
            Map.entry("cloud", "org.campusedge.cloud"),
            Map.entry("watchdog", "org.campusedge.watchdog"));

    /** What a path setting starts with to name a file of the program folder rather than the home. */
    static final String APP = "${app}/";

    private final Path home;
    private final Path app;
    private final Map<String, String> values = new TreeMap<>();

    private GatewaySettings(Path home, Path app) {
        this.home = home;
        this.app = app;
    }

    /** Settings of a home that is also the program folder (a development or test home). */
    static GatewaySettings load(Path home, Path file, List<String> overrides) throws IOException {
        return load(home, home, file, overrides);
    }

    static GatewaySettings load(Path home, Path app, Path file, List<String> overrides) throws IOException {
        GatewaySettings s = new GatewaySettings(home, app);
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
            int dot = key.indexOf('.');
            if (dot <= 0 || !PIDS.containsKey(key.substring(0, dot))) {
                throw new IllegalArgumentException("unknown setting '" + key + "': keys start with one of " + PIDS.keySet());
            }
        }
        return s;
    }

    /** The configuration for each PID, with paths made absolute. */
    Map<String, Hashtable<String, Object>> configurations() {
        Map<String, Hashtable<String, Object>> out = new TreeMap<>();
        for (String pid : PIDS.values()) {
            out.put(pid, new Hashtable<>());
        }
        values.forEach((key, value) -> {
            int dot = key.indexOf('.');
            String name = key.substring(dot + 1);
            out.get(PIDS.get(key.substring(0, dot))).put(name, isPath(name) ? resolve(value) : value);
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
