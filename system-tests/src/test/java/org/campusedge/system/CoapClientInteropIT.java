package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with a CoAP and DTLS implementation nobody here wrote: libcoap's coap-client (Debian
 * libcoap3-bin, its OpenSSL build) posts SenML to the gateway over coaps with a kit's PSK identity and
 * key. Fails, not skips, when coap-client is missing: install it with {@code .ci/install-test-tools}.
 */
class CoapClientInteropIT {

    @TempDir
    Path dir;

    private static String coapClient;

    @BeforeAll
    static void findCoapClient() {
        coapClient = dtlsClient();
    }

    /** libcoap's coap-client built with a DTLS library (Debian ships OpenSSL and GnuTLS builds). */
    static String dtlsClient() {
        for (String c : new String[] {"/usr/bin/coap-client-openssl", "/usr/bin/coap-client-gnutls"}) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return fail("libcoap's coap-client with DTLS is not installed; run .ci/install-test-tools (Debian package libcoap3-bin)");
    }

    /** coap-client over coaps as {@code identity} with {@code key}; everything it printed. */
    private String coapsPost(GatewayProcess gw, String identity, String key, String device, String contentFormat, String payload)
            throws Exception {
        return run(payload, contentFormat, List.of("-u", identity, "-k", key), "coaps://127.0.0.1:" + gw.coapsPort() + "/campus/lab/" + device);
    }

    private String coapPost(int port, String device, String contentFormat, String payload) throws Exception {
        return run(payload, contentFormat, List.of(), "coap://127.0.0.1:" + port + "/campus/lab/" + device);
    }

    /**
     * Runs coap-client with -v 6 (it prints the response header) and returns everything it printed.
     * The payload goes through a file (-f): -e would percent-decode it, and SenML units contain '%'.
     */
    private String run(String payload, String contentFormat, List<String> security, String uri) throws Exception {
        Path body = Files.writeString(Files.createTempFile(dir, "payload", ".json"), payload);
        List<String> cmd = new ArrayList<>(List.of(coapClient, "-v", "6", "-m", "post", "-B", "10", "-t", contentFormat,
                "-f", body.toString()));
        cmd.addAll(security);
        cmd.add(uri);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("coap-client did not finish within 20 s");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static final java.util.regex.Pattern RESPONSE = java.util.regex.Pattern.compile(" c:([245]\\.[0-9]{2}) ");

    /** The code of the response header line coap-client printed, e.g. "2.04". */
    private static String responseCode(String output) {
        java.util.regex.Matcher m = RESPONSE.matcher(output);
        return m.find() ? m.group(1) : "no response in:\n" + output;
    }

    @Test
    void libcoapPostsSenmlOverDtlsWithItsKeyAndGets204ThenGarbageAndGets400WithAReason() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir)) {
            String key = gw.deviceKeys().secret("lab-bio-1-s2");
            String ok = coapsPost(gw, "lab-bio-1-s2", key, "lab-bio-1-s2", "110",
                    "[{\"bn\":\"urn:dev:lab-bio-1-s2:\",\"n\":\"o2\",\"u\":\"%\",\"v\":20.7},{\"n\":\"light\",\"u\":\"lx\",\"v\":480}]");
            assertEquals("2.04", responseCode(ok), ok);

            String garbage = coapsPost(gw, "lab-bio-1-s2", key, "lab-bio-1-s2", "110", "this is not senml");
            assertEquals("4.00", responseCode(garbage), garbage);
            assertTrue(garbage.contains("invalid JSON"), "no reason in the 4.00 payload:\n" + garbage);

            // a wrong key: the handshake fails, and nothing comes back
            String wrong = coapsPost(gw, "lab-bio-1-s2", "not-the-key-of-this-kit", "lab-bio-1-s2", "110", "[{\"n\":\"o2\",\"v\":99}]");
            assertTrue(!RESPONSE.matcher(wrong).find(), "a wrong key was answered:\n" + wrong);
            // another kit's identity and key, posting for this kit: 4.03
            String other = coapsPost(gw, "lab-bio-1-s1", gw.deviceKeys().secret("lab-bio-1-s1"), "lab-bio-1-s2", "110",
                    "[{\"n\":\"o2\",\"v\":98}]");
            assertEquals("4.03", responseCode(other), other);
            // no key at all, over plain CoAP: 4.01, with where to go
            String plain = coapPost(gw.coapPort(), "lab-bio-1-s2", "110", "[{\"n\":\"o2\",\"v\":97}]");
            assertEquals("4.01", responseCode(plain), plain);
            assertTrue(plain.contains("must use coaps"), plain);

            String unknown = coapPost(gw.coapPort(), "lab-nobody", "110", "[{\"n\":\"o2\",\"v\":20}]");
            assertEquals("4.04", responseCode(unknown), unknown);

            List<String> rows = GatewayFixture.rows(gw.storePath(),
                    "SELECT device_id, json_extract(measurements,'$[0].n'), json_extract(measurements,'$[0].v') FROM event_log WHERE kind = 'lab.reading'"
                    + " ORDER BY json_extract(measurements,'$[0].n') DESC"); // one instant: the ids sort by their hash, not the pack
            assertEquals(List.of("lab-bio-1-s2|o2|20.7", "lab-bio-1-s2|light|480.0"), rows);
        }
    }
}
