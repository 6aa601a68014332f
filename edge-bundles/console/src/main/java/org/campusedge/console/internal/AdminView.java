package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import org.campusedge.api.CloudLink;
import org.campusedge.api.DeviceCounters;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.RuleStatus;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * What the admin page shows besides users: the inventory and the rules in force with their load
 * errors, every bundle's and every Campus Edge component's state, and each device's message counts
 * with its last refusal.
 */
final class AdminView {

    private static final String[] STATES = {"UNINSTALLED", "INSTALLED", "RESOLVED", "STARTING", "STOPPING", "ACTIVE"};

    private final BundleContext context;
    private final DeviceRegistry registry;
    private final RuleStatus rules;
    private final DeviceCounters counters;
    private final ServiceComponentRuntime scr;
    private final java.util.function.Supplier<CloudLink> cloud;
    private final org.campusedge.api.EventStore store;

    AdminView(BundleContext context, DeviceRegistry registry, RuleStatus rules, DeviceCounters counters,
              ServiceComponentRuntime scr, java.util.function.Supplier<CloudLink> cloud, org.campusedge.api.EventStore store) {
        this.store = store;
        this.scr = scr;
        this.cloud = cloud;
        this.context = context;
        this.registry = registry;
        this.rules = rules;
        this.counters = counters;
    }

    /** The rules in force (the energy page draws their power limits). */
    RuleStatus rules() {
        return rules;
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
        strings(g, "ruleList", rules.ruleSummaries());
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
        g.writeArrayFieldStart("components");
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!d.name.startsWith("org.campusedge.")) {
                continue;
            }
            g.writeStartObject();
            g.writeStringField("name", d.name.substring(d.name.lastIndexOf('.') + 1));
            var configs = scr.getComponentConfigurationDTOs(d);
            String state = !scr.isComponentEnabled(d) ? "DISABLED" : configs.isEmpty() ? "UNSATISFIED (no configuration)"
                    : switch (configs.iterator().next().state) {
                        case ComponentConfigurationDTO.ACTIVE -> "ACTIVE";
                        case ComponentConfigurationDTO.SATISFIED -> "SATISFIED";
                        case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED (missing service)";
                        case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED (configuration)";
                        case ComponentConfigurationDTO.FAILED_ACTIVATION -> "FAILED: " + configs.iterator().next().failure;
                        default -> Integer.toString(configs.iterator().next().state);
                    };
            g.writeStringField("state", state);
            g.writeEndObject();
        }
        g.writeEndArray();
        strings(g, "retention", store.retention()); // what is kept for how long, and why
        writeCloud(g);
        g.writeArrayFieldStart("counters");
        for (DeviceCounters.Counts c : counters.all()) {
            g.writeStartObject();
            g.writeStringField("device", c.deviceId());
            g.writeStringField("profile", registry.device(c.deviceId()).map(org.campusedge.api.Device::profileId).orElse(""));
            g.writeNumberField("accepted", c.accepted());
            g.writeNumberField("rejected", c.rejected());
            g.writeNumberField("deferred", c.deferred());
            g.writeStringField("lastError", c.lastError());
            g.writeArrayFieldStart("unprofiled"); // points its profile lacks, kept and marked: add them to the profile
            for (DeviceCounters.Unprofiled u : c.unprofiled()) {
                g.writeStartObject();
                g.writeStringField("point", u.point());
                g.writeStringField("unit", u.unit());
                g.writeNumberField("readings", u.readings());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** The tamper-evident trail checked now, link by link: intact, or where it first breaks and why. */
    void writeTrail(JsonGenerator g) throws IOException {
        g.writeStartObject();
        java.util.Optional<org.campusedge.api.TrailStatus> checked = store.verifyTrail();
        g.writeBooleanField("kept", checked.isPresent());
        if (checked.isPresent()) {
            org.campusedge.api.TrailStatus t = checked.get();
            g.writeBooleanField("intact", t.intact());
            g.writeNumberField("links", t.links());
            g.writeNumberField("headSeq", t.headSeq());
            g.writeStringField("headHash", t.headHash());
            if (!t.intact()) {
                g.writeNumberField("brokenAt", t.brokenAt());
                g.writeStringField("eventId", t.eventId());
                g.writeStringField("problem", t.problem());
            }
        }
        g.writeEndObject();
    }

    /** The link to the city: up or not, what waits in the outbox per lane, what the city last took and asked. */
    private void writeCloud(JsonGenerator g) throws IOException {
        CloudLink link = cloud.get();
        g.writeObjectFieldStart("cloud");
        if (link != null) {
            CloudLink.Status s = link.status();
            g.writeStringField("endpoint", s.endpoint());
            g.writeBooleanField("connected", s.connected());
            g.writeStringField("since", s.since() == null ? null : s.since().toString());
            g.writeNumberField("accepted", s.accepted());
            g.writeNumberField("refused", s.refused());
            g.writeStringField("lastAccepted", s.lastAccepted() == null ? null : s.lastAccepted().toString());
            g.writeNumberField("commands", s.commands());
            g.writeStringField("lastCommand", s.lastCommand());
            g.writeStringField("lastError", s.lastError());
            g.writeNumberField("outboxCritical", s.outbox().critical());
            g.writeNumberField("outboxTelemetry", s.outbox().telemetry());
            g.writeNumberField("outboxBytes", s.outbox().bytes());
            g.writeNumberField("outboxBudgetBytes", s.outbox().budgetBytes());
            g.writeNumberField("shedTelemetry", s.outbox().shedTelemetry());
            g.writeNumberField("parked", s.outbox().parked());
        }
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
