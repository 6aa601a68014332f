package org.campusedge.simulators.energy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.items.DataItem;
import org.eclipse.milo.opcua.sdk.server.items.MonitoredItem;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.sdk.server.nodes.filters.AttributeFilter;
import org.eclipse.milo.opcua.sdk.server.nodes.filters.AttributeFilterContext;
import org.eclipse.milo.opcua.sdk.server.util.SubscriptionModel;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;

/**
 * The simulated meters' address space: a folder per meter under Objects with the variables
 * {@code ActivePower} (kW), {@code Energy} (kWh), {@code Voltage} (V), {@code Current} (A) and the
 * writable {@code Breaker} (true = closed, power flows). String node ids {@code <meter>.<variable>}
 * in the namespace {@value #URI}.
 */
final class MeterNamespace extends ManagedNamespaceWithLifecycle {

    static final String URI = "urn:campusedge:sim:energy";
    static final List<String> READINGS = List.of("ActivePower", "Energy", "Voltage", "Current");

    private final SubscriptionModel subscriptions;
    private final Map<String, UaVariableNode> nodes = new ConcurrentHashMap<>();
    private final List<String> meters;
    private final BiConsumer<String, Boolean> breakerWritten;

    /** @param breakerWritten told (meter, closed) when a client writes a breaker */
    MeterNamespace(OpcUaServer server, List<String> meters, BiConsumer<String, Boolean> breakerWritten) {
        super(server, URI);
        this.meters = List.copyOf(meters);
        this.breakerWritten = breakerWritten;
        subscriptions = new SubscriptionModel(server, this); // samples each item at its sampling interval
        getLifecycleManager().addLifecycle(subscriptions);
        getLifecycleManager().addStartupTask(this::createNodes);
    }

    private void createNodes() {
        for (String meter : meters) {
            UaFolderNode folder = new UaFolderNode(getNodeContext(), newNodeId(meter), newQualifiedName(meter),
                    LocalizedText.english(meter));
            getNodeManager().addNode(folder);
            folder.addReference(new Reference(folder.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
            for (String name : READINGS) {
                UaVariableNode n = variable(meter + "." + name, name, NodeIds.Double, AccessLevel.READ_ONLY);
                n.setValue(new DataValue(new Variant(0.0)));
                getNodeManager().addNode(n);
                folder.addOrganizes(n);
                nodes.put(meter + "." + name, n);
            }
            UaVariableNode breaker = variable(meter + ".Breaker", "Breaker", NodeIds.Boolean, AccessLevel.READ_WRITE);
            breaker.setValue(new DataValue(new Variant(true)));
            // a client's write passes the filter chain (the server's own setValue does not): that is the breaker tripping
            breaker.getFilterChain().addLast(new AttributeFilter() {
                @Override
                public void writeAttribute(AttributeFilterContext ctx, AttributeId id, Object value) throws UaException {
                    ctx.writeAttribute(id, value);
                    if (id == AttributeId.Value && ((DataValue) value).getValue().getValue() instanceof Boolean closed) {
                        breakerWritten.accept(meter, closed);
                    }
                }
            });
            getNodeManager().addNode(breaker);
            folder.addOrganizes(breaker);
            nodes.put(meter + ".Breaker", breaker);
        }
    }

    private UaVariableNode variable(String id, String name, NodeId type, java.util.Set<AccessLevel> access) {
        return new UaVariableNode.UaVariableNodeBuilder(getNodeContext())
                .setNodeId(newNodeId(id))
                .setBrowseName(newQualifiedName(name))
                .setDisplayName(LocalizedText.english(name))
                .setDataType(type)
                .setTypeDefinition(NodeIds.BaseDataVariableType)
                .setAccessLevel(access)
                .setUserAccessLevel(access)
                .build();
    }

    /** Sets a variable's value as the server sees it (any thread). */
    void set(String meter, String name, DataValue value) {
        UaVariableNode n = nodes.get(meter + "." + name);
        if (n != null) {
            n.setValue(value);
        }
    }

    boolean breakerClosed(String meter) {
        UaVariableNode n = nodes.get(meter + ".Breaker");
        return n == null || !(n.getValue().getValue().getValue() instanceof Boolean b) || b;
    }

    @Override
    public void onDataItemsCreated(List<DataItem> items) {
        subscriptions.onDataItemsCreated(items);
    }

    @Override
    public void onDataItemsModified(List<DataItem> items) {
        subscriptions.onDataItemsModified(items);
    }

    @Override
    public void onDataItemsDeleted(List<DataItem> items) {
        subscriptions.onDataItemsDeleted(items);
    }

    @Override
    public void onMonitoringModeChanged(List<MonitoredItem> items) {
        subscriptions.onMonitoringModeChanged(items);
    }
}
