package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.campusedge.simulators.net.CoapsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lab kits prove who they are: through the real gateway, a kit with its key over coaps is stored; no
 * key, a wrong key, another kit's identity, a replayed DTLS record, a rotated and a revoked key are
 * each refused, counted and store nothing; a flood of failing handshakes leaves the good kit served.
 */
class LabDtlsIT {

    private static final String KIT = "lab-chem-1-s1";
    private static final String OTHER = "lab-chem-1-s2";

    @TempDir
    Path dir;

    private static long readings(GatewayProcess gw, String device) throws Exception {
        return Long.parseLong(GatewayFixture.rows(gw.storePath(),
                "SELECT count(*) FROM event_log WHERE kind = 'lab.reading' AND device_id = '" + device + "'").get(0));
    }

    private static String pack(double ph) {
        return "[{\"n\":\"ph\",\"v\":" + ph + "}]";
    }

    @Test
    void onlyTheKitWithItsKeyIsStored() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"), "health.checkIntervalSeconds=1")) {
            String key = gw.deviceKeys().secret(KIT);
            assertTrue(key != null && key.length() == 24, "the gateway issued no key to " + KIT);
            assertEquals(ResponseCode.CHANGED, GatewayFixture.postAs(gw, KIT, key, KIT, pack(7.0)).getCode());
            assertEquals(1, readings(gw, KIT));

