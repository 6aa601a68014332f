package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.ControlRequest;
import org.campusedge.api.ControlResult;
import org.campusedge.api.EventQuery;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.simulators.energy.EnergyMeterServer;
import org.campusedge.simulators.energy.NodeOpcuaMeter;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OPC UA connector against node-opcua's server (npm, installed by .ci/install-test-tools) that
 * requires SignAndEncrypt and a user: its certificate is refused until trusted, a wrong password
 * stores nothing, then subscribe, write the breaker, and carry on after the server process is
 * stopped and started again. node-opcua numbers its own namespace 1 where Milo says 2; the inventory
 * names it by URI.
 */
class NodeOpcuaInteropTest {

    @TempDir
    Path dir;


    @Test
    void subscribesWritesAndSurvivesARestartOfANodeOpcuaServer() throws Exception {
        int port = EnergyMeterServer.freePort();
        String password = "node-meter-secret-012345";
        NodeOpcuaMeter first = NodeOpcuaMeter.startSecured(port, "meter-node", password);
        NodeOpcuaMeter[] server = {first};
        MemoryCredentials keys = new MemoryCredentials();
        keys.put("meter-node", "not-the-node-password-00"); // wrong at first
        EventStoreFile store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
        StandaloneBus bus = StandaloneBus.over(store);
        TestRegistry registry = new TestRegistry();
        registry.put(TestRegistry.meter("meter-node", first.endpointUrl(), first.nodesPattern()));
        CamelGateway gateway = new CamelGateway(bus, registry, CamelGateway.Settings.loopback(dir.resolve("card-secret")),
                getClass().getClassLoader(), CamelGatewayComponent.templatesIn(Path.of("templates")),
                org.campusedge.api.Watchdog.loggingOnly(), keys);
        try {
            gateway.start();
            // node-opcua's certificate is nobody's choice yet: refused and listed, and no password goes out
            String thumbprint = org.campusedge.camel.energy.OpcUaPki.thumbprint(first.certificate());
            assertTrue(Await.eventually(30, () -> gateway.serverCertificates().list().stream()
                    .anyMatch(e -> e.thumbprint().equals(thumbprint) && !e.trusted())), "node-opcua's certificate was not refused");
            assertTrue(first.lines().stream().noneMatch(l -> l.startsWith("LOGIN")), first.lines().toString());
            assertTrue(gateway.serverCertificates().trust(thumbprint));
            // trusted, but the password is wrong: node-opcua refuses the login, nothing is stored
            assertTrue(Await.eventually(30, () -> first.lines().contains("LOGIN meter-node refused")), first.lines().toString());
            assertEquals(0, power(store));
            assertTrue(gateway.counters().of("meter-node").rejected() >= 1, gateway.counters().of("meter-node").toString());
            keys.put("meter-node", password);
            assertTrue(Await.eventually(30, () -> power(store) >= 3), "no readings from node-opcua: " + first.lines());
            assertTrue(first.lines().contains("LOGIN meter-node ok"), first.lines().toString());
            CampusEvent voltage = store.query(EventQuery.all(1000).withDevice("meter-node")).stream()
                    .filter(e -> e.measurement().name().equals("voltage")).findFirst().orElseThrow();
            assertTrue(voltage.measurement().value() >= 229 && voltage.measurement().value() <= 231, voltage.toString());

            ControlResult open = gateway.controls().write(new ControlRequest("meter-node", "breaker", false, "test"))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(ControlResult.Outcome.DONE, open.outcome(), open.toString());
            assertTrue(Await.eventually(10, () -> first.lines().contains("BREAKER Meter1 false")), first.lines().toString());

            first.close(); // SIGTERM: the server process ends, its sessions and subscriptions with it
            long before = power(store);
            server[0] = NodeOpcuaMeter.startSecured(port, "meter-node", password);
            assertTrue(Await.eventually(60, () -> power(store) >= before + 3),
                    "no readings after node-opcua restarted: " + before + " -> " + power(store));
        } finally {
            gateway.close();
            bus.close();
            store.close();
            server[0].close();
        }
    }

    private static long power(EventStoreFile store) {
        return store.query(EventQuery.all(100_000).withDevice("meter-node")).stream()
                .filter(e -> e.kind().equals("energy.reading") && e.measurement().name().equals("power")).count();
    }
}
