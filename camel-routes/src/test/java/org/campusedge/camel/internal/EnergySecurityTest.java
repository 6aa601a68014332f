package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.campusedge.api.Device;
import org.campusedge.api.EventQuery;
import org.campusedge.api.Location;
import org.campusedge.api.ServerCertificates;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.camel.energy.OpcUaPki;
import org.campusedge.simulators.energy.EnergyMeterServer;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPC UA security of the meters, through the real Camel gateway against a Milo server that requires
 * it: SignAndEncrypt, the server's certificate checked against the gateway's trust list (refused and
 * shown until an admin trusts it), and a user whose password is the credential from the secrets file.
 * A wrong password, a server that is not the trusted one, and a server that offers no security each
 * store nothing and are counted against the meter, while a meter on another server keeps reporting.
 */
class EnergySecurityTest {

    private static final String SECRET = "ems-secret-0123456789abc";

    @TempDir
    Path dir;

    private EventStoreFile store;
    private StandaloneBus bus;
    private CamelGateway gateway;
    private EnergyMeterServer ems;
    private EnergyMeterServer other;
    private final MemoryCredentials keys = new MemoryCredentials();
    private final TestRegistry registry = new TestRegistry();

    @BeforeEach
    void start() throws Exception {
        ems = new EnergyMeterServer(List.of(new EnergyMeterServer.Meter("meter-a", "teaching", 180)), () -> LocalTime.of(10, 0), 200)
                .secured();
        ems.users(Map.of("ems", SECRET));
        ems.start(EnergyMeterServer.freePort());
        // a second, trusted server with a meter of its own: it must keep reporting while the first is attacked
        other = new EnergyMeterServer(List.of(new EnergyMeterServer.Meter("meter-b", "canteen", 150)), () -> LocalTime.of(10, 0), 200)
                .secured();
        other.start(EnergyMeterServer.freePort());
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
        bus = StandaloneBus.over(store);
        keys.put("ems", SECRET);
        keys.put("meter-b", "meter-b-secret-0123456789");
        other.users(Map.of("meter-b", "meter-b-secret-0123456789"));
        registry.put(meter("meter-a", ems.endpointUrl(), Map.of("credential", "ems")));
        registry.put(meter("meter-b", other.endpointUrl(), Map.of("opcuaSecurity", "Aes128_Sha256_RsaOaep")));
        gateway = new CamelGateway(bus, registry, CamelGateway.Settings.loopback(dir.resolve("card-secret")), getClass().getClassLoader(),
                CamelGatewayComponent.templatesIn(Path.of("templates")), org.campusedge.api.Watchdog.loggingOnly(), keys);
        gateway.start();
        pki().trust(other.certificate()); // the installer trusted the second server beforehand
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        bus.close();
        store.close();
        ems.close();
        other.close();
    }

    static Device meter(String id, String endpointUrl, Map<String, String> extra) {
        Map<String, String> props = new java.util.HashMap<>(extra);
        props.put("nodes", EnergyMeterServer.nodesPattern(id));
        return new Device(id, "sch-test", TestRegistry.ENERGY.id(), "energy", new Location("Teaching", null, "Switch room", null),
                endpointUrl, props);
    }

    private long readings(String meter) {
        return store.count(EventQuery.all(0).withDevice(meter).withKind("energy.reading"));
    }

    private ServerCertificates.Entry entry(String thumbprint) {
        return pki().list().stream().filter(e -> e.thumbprint().equals(thumbprint)).findFirst().orElse(null);
    }

    @Test
    void aServerNobodyTrustedIsRefusedUntilAnAdminTrustsItsCertificate() throws Exception {
        OpcUaPki pki = pki();
        String thumbprint = OpcUaPki.thumbprint(ems.certificate());
        assertTrue(Await.eventually(20, () -> entry(thumbprint) != null), "the refused certificate is not listed: " + pki.list());
        assertFalse(entry(thumbprint).trusted());
        assertEquals(EnergyMeterServer.APPLICATION_URI, entry(thumbprint).applicationUri());
        assertTrue(Files.list(pki.dir().resolve("rejected/certs")).findAny().isPresent(), "nothing in rejected/certs");
        assertTrue(Await.eventually(20, () -> readings("meter-b") >= 3), "the trusted server's meter did not report meanwhile");
        assertEquals(0, readings("meter-a"), "readings taken from a server nobody trusted");
        assertTrue(gateway.counters().of("meter-a").rejected() >= 1, gateway.counters().of("meter-a").toString());
        assertTrue(gateway.counters().of("meter-a").lastError().contains("not in the trust list"),
                gateway.counters().of("meter-a").lastError());
        assertTrue(ems.refusedLogins().isEmpty() && ems.logins() == 0, "the password went to a server the gateway does not trust");

        assertTrue(pki.trust(thumbprint), "trusting the rejected certificate");
        assertTrue(entry(thumbprint).trusted());
        assertTrue(Await.eventually(20, () -> readings("meter-a") >= 3), "no readings after the admin trusted the server");
        assertEquals(ems.endpointUrl(), entry(thumbprint).endpoint(), "the trusted certificate is bound to the endpoint it was refused at");
        assertTrue(Files.exists(pki.dir().resolve("own/certs/gateway.der")), "the gateway's certificate for the servers' trust lists");

        // the admin distrusts it: the live session ends now, and nothing more is read
        assertTrue(pki.distrust(thumbprint));
        assertTrue(Await.eventually(20, () -> entry(thumbprint) != null && !entry(thumbprint).trusted()),
                "the distrusted server's certificate is not refused again: " + pki.list());
        Thread.sleep(1_000);
        long after = readings("meter-a");
        Thread.sleep(3_000);
        assertEquals(after, readings("meter-a"), "readings still taken from a server the admin distrusted");
    }

