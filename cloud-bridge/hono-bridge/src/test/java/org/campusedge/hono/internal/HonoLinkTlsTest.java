package org.campusedge.hono.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.campusedge.net.TlsIdentity;
import org.campusedge.sandbox.HonoSandbox;
import org.campusedge.sandbox.Registry;
import org.campusedge.sandbox.SandboxConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to Hono, the gateway's side, against the sandbox serving AMQPS with a test CA: the gateway that
 * trusts that CA connects; one that trusts another (a machine in the middle answering for Hono) and one
 * speaking plain AMQP never connect, and their password never reaches the server.
 */
class HonoLinkTlsTest {

    @TempDir
    Path dir;

    private HonoSandbox sandbox;

    @BeforeEach
    void start() throws Exception {
        TlsIdentity.loadOrCreate(dir.resolve("hono.p12"), dir.resolve("hono-ca.crt"), "Hono sandbox test CA");
        TlsIdentity.loadOrCreate(dir.resolve("other.p12"), dir.resolve("other.crt"), "someone else");
        sandbox = HonoSandbox.start(SandboxConfig.builder()
                .registry(Registry.builder().tenant("chengdu").gateway("gw-s1", "pw-s1", List.of("s1.*")).build())
                .tls(dir.resolve("hono.p12"), new String(TlsIdentity.STORE_PASSWORD)).build());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private HonoLink link(boolean tls, String trust) {
        HonoLink l = new HonoLink(new HonoLink.Settings("127.0.0.1", sandbox.devicePort(), "chengdu", "gw-s1", "pw-s1", tls,
                trust == null ? null : dir.resolve(trust).toString(), Duration.ofSeconds(3)), m -> { }, () -> { });
        l.start();
        return l;
    }

    @Test
    void onlyTheGatewayThatTrustsHonosCertificateConnects() throws Exception {
        HonoLink fooled = link(true, "other.crt");
        HonoLink plain = link(false, null);
        HonoLink good = link(true, "hono-ca.crt");
        try {
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!good.connected() && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertTrue(good.connected(), "the gateway that trusts the sandbox's CA did not connect over AMQPS");
            assertEquals(1, sandbox.stats().logins(), "only the trusting gateway's login reaches the server");
            Thread.sleep(5_000); // a few more attempts of the other two (they retry every few seconds)
            assertFalse(fooled.connected(), "connected to a Hono whose certificate it does not trust");
            assertFalse(plain.connected(), "plain AMQP got through the AMQPS port");
            assertEquals(1, sandbox.stats().logins(), "a password reached the server over a connection that failed its TLS check");
        } finally {
            fooled.close();
            plain.close();
            good.close();
        }
    }
}