            // no key, plain CoAP: 4.01 with where to go, nothing stored
            CoapResponse plain = GatewayFixture.postPlain(gw, KIT, pack(1.0));
            assertEquals(ResponseCode.UNAUTHORIZED, plain.getCode());
            assertTrue(plain.getResponseText().contains("must use coaps"), plain.getResponseText());
            // a wrong key: the handshake fails, no answer at all
            assertNull(GatewayFixture.postAs(gw, KIT, "AAAAAAAAAAAAAAAAAAAAAAAA", KIT, pack(2.0)));
            // an identity the gateway does not know
            assertNull(GatewayFixture.postAs(gw, "lab-stranger", "AAAAAAAAAAAAAAAAAAAAAAAA", KIT, pack(3.0)));
            // another kit, with its own good key, posting for this one: 4.03
            CoapResponse other = GatewayFixture.postAs(gw, OTHER, gw.deviceKeys().secret(OTHER), KIT, pack(4.0));
            assertEquals(ResponseCode.FORBIDDEN, other.getCode());
            assertEquals(1, readings(gw, KIT));
            assertEquals(0, readings(gw, OTHER));
            // counted against the kit (the plain post and the other kit's), for the console and run/devices.tsv
            assertTrue(GatewayFixture.eventually(10, () -> {
                var row = GatewayFixture.deviceReport(gw).get(KIT);
                return row != null && Long.parseLong(row.get("rejected")) >= 2;
            }), "the refusals were not counted: " + GatewayFixture.deviceReport(gw).get(KIT));
        }
    }

    @Test
    void aReplayedDtlsRecordIsDroppedAndRotatedOrRevokedKeysStopWorking() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"))) {
            String key = gw.deviceKeys().secret(KIT);
            InetSocketAddress gateway = new InetSocketAddress("127.0.0.1", gw.coapsPort());
            try (Relay relay = new Relay(gateway)) {
                CoapEndpoint ep = CoapsClient.endpoint(new InetSocketAddress("127.0.0.1", 0), KIT, key,
                        Configuration.createStandardWithoutFile(), null);
                CoapClient client = new CoapClient("coaps://127.0.0.1:" + relay.port() + "/campus/lab/" + KIT);
                client.setEndpoint(ep);
                client.setTimeout(10_000L);
                try {
                    CoapResponse r = client.post(pack(7.2).getBytes(StandardCharsets.UTF_8), MediaTypeRegistry.APPLICATION_SENML_JSON);
                    assertEquals(ResponseCode.CHANGED, r.getCode());
                    byte[] recorded = relay.lastApplicationData.get();
                    assertTrue(recorded != null, "the relay saw no DTLS application data");
                    int answersBefore = relay.answers.get();
                    // the attacker on the path sends the recorded record again, from the kit's address
                    relay.replay(recorded);
                    Thread.sleep(3_000);
                    assertEquals(answersBefore, relay.answers.get(), "the gateway answered a replayed DTLS record");
                    assertEquals(1, readings(gw, KIT));
                } finally {
                    client.shutdown();
                    ep.destroy();
                }
            }

            // the admin rotates the kit's key with the command line, the gateway running
            Path script = GatewayFixture.distribution().resolve("bin/campus-edge");
            Process rotate = new ProcessBuilder(script.toString(), "credentials", "--file", gw.home().resolve("conf/device-secrets").toString(),
                    "rotate", KIT).redirectErrorStream(true).start();
            assertTrue(rotate.waitFor(60, TimeUnit.SECONDS));
            String said = new String(rotate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, rotate.exitValue(), said);
            String rotated = gw.deviceKeys().secret(KIT);
            assertNotEquals(key, rotated);
            assertTrue(said.contains(rotated), said);
            assertTrue(GatewayFixture.eventually(15, () -> {
                CoapResponse r = GatewayFixture.postAs(gw, KIT, rotated, KIT, pack(7.3));
                return r != null && r.getCode() == ResponseCode.CHANGED;
            }), "the rotated key was not taken within 15 s");
            assertNull(GatewayFixture.postAs(gw, KIT, key, KIT, pack(7.4)), "the old key still works");

            Process revoke = new ProcessBuilder(script.toString(), "credentials", "--file", gw.home().resolve("conf/device-secrets").toString(),
                    "revoke", KIT).redirectErrorStream(true).start();
            assertTrue(revoke.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, revoke.exitValue(), new String(revoke.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(GatewayFixture.eventually(15, () -> GatewayFixture.postAs(gw, KIT, rotated, KIT, pack(7.5)) == null),
                    "the revoked key still works");
            // (the posts until the revocation was read each stored their reading; from now on none may)
            long afterRevoke = readings(gw, KIT);
            Thread.sleep(2_500);
            assertNull(GatewayFixture.postAs(gw, KIT, rotated, KIT, pack(7.6)), "the revoked key works again");
            assertNull(GatewayFixture.postAs(gw, KIT, key, KIT, pack(7.7)), "the first key works again");
            assertEquals(afterRevoke, readings(gw, KIT));
            // the gateway did not issue the revoked kit a new key by itself
            assertNull(gw.deviceKeys().secret(KIT));
        }
    }

    @Test
    void aFloodOfFailingHandshakesLeavesTheGoodKitServed() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir.resolve("gw"))) {
            String key = gw.deviceKeys().secret(KIT);
            InetSocketAddress gateway = new InetSocketAddress("127.0.0.1", gw.coapsPort());
            AtomicInteger attempts = new AtomicInteger();
            Thread flood = new Thread(() -> {
                // wrong keys from fresh ports, each a full handshake the gateway must refuse; and garbage records
                List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    String from = "127.0.9." + (1 + w); // the attackers' own machines on the LAN
                    Thread t = new Thread(() -> {
                        while (!Thread.currentThread().isInterrupted()) {
                            try {
                                GatewayFixture.postAs(gw, from, (attempts.incrementAndGet() % 2 == 0) ? KIT : "lab-x-" + attempts.get(),
                                        "WRONGWRONGWRONGWRONGWRON", KIT, pack(0.0));
                            } catch (Exception e) {
                                return;
                            }
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                    workers.add(t);
                }
                try (DatagramSocket garbage = new DatagramSocket(new InetSocketAddress("127.0.9.9", 0))) {
                    byte[] junk = new byte[200];
                    while (!Thread.currentThread().isInterrupted()) {
                        new java.util.Random().nextBytes(junk);
                        junk[0] = 22; // looks like a handshake record
                        garbage.send(new DatagramPacket(junk, junk.length, gateway));
                        attempts.incrementAndGet();
                        if (attempts.get() % 200 == 0) {
                            Thread.sleep(1);
                        }
                    }
                } catch (Exception e) {
                    // interrupted: the flood is over
                } finally {
                    workers.forEach(Thread::interrupt);
                }
            });
            flood.setDaemon(true);
            flood.start();
            try {
                int ok = 0;
                for (int i = 0; i < 20; i++) {
                    CoapResponse r = GatewayFixture.postAs(gw, KIT, key, KIT, pack(6.0 + i / 100.0));
                    if (r != null && r.getCode() == ResponseCode.CHANGED) {
                        ok++;
                    }
                }
                assertTrue(attempts.get() > 1_000, "the flood was too weak: " + attempts.get());
                assertEquals(20, ok, "the good kit was not served during the flood (" + attempts.get() + " attacks)");
            } finally {
                flood.interrupt();
                flood.join(10_000);
            }
            assertEquals(20, readings(gw, KIT));
            System.out.printf("during %d failing handshakes and garbage records, 20 of 20 posts of the good kit were stored%n", attempts.get());
        }
    }

    /** A man in the middle on UDP: relays a client to the gateway, remembers its last DTLS application record, and can send it again. */
    private static final class Relay implements AutoCloseable {
        final DatagramSocket front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final DatagramSocket back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final AtomicReference<byte[]> lastApplicationData = new AtomicReference<>();
        final AtomicInteger answers = new AtomicInteger();
        final InetSocketAddress gateway;
        volatile InetSocketAddress client;
        final Thread up;
        final Thread down;

        Relay(InetSocketAddress gateway) throws Exception {
            this.gateway = gateway;
            front.setSoTimeout(200);
            back.setSoTimeout(200);
            up = new Thread(() -> pump(front, true), "relay-up");
            down = new Thread(() -> pump(back, false), "relay-down");
            up.start();
            down.start();
        }

        int port() {
            return front.getLocalPort();
        }

        void replay(byte[] record) throws Exception {
            back.send(new DatagramPacket(record, record.length, gateway));
        }

        private void pump(DatagramSocket from, boolean upstream) {
            byte[] buf = new byte[4096];
            while (!from.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    from.receive(p);
                    byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                    if (upstream) {
                        client = (InetSocketAddress) p.getSocketAddress();
                        if (data.length > 0 && data[0] == 23) { // DTLS content type application_data
                            lastApplicationData.set(data);
                        }
                        back.send(new DatagramPacket(data, data.length, gateway));
                    } else {
                        answers.incrementAndGet();
                        if (client != null) {
                            front.send(new DatagramPacket(data, data.length, client));
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // look again
                } catch (Exception e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws Exception {
            front.close();
            back.close();
            up.join(2_000);
            down.join(2_000);
        }
    }
}
