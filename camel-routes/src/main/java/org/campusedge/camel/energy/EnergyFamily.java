package org.campusedge.camel.energy;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.campusedge.api.DeviceControls;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.Families;
import org.campusedge.api.ServerCertificates;
import org.campusedge.camel.family.DeviceFamily;
import org.campusedge.camel.family.FamilyContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Energy meters behind OPC UA servers: their points subscribed (one session per server, shared by
 * its meters), breakers written through a command route per meter. Secured (Basic256Sha256,
 * SignAndEncrypt, the gateway's certificate made at the first start in {@code camel.opcuaPkiDir}, the
 * server's password from the secrets file) when the gateway has the devices' credentials. Offers
 * {@link DeviceControls} and the OPC UA trust list ({@link ServerCertificates}).
 */
public final class EnergyFamily implements DeviceFamily {

    private static final Logger LOG = LoggerFactory.getLogger(EnergyFamily.class);

    public static final String READING = Families.ENERGY_READING;
    /** A write to a control point (a breaker), with who asked and what the server said. */
    public static final String CONTROL = Families.ENERGY_CONTROL;

    private MeterConnections meters;
    private OpcUaPki pki;
    private volatile GatewayControls controls;

    @Override
    public String name() {
        return Families.ENERGY;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.OBSERVE, Capability.COMMAND);
    }

    @Override
    public Set<String> protocols() {
        return Set.of("opcua");
    }

    @Override
    public Set<String> eventKinds() {
        return Set.of(READING, CONTROL);
    }

    /** The meters are subscribed whatever the inventory's mode: their route is {@code energy}. */
    @Override
    public List<String> templates() {
        return List.of("energy.yaml", "energy-command.yaml");
    }

    @Override
    public void bind(FamilyContext c) throws Exception {
        DeviceCredentials credentials = c.credentials();
        Path pkiDir = c.setting("opcuaPkiDir", Path.class, null);
        if (credentials == null || pkiDir == null) {
            meters = new MeterConnections(500);
        } else {
            String school = c.registry().schoolId();
            pki = OpcUaPki.open(pkiDir, MeterConnections.APPLICATION_URI + ":" + school, "Campus Edge gateway " + school);
            meters = new MeterConnections(500, pki, id -> credentials.secret(id).map(DeviceCredentials.Secret::value).orElse(null),
                    c.counters()::unproven);
        }
        c.component("campus-opcua", new OpcUaComponent(meters, c.registry(), c.counters()));
        c.bind("energyNormaliser", new EnergyNormaliser(c.registry()));
        c.bind("energyControl", new EnergyControl(c.registry(), meters));
    }

    @Override
    public void started(FamilyContext c) {
        controls = new GatewayControls(c.commands());
    }

    @Override
    public void credentialsChanged(Set<String> deviceIds) {
        MeterConnections m = meters;
        if (m != null) {
            m.credentialsChanged(deviceIds);
        }
    }

    @Override
    public Map<Class<?>, Object> services() {
        Map<Class<?>, Object> out = new HashMap<>();
        if (controls != null) {
            out.put(DeviceControls.class, controls);
        }
        if (pki != null) {
            out.put(ServerCertificates.class, pki);
        }
        return out;
    }

    /** After the routes: they hand their meters back on stop. */
    @Override
    public void close() {
        if (meters != null) {
            meters.close();
            meters = null;
        }
        if (pki != null) {
            try {
                pki.close();
            } catch (java.io.IOException e) {
                LOG.debug("Closing the OPC UA trust list: {}", e.toString());
            }
        }
    }
}
