package org.campusedge.camel.energy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.campusedge.api.Device;
import org.campusedge.api.Point;
import org.campusedge.api.Profile;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;

/**
 * Where a meter's points are on its OPC UA server, from the inventory and the profile: the device's
 * {@code address} is the endpoint URL, its {@code nodes} property a NodeId pattern in which
 * {@code {node}} stands for a point's {@code node} from the profile, e.g.
 * {@code nsu=urn:campusedge:sim:energy;s=teaching.meter-1.{node}}. The namespace is best given by
 * URI ({@code nsu=}): servers number their namespaces differently (Milo 2, node-opcua 1).
 * Sampling is the device's {@code samplingMs} property, else the point's, else one second.
 */
record MeterPlan(MeterTarget target, String nodePattern, List<MeterConnection.PointNode> watched) {

    /**
     * The security policies a meter may ask for with its {@code opcuaSecurity} property (SignAndEncrypt each).
     * Not Aes256_Sha256_RsaPss: Milo 1.0.8's client and server did not agree on it here (the server closed the
     * channel), and a policy nobody could test is not offered.
     */
    static final List<String> POLICIES = List.of("Basic256Sha256", "Aes128_Sha256_RsaOaep");

    String endpointUrl() {
        return target.endpointUrl();
    }

    /**
     * @param secure whether the gateway connects securely at all (it has its certificates and the
     *               devices' credentials); if not, every meter is read unsecured (tests of the routes' logic)
     */
    static MeterPlan of(Device device, Profile profile, boolean secure) {
        String address = device.address();
        if (address == null || !address.startsWith("opc.tcp://")) {
            throw new IllegalArgumentException("meter " + device.id() + " needs an opc.tcp:// address, got " + address);
        }
        String pattern = device.properties().get("nodes");
        if (pattern == null || !pattern.contains("{node}")) {
            throw new IllegalArgumentException("meter " + device.id()
                    + " needs a 'nodes' property with {node} in it, e.g. nsu=urn:x;s=meter-1.{node}");
        }
        String deviceSampling = device.properties().get("samplingMs");
        List<MeterConnection.PointNode> watched = new ArrayList<>();
        for (Point p : profile.points()) {
            if (p.node() != null && !p.writable()) {
                double sampling = deviceSampling != null ? Double.parseDouble(deviceSampling)
                        : p.samplingMs() != null ? p.samplingMs() : 1000;
                watched.add(new MeterConnection.PointNode(p.name(), nodeId(pattern, p), sampling));
            }
        }
        if (watched.isEmpty()) {
            throw new IllegalArgumentException("profile " + profile.id() + " has no readable point with a node");
        }
        return new MeterPlan(target(device, secure), pattern, watched);
    }

    /**
     * How to reach the meter's server: unsecured and anonymous only when the inventory says
     * {@code security: none}; else the {@code opcuaSecurity} policy (Basic256Sha256 unless said) with
     * SignAndEncrypt, as user {@code opcuaUser} with the secret of credential {@code credential} as
     * password. Meters behind one server name the server's credential (and so share one session);
     * a meter that is its own server uses its own (the default, its device id, also the user name).
     */
    static MeterTarget target(Device device, boolean secure) {
        if (device.unprotected() || !secure) {
            return MeterTarget.unsecured(device.address());
        }
        String policy = device.properties().getOrDefault("opcuaSecurity", "Basic256Sha256");
        if (!POLICIES.contains(policy)) {
            throw new IllegalArgumentException("meter " + device.id() + ": opcuaSecurity must be one of " + POLICIES
                    + " (or mark the meter security: none), got " + policy);
        }
        String credential = device.credentialId();
        String user = device.properties().getOrDefault("opcuaUser", credential);
        return new MeterTarget(device.address(), SecurityPolicy.valueOf(policy), user, credential);
    }

    /** The NodeId of a writable point, or empty when the profile has no such writable point. */
    Optional<String> controlNode(Profile profile, String pointName) {
        return profile.point(pointName).filter(Point::writable).filter(p -> p.node() != null).map(p -> nodeId(nodePattern, p));
    }

    private static String nodeId(String pattern, Point p) {
        return pattern.replace("{node}", p.node());
    }
}
