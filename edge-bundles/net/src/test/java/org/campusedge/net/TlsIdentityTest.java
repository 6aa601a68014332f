package org.campusedge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-signed identity made at the first start, served by a bounded server over HTTPS: the JDK's
 * client and curl (peers that pin the PEM) reach it and see HSTS; plain HTTP on the port gets no page;
 * the key store is owner-only and the same identity comes back after a restart.
 */
class TlsIdentityTest {

    @TempDir
    Path dir;

    private static final Handler HELLO = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            BoundedHttpServer.answer(response, callback, 200, "hello over " + request.getHttpURI().getScheme());
            return true;
        }
    };

    @Test
    void aSelfSignedIdentityIsMadeOnceKeptOwnerOnlyAndServedOverHttps() throws Exception {
        Path store = dir.resolve("data/console-tls.p12");
        Path pem = dir.resolve("data/console-tls.crt");
        TlsIdentity first = TlsIdentity.loadOrCreate(store, pem, "Campus Edge school console test");
        assertTrue(first.created());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
        X509Certificate cert = first.certificate();
        assertTrue(cert.getSubjectX500Principal().getName().contains("CN=Campus Edge school console test"));
        List<String> alt = new ArrayList<>();
        cert.getSubjectAlternativeNames().forEach(n -> alt.add(String.valueOf(n.get(1))));
        assertTrue(alt.contains("localhost") && alt.contains("127.0.0.1"), alt.toString());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), cert.getExtendedKeyUsage());
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
        TlsIdentity again = TlsIdentity.loadOrCreate(store, pem, "ignored");
        assertFalse(again.created());
        assertEquals(first.fingerprint(), again.fingerprint());

        BoundedHttpServer server = new BoundedHttpServer("tls test", "127.0.0.1", 0, new BoundedHttpServer.Limits(16, 8,
                Duration.ofSeconds(2), Duration.ofSeconds(10), 8192, 8, 16, 100, 100, 0, 30, true, null, 0), HELLO, again);
        server.start();
        try {
            // the JDK's client, trusting only the PEM written beside the key store
            SSLContext ssl = TlsIdentity.trusting(pem);
            HttpResponse<String> r = HttpClient.newBuilder().sslContext(ssl).build().send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("hello over https", r.body().trim());
            assertTrue(r.headers().firstValue("Strict-Transport-Security").orElse("").contains("max-age=31536000"), r.headers().toString());

            // curl, verifying the certificate against the PEM and the address against its names
            Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pem.toString(),
                    "https://127.0.0.1:" + server.port() + "/").redirectErrorStream(true).start();
            assertTrue(curl.waitFor(20, TimeUnit.SECONDS));
            assertEquals("200", new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            Process untrusting = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "https://127.0.0.1:" + server.port() + "/").redirectErrorStream(true).start();
            assertTrue(untrusting.waitFor(20, TimeUnit.SECONDS));
            assertEquals("000", new String(untrusting.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(),
                    "curl without the certificate must refuse the self-signed one");

            // plain HTTP on the HTTPS port: no page, whatever comes back is not an HTTP answer with content
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readNBytes(200), StandardCharsets.ISO_8859_1);
                assertFalse(answer.contains("hello"), answer);
            }

            // over TLS the header deadline still holds: a client that trickles its headers is cut off, while a good one
            // that keeps its connection and asks every 700 ms for twice the deadline is served on that one connection
            javax.net.ssl.SSLSocket good = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", server.port());
            javax.net.ssl.SSLSocket slow = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", server.port());
            try (good; slow) {
                good.setSoTimeout(5000);
                slow.setSoTimeout(8000);
                slow.startHandshake();
                slow.getOutputStream().write("GET / HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                long t0 = System.nanoTime();
                boolean cut = false;
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(good.getInputStream(),
                        StandardCharsets.US_ASCII));
                for (int i = 0; i < 6; i++) {
                    good.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    String status = in.readLine();
                    assertTrue(status != null && status.contains(" 200 "), "request " + i + " on the kept connection: " + status);
                    String line;
                    int length = 0;
                    while (!(line = in.readLine()).isEmpty()) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    in.skip(length);
                    try {
                        slow.getOutputStream().write('x'); // one byte of header now and then
                    } catch (java.io.IOException closed) {
                        cut = true;
                    }
                    Thread.sleep(700);
                }
                if (!cut) {
                    try {
                        cut = slow.getInputStream().read() < 0;
                    } catch (java.io.IOException closed) {
                        cut = true;
                    }
                }
                assertTrue(cut, "a TLS client trickling its headers was still connected after "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
            }
        } finally {
            server.close();
        }
    }
}
