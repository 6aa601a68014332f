package org.campusedge.camel.energy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.campusedge.api.Device;
import org.campusedge.api.Point;
import org.campusedge.api.Profile;

/**
 * Where a meter's points are on its OPC UA server, from the inventory and the profile: the device's
 * {@code address} is the endpoint URL, its {@code nodes} property a NodeId pattern in which
 * {@code {node}} stands for a point's {@code node} from the profile, e.g.
 * {@code nsu=urn:campusedge:sim:energy;s=teaching.meter-1.{node}}. The namespace is best given by
 * URI ({@code nsu=}): servers number their namespaces differently (Milo 2, node-opcua 1).
 * Sampling is the device's {@code samplingMs} property, else the point's, else one second.
 */
record MeterPlan(String endpointUrl, String nodePattern, List<MeterConnection.PointNode> watched) {

    static MeterPlan of(Device device, Profile profile) {
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
        return new MeterPlan(address, pattern, watched);
    }

    /** The NodeId of a writable point, or empty when the profile has no such writable point. */
    Optional<String> controlNode(Profile profile, String pointName) {
        return profile.point(pointName).filter(Point::writable).filter(p -> p.node() != null).map(p -> nodeId(nodePattern, p));
    }

    private static String nodeId(String pattern, Point p) {
        return pattern.replace("{node}", p.node());
    }
}
