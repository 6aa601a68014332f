package org.campusedge.camel.lab;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.campusedge.api.Families;
import org.campusedge.camel.coap.CoapDeviceAuth;
import org.campusedge.camel.coap.CoapIngestComponent;
import org.campusedge.camel.family.DeviceFamily;
import org.campusedge.camel.family.FamilyContext;
import org.campusedge.camel.observe.ObserveComponent;

/**
 * Digital-lab sensor kits: SenML packs posted over CoAP (coaps with the kit's pre-shared key, plain
 * CoAP for kits the inventory marks {@code security: none}), or observed by the gateway
 * ({@code mode: observe}). Settings: {@code camel.maxPackRecords}, the CoAP connector's.
 */
public final class LabFamily implements DeviceFamily {

    /** One reading of a pack. */
    public static final String READING = Families.LAB_READING;

    private volatile ObserveComponent observe;

    @Override
    public String name() {
        return Families.LAB;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PUSH, Capability.OBSERVE);
    }

    @Override
    public Set<String> protocols() {
        return Set.of("coap-senml");
    }

    @Override
    public Set<String> eventKinds() {
        return Set.of(READING);
    }

    @Override
    public List<String> templates() {
        return List.of("lab.yaml", "lab-observe.yaml");
    }

    @Override
    public void bind(FamilyContext c) {
        CoapDeviceAuth auth = new CoapDeviceAuth(c.registry(), c.credentials(), c.connectors().coap().securePort());
        c.component("campus-coap", new CoapIngestComponent(c.connectors().coap().server(), c.counters(), auth));
        c.bind("labNormaliser", new LabNormaliser(c.registry(), new SenmlParser(c.setting("maxPackRecords", Integer.class, 1000)),
                c.counters()));
        observe = new ObserveComponent(ObserveComponent.configuration(), c.timer(), c.counters(), auth::plainAllowed, c.credentials());
        c.component("campus-observe", observe);
    }

    @Override
    public void credentialsChanged(Set<String> deviceIds) {
        ObserveComponent o = observe;
        if (o != null) {
            o.credentialsChanged(deviceIds);
        }
    }
}
