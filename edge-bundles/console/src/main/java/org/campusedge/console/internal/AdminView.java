package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import org.campusedge.api.DeviceCounters;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.RuleStatus;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * What the admin page shows besides users: the inventory and the rules in force with their load
 * errors, every bundle's state, and each device's message counts with its last refusal.
 */
final class AdminView {

    private static final String[] STATES = {"UNINSTALLED", "INSTALLED", "RESOLVED", "STARTING", "STOPPING", "ACTIVE"};

    private final BundleContext context;
    private final DeviceRegistry registry;
    private final RuleStatus rules;
    private final DeviceCounters counters;

    AdminView(BundleContext context, DeviceRegistry registry, RuleStatus rules, DeviceCounters counters) {
        this.context = context;
        this.registry = registry;
        this.rules = rules;
        this.counters = counters;
    }

    void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("school", registry.schoolId());
        g.writeNumberField("devices", registry.devices().size());
        g.writeNumberField("profiles", registry.profiles().size());
        g.writeNumberField("inventoryGeneration", registry.generation());
        strings(g, "inventoryErrors", registry.loadErrors());
        g.writeNumberField("rules", rules.rules());
        g.writeNumberField("scheduledBroadcasts", rules.scheduledBroadcasts());
        strings(g, "ruleErrors", rules.loadErrors());
        g.writeArrayFieldStart("bundles");
        for (Bundle b : context.getBundles()) {
            g.writeStartObject();
            g.writeStringField("name", b.getSymbolicName());
            g.writeStringField("version", b.getVersion().toString());
            int bit = Integer.numberOfTrailingZeros(b.getState());
            g.writeStringField("state", bit < STATES.length ? STATES[bit] : Integer.toString(b.getState()));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("counters");
        for (DeviceCounters.Counts c : counters.all()) {
            g.writeStartObject();
            g.writeStringField("device", c.deviceId());
            g.writeNumberField("accepted", c.accepted());
            g.writeNumberField("rejected", c.rejected());
            g.writeNumberField("deferred", c.deferred());
            g.writeStringField("lastError", c.lastError());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
