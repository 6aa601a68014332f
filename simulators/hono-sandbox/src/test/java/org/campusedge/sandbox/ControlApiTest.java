package org.campusedge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The HTTP control API used by scripts and other processes. */
class ControlApiTest extends SandboxTestBase {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> call(final int port, final String method, final String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void statsAndFaultSwitches() throws Exception {
        final ControlApi api = track(ControlApi.start(sandbox, 0));
        final int port = api.port();
        app().telemetry(TENANT);
        final RawDevice gw = gateway();

        assertEquals(200, call(port, "POST", "/faults/mode?m=release").statusCode());
        assertInstanceOf(Released.class, gw.sendAndWait(message("telemetry", "text/plain", "1")));
        assertEquals(200, call(port, "POST", "/faults/delay?ms=50").statusCode());
        assertEquals(400, call(port, "POST", "/faults/mode?m=sometimes").statusCode());
        assertEquals(405, call(port, "GET", "/faults/down").statusCode());
        final HttpResponse<String> reset = call(port, "POST", "/faults/reset");
        assertEquals("{\"down\":false,\"mode\":\"accept\",\"delayMs\":0}", reset.body().trim());
        assertInstanceOf(Accepted.class, gw.sendAndWait(message("telemetry", "text/plain", "1")));

        final JsonNode stats = new ObjectMapper().readTree(call(port, "GET", "/stats").body());
        assertEquals(1, stats.get("released").asInt());
        assertEquals(1, stats.get("accepted").asInt());
        assertEquals(1, stats.get("deviceConnections").asInt());

        assertEquals(200, call(port, "POST", "/faults/down").statusCode());
        assertTrue(sandbox.faults().isDown());
        assertEquals(200, call(port, "POST", "/faults/up").statusCode());
        assertTrue(!sandbox.faults().isDown());
    }
}
