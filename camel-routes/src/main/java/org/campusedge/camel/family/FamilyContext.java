package org.campusedge.camel.family;

import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Watchdog;
import org.campusedge.camel.card.CardServer;
import org.campusedge.camel.coap.GatewayCoapServer;
import org.campusedge.camel.command.CommandSender;
import org.campusedge.camel.http.GatewayHttpServer;
import org.campusedge.camel.ingest.IngressCounters;

/**
 * What the gateway gives a {@link DeviceFamily}: the Camel context to bind into, the inventory,
 * the devices' credentials and counters, the shared connectors, a timer for polls, the commands
 * into device routes (once the context runs) and the family's own settings.
 */
public final class FamilyContext {

    private final CamelContext camel;
    private final DeviceRegistry registry;
    private final IngressCounters counters;
    private final DeviceCredentials credentials;
    private final Watchdog watchdog;
    private final Connectors connectors;
    private final ScheduledExecutorService timer;
    private final Map<String, Object> settings;
    private volatile CommandSender commands;

    /** The gateway's shared connectors. */
    public record Connectors(GatewayCoapServer coap, CardServer cards, GatewayHttpServer http) {
    }

    public FamilyContext(CamelContext camel, DeviceRegistry registry, IngressCounters counters, DeviceCredentials credentials,
                         Watchdog watchdog, Connectors connectors, ScheduledExecutorService timer, Map<String, Object> settings) {
        this.camel = camel;
        this.registry = registry;
        this.counters = counters;
        this.credentials = credentials;
        this.watchdog = watchdog;
        this.connectors = connectors;
        this.timer = timer;
        this.settings = Map.copyOf(settings);
    }

    /** Binds a bean a template refers to by name ({@code process: {ref: ...}}). */
    public void bind(String name, Object bean) {
        camel.getRegistry().bind(name, bean);
    }

    /** Adds a Camel component a template's {@code from} uses by scheme. */
    public void component(String scheme, Component component) {
        camel.addComponent(scheme, component);
    }

    public DeviceRegistry registry() {
        return registry;
    }

    public IngressCounters counters() {
        return counters;
    }

    /** The devices' credentials; null when the gateway takes devices unproven (tests of the routes' logic). */
    public DeviceCredentials credentials() {
        return credentials;
    }

    public Watchdog watchdog() {
        return watchdog;
    }

    public Connectors connectors() {
        return connectors;
    }

    /** One thread for the families' timers (polls, observe registrations): keep what runs on it short. */
    public ScheduledExecutorService timer() {
        return timer;
    }

    /** Commands into device routes ({@code direct:...}); null until the context runs ({@link DeviceFamily#started}). */
    public CommandSender commands() {
        return commands;
    }

    public void commands(CommandSender commands) {
        this.commands = commands;
    }

    /** The inventory's devices of a family that have a route {@code routePrefix + id} running now: whom a poll asks. */
    public java.util.List<org.campusedge.api.Device> devicesWithRoute(String family, String routePrefix) {
        return registry.devices().stream().filter(d -> d.family().equals(family) && camel.getRoute(routePrefix + d.id()) != null)
                .toList();
    }

    /** A setting of the family, or {@code fallback} when it is not set or of another type. */
    public <T> T setting(String key, Class<T> type, T fallback) {
        Object v = settings.get(key);
        if (v == null) {
            return fallback;
        }
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        if (v instanceof String s && (type == Integer.class || type == Long.class)) {
            try {
                return type.cast(type == Integer.class ? (Object) Integer.valueOf(s.trim()) : (Object) Long.valueOf(s.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("setting " + key + " is not a whole number: '" + s + "'");
            }
        }
        if (v instanceof Number n && type == Long.class) {
            return type.cast(n.longValue());
        }
        if (v instanceof Number n && type == Integer.class) {
            return type.cast(n.intValue());
        }
        throw new IllegalArgumentException("setting " + key + " is a " + v.getClass().getSimpleName() + ", not a " + type.getSimpleName());
    }
}