    /**
     * Every trusted certificate is on one trust list; one server's key must still not answer for another's
     * address. A server with the second (trusted) server's key at the first one's address is refused, gets
     * no password, and is listed as refused there.
     */
    @Test
    void aTrustedCertificateIsAcceptedOnlyAtTheEndpointItIsBoundTo() throws Exception {
        pki().trust(ems.certificate());
        assertTrue(Await.eventually(20, () -> readings("meter-a") >= 3 && readings("meter-b") >= 3), "no readings from both servers");
        int port = Integer.parseInt(ems.endpointUrl().replaceAll(".*:(\\d+)/.*", "$1"));
        ems.close();
        try (EnergyMeterServer rogue = new EnergyMeterServer(List.of(new EnergyMeterServer.Meter("meter-a", "teaching", 999)),
                () -> LocalTime.of(10, 0), 200).secured().withIdentityOf(other)) {
            rogue.users(Map.of());
            rogue.start(port);
            long before = readings("meter-a");
            String thumbprint = OpcUaPki.thumbprint(other.certificate());
            assertTrue(Await.eventually(60, () -> gateway.counters().of("meter-a").lastError() != null
                    && gateway.counters().of("meter-a").lastError().contains("not the certificate bound to this endpoint")),
                    "the other server's certificate was accepted at this address: " + gateway.counters().of("meter-a"));
            assertEquals(0, rogue.logins(), "the gateway sent meter-a's server password to a server with another server's key");
            assertEquals(before, readings("meter-a"), "readings taken from the server with another's key");
            assertTrue(pki().list().stream().anyMatch(e -> e.thumbprint().equals(thumbprint) && !e.trusted()
                    && ems.endpointUrl().equals(e.endpoint())), "not listed as refused at this endpoint: " + pki().list());
            long b = readings("meter-b");
            assertTrue(Await.eventually(20, () -> readings("meter-b") >= b + 3), "the other server's own meter stopped reporting");
        }
    }

    @Test
    void aWrongPasswordStoresNothingAndTheRightOneIsTakenWithoutARestart() throws Exception {
        pki().trust(ems.certificate());
        keys.put("ems", "another-devices-secret-xx"); // e.g. another meter's key pasted by mistake
        assertTrue(Await.eventually(30, () -> ems.refusedLogins().contains("ems")), "the server saw no refused login");
        assertTrue(Await.eventually(20, () -> readings("meter-b") >= 3), "the other server's meter did not report meanwhile");
        assertEquals(0, readings("meter-a"), "readings stored although the server refused the login");
        assertTrue(Await.eventually(10, () -> gateway.counters().of("meter-a").rejected() >= 1), gateway.counters().of("meter-a").toString());

        keys.put("ems", SECRET); // the admin rotates it to the right one: the gateway logs in again at once
        assertTrue(Await.eventually(20, () -> readings("meter-a") >= 3), "no readings with the right password");
    }

    @Test
    void anotherServerOnTheTrustedAddressIsRefusedAndGetsNoPassword() throws Exception {
        pki().trust(ems.certificate());
        assertTrue(Await.eventually(20, () -> readings("meter-a") >= 3), "no readings from the trusted server");
        int port = Integer.parseInt(ems.endpointUrl().replaceAll(".*:(\\d+)/.*", "$1"));
        ems.close();
        // whoever answers for the meter's address now has a certificate of its own, and would take any password
        try (EnergyMeterServer rogue = new EnergyMeterServer(List.of(new EnergyMeterServer.Meter("meter-a", "teaching", 999)),
                () -> LocalTime.of(10, 0), 200).secured()) {
            rogue.users(Map.of());
            rogue.start(port);
            long before = readings("meter-a");
            String thumbprint = OpcUaPki.thumbprint(rogue.certificate());
            assertTrue(Await.eventually(60, () -> entry(thumbprint) != null), "the rogue server's certificate was not refused");
            assertFalse(entry(thumbprint).trusted());
            long b = readings("meter-b");
            assertTrue(Await.eventually(20, () -> readings("meter-b") >= b + 3), "the other meter stopped reporting");
            assertEquals(before, readings("meter-a"), "readings taken from the rogue server");
            assertEquals(0, rogue.logins(), "the gateway sent its password to the rogue server");
        }
    }

    @Test
    void aServerWithoutSecurityIsRefusedUnlessTheInventorySaysSo() throws Exception {
        try (EnergyMeterServer plain = new EnergyMeterServer(List.of(new EnergyMeterServer.Meter("meter-c", "gym", 90)),
                () -> LocalTime.of(10, 0), 200)) {
            plain.start(EnergyMeterServer.freePort());
            registry.put(meter("meter-c", plain.endpointUrl(), Map.of()));
            assertTrue(Await.eventually(30, () -> gateway.counters().of("meter-c").lastError() != null
                    && gateway.counters().of("meter-c").lastError().contains("offers no Basic256Sha256 SignAndEncrypt endpoint")),
                    String.valueOf(gateway.counters().of("meter-c")));
            assertEquals(0, readings("meter-c"));
            // an old meter the inventory marks security: none is read as it is (and listed as unprotected)
            registry.put(new Device("meter-c", "sch-test", TestRegistry.ENERGY.id(), "energy", null, plain.endpointUrl(),
                    Map.of("nodes", EnergyMeterServer.nodesPattern("meter-c")), true));
            assertTrue(Await.eventually(30, () -> readings("meter-c") >= 3), "the unprotected meter was not read");
        }
    }

    /** The energy family's trust list, with the installer's calls (trust a certificate file) the API does not offer. */
    private OpcUaPki pki() {
        return (OpcUaPki) gateway.serverCertificates();
    }
}
