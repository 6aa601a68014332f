package org.campusedge.sandbox;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the registry YAML file into a {@link Registry}, reporting problems as
 * {@code FILE: field: reason}.
 */
final class RegistryYaml {

    private static final Set<String> TOP_KEYS = Set.of("tenants", "north");
    private static final Set<String> TENANT_KEYS = Set.of("id", "enabled", "gateways", "devices");
    private static final Set<String> GATEWAY_KEYS = Set.of("id", "password", "devices");
    private static final Set<String> DEVICE_KEYS = Set.of("id", "password");
    private static final Set<String> NORTH_KEYS = Set.of("username", "password");

    private final String file;

    private RegistryYaml(final String file) {
        this.file = file;
    }

    static Registry load(final Path path) {
        final RegistryYaml reader = new RegistryYaml(String.valueOf(path));
        final Object root;
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (final NoSuchFileException e) {
            throw new RegistryException(path + ": (file): not found");
        } catch (final IOException e) {
            throw new RegistryException(path + ": (file): cannot read: " + e.getMessage(), e);
        } catch (final YAMLException e) {
            throw new RegistryException(path + ": (yaml): not valid YAML: "
                    + e.getMessage().replace('\n', ' '), e);
        }
        return reader.parse(root);
    }

    private Registry parse(final Object root) {
        final Map<?, ?> top = map(root, "(document)");
        checkKeys(top, TOP_KEYS, "");
        final Registry.Builder builder = Registry.builder(file);
        final List<?> tenants = list(top.get("tenants"), "tenants", true);
        if (tenants.isEmpty()) {
            throw error("tenants", "at least one tenant is required");
        }
        for (int i = 0; i < tenants.size(); i++) {
            final String at = "tenants[" + i + "]";
            final Map<?, ?> t = map(tenants.get(i), at);
            checkKeys(t, TENANT_KEYS, at + ".");
            final String id = string(t.get("id"), at + ".id", true);
            final Object enabled = t.get("enabled") == null ? Boolean.TRUE : t.get("enabled");
            if (!(enabled instanceof Boolean)) {
                throw error(at + ".enabled", "must be true or false");
            }
            wrap(at + ".id", () -> builder.tenant(id, (Boolean) enabled));
            final List<?> gateways = list(t.get("gateways"), at + ".gateways", false);
            for (int g = 0; g < gateways.size(); g++) {
                final String gat = at + ".gateways[" + g + "]";
                final Map<?, ?> gw = map(gateways.get(g), gat);
                checkKeys(gw, GATEWAY_KEYS, gat + ".");
                final String gid = string(gw.get("id"), gat + ".id", true);
                final String pw = string(gw.get("password"), gat + ".password", true);
                final List<String> devices = new ArrayList<>();
                final List<?> raw = list(gw.get("devices"), gat + ".devices", false);
                for (int d = 0; d < raw.size(); d++) {
                    devices.add(string(raw.get(d), gat + ".devices[" + d + "]", true));
                }
                wrap(gat, () -> builder.gateway(gid, pw, devices));
            }
            final List<?> devices = list(t.get("devices"), at + ".devices", false);
            for (int d = 0; d < devices.size(); d++) {
                final String dat = at + ".devices[" + d + "]";
                final Map<?, ?> dev = map(devices.get(d), dat);
                checkKeys(dev, DEVICE_KEYS, dat + ".");
                final String did = string(dev.get("id"), dat + ".id", true);
                final String pw = string(dev.get("password"), dat + ".password", true);
                wrap(dat, () -> builder.device(did, pw));
            }
        }
        if (top.get("north") != null) {
            final Map<?, ?> north = map(top.get("north"), "north");
            checkKeys(north, NORTH_KEYS, "north.");
            final String user = string(north.get("username"), "north.username", true);
            final String pw = string(north.get("password"), "north.password", true);
            builder.north(user, pw);
        }
        return builder.build();
    }

    /** Re-labels a builder error with the YAML path of the element. */
    private void wrap(final String at, final Runnable action) {
        try {
            action.run();
        } catch (final RegistryException e) {
            final String msg = e.getMessage();
            final String reason = msg.substring(msg.lastIndexOf(": ") + 2);
            throw error(at, reason);
        }
    }

    private Map<?, ?> map(final Object value, final String at) {
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw error(at, value == null ? "missing" : "must be a mapping");
    }

    private List<?> list(final Object value, final String at, final boolean required) {
        if (value == null) {
            if (required) {
                throw error(at, "missing");
            }
            return List.of();
        }
        if (value instanceof List<?> l) {
            return l;
        }
        throw error(at, "must be a list");
    }

    private String string(final Object value, final String at, final boolean required) {
        if (value == null || value instanceof String s && s.isBlank()) {
            if (required) {
                throw error(at, "missing");
            }
            return null;
        }
        if (value instanceof String || value instanceof Number) {
            return String.valueOf(value);
        }
        throw error(at, "must be a string");
    }

    private void checkKeys(final Map<?, ?> map, final Set<String> allowed, final String prefix) {
        for (final Object key : map.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw error(prefix + key, "unknown field (expected one of " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    private RegistryException error(final String field, final String reason) {
        return new RegistryException(file + ": " + field + ": " + reason);
    }
}
