package org.campusedge.launcher;

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
 * Interop with a CoAP implementation nobody here wrote: libcoap's coap-client (Debian libcoap3-bin)
 * posts SenML to the gateway. Fails, not skips, when coap-client is missing: install it with
 * {@code .ci/install-test-tools}.
 */
class CoapClientInteropIT {

    @TempDir
    Path dir;

    private static String coapClient;

    @BeforeAll
    static void findCoapClient() {
        coapClient = GatewayFixture.libcoap("coap-client");
    }

    /**
     * Runs coap-client with -v 6 (it prints the response header) and returns everything it printed.
     * The payload goes through a file (-f): -e would percent-decode it, and SenML units contain '%'.
     */
    private String coapPost(int port, String device, String contentFormat, String payload) throws Exception {
        Path body = Files.writeString(Files.createTempFile(dir, "payload", ".json"), payload);
        List<String> cmd = new ArrayList<>(List.of(coapClient, "-v", "6", "-m", "post", "-B", "10", "-t", contentFormat,
                "-f", body.toString(), "coap://127.0.0.1:" + port + "/campus/lab/" + device));
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
    void libcoapPostsSenmlAndGets204ThenGarbageAndGets400WithAReason() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir)) {
            String ok = coapPost(gw.coapPort(), "lab-bio-1-s2", "110",
                    "[{\"bn\":\"urn:dev:lab-bio-1-s2:\",\"n\":\"o2\",\"u\":\"%\",\"v\":20.7},{\"n\":\"light\",\"u\":\"lx\",\"v\":480}]");
            assertEquals("2.04", responseCode(ok), ok);

            String garbage = coapPost(gw.coapPort(), "lab-bio-1-s2", "110", "this is not senml");
            assertEquals("4.00", responseCode(garbage), garbage);
            assertTrue(garbage.contains("invalid JSON"), "no reason in the 4.00 payload:\n" + garbage);

            String unknown = coapPost(gw.coapPort(), "lab-nobody", "110", "[{\"n\":\"o2\",\"v\":20}]");
            assertEquals("4.04", responseCode(unknown), unknown);

            List<String> rows = GatewayFixture.rows(gw.storePath(),
                    "SELECT device_id, json_extract(measurements,'$[0].n'), json_extract(measurements,'$[0].v') FROM event_log WHERE kind = 'lab.reading'"
                    + " ORDER BY json_extract(measurements,'$[0].n') DESC"); // one instant: the ids sort by their hash, not the pack
            assertEquals(List.of("lab-bio-1-s2|o2|20.7", "lab-bio-1-s2|light|480.0"), rows);
        }
    }
}
