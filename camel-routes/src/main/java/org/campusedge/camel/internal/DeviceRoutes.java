package org.campusedge.camel.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device routes of the Camel context, kept matching the inventory: every device whose family
 * has a template gets its route (and its command route), made again when what it was made from
 * changes, removed when the device leaves. A route that fails to start is remembered with why.
 */
final class DeviceRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceRoutes.class);

    /** What a device's route was made from (a meter's node pattern is a property); any change makes the route again. */
    private record RouteSpec(String template, String address, Map<String, String> properties, boolean unprotected) {
    }

    private final CamelContext context;
    private final DeviceRegistry registry;
    private final Set<String> templateIds;
    private final ClassLoader classLoader;
    private final Map<String, RouteSpec> running = new HashMap<>(); // route id -> spec, the routes we made
    private final Map<String, String> routeErrors = new ConcurrentHashMap<>();

    /** @param templateFiles the loaded templates' file names, e.g. {@code lab.yaml}: a family, or a family and a mode */
    DeviceRoutes(CamelContext context, DeviceRegistry registry, Set<String> templateFiles, ClassLoader classLoader) {
        this.context = context;
        this.registry = registry;
        this.classLoader = classLoader;
        Set<String> ids = new HashSet<>();
        for (String file : templateFiles) {
            ids.add(file.substring(0, file.lastIndexOf('.')));
        }
        this.templateIds = Set.copyOf(ids);
    }

    /**
     * The template a device's route is made from: its family's, or {@code family-mode} when the
     * inventory gives the device a {@code mode} property (a lab sensor that is observed rather than
     * posting); null when there is none.
     */
    private String templateFor(Device d) {
        String mode = d.properties().get("mode");
        String id = mode == null || mode.isBlank() || mode.equals("push") ? d.family() : d.family() + "-" + mode;
        return templateIds.contains(id) ? id : null;
    }

    /**
     * The routes a device gets, by route id: one from {@link #templateFor its template}, and one
     * from its family's command template ({@code family-command}) when there is one, so a device
     * that is commanded (a broadcast controller) has a route in and a route out.
     */
    private Map<String, RouteSpec> routesFor(Device d) {
        Map<String, RouteSpec> out = new HashMap<>();
        String template = templateFor(d);
        if (template != null) {
            out.put(d.family() + "-" + d.id(), new RouteSpec(template, d.address(), d.properties(), d.unprotected()));
        }
        String command = d.family() + "-command";
        if (templateIds.contains(command)) {
            out.put(command + "-" + d.id(), new RouteSpec(command, d.address(), d.properties(), d.unprotected()));
        }
        return out;
    }

    /** Makes the running routes match the inventory: the routes of every device that has templates. */
    synchronized void reconcile() {
        Map<String, Device> wanted = new HashMap<>();
        Map<String, RouteSpec> specs = new HashMap<>();
        for (Device d : registry.devices()) {
            for (Map.Entry<String, RouteSpec> r : routesFor(d).entrySet()) {
                wanted.put(r.getKey(), d);
                specs.put(r.getKey(), r.getValue());
            }
        }
        for (String routeId : List.copyOf(running.keySet())) {
            if (!running.get(routeId).equals(specs.get(routeId))) {
                removeRoute(routeId);
            }
        }
        int added = 0;
        for (Map.Entry<String, Device> w : wanted.entrySet()) {
            if (!running.containsKey(w.getKey()) && addRoute(w.getKey(), w.getValue(), specs.get(w.getKey()))) {
                added++;
            }
        }
        LOG.info("Device routes: {} running ({} added), {} failed to start", running.size(), added, routeErrors.size());
    }

    private boolean addRoute(String routeId, Device d, RouteSpec spec) {
        String template = spec.template();
        Map<String, Object> params = new HashMap<>();
        params.put("deviceId", d.id());
        if (spec.address() != null) {
            params.put("address", spec.address());
        }
        // an observed sensor is registered again after half the silence that makes it offline
        long silence = registry.profile(d.profileId()).map(p -> p.offlineAfter()).map(o -> Math.max(1, o.getSeconds() / 2))
                .orElse(60L);
        params.put("silence", Long.toString(silence));
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(classLoader);
        try {
            context.addRouteFromTemplate(routeId, template, params);
            running.put(routeId, spec);
            routeErrors.remove(routeId);
            return true;
        } catch (Exception e) {
            routeErrors.put(routeId, e.getMessage());
            LOG.warn("Route for device {} ({}) did not start: {}", d.id(), template, e.getMessage());
            return false;
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    private void removeRoute(String routeId) {
        try {
            context.getRouteController().stopRoute(routeId);
            context.removeRoute(routeId);
        } catch (Exception e) {
            LOG.warn("Route {} could not be removed: {}", routeId, e.getMessage());
        }
        running.remove(routeId);
    }

    /** Ids of the device routes running now. */
    synchronized Set<String> routes() {
        return Set.copyOf(running.keySet());
    }

    /** Route id to the reason it failed to start, for routes that did not. */
    Map<String, String> routeErrors() {
        return Map.copyOf(routeErrors);
    }
}
