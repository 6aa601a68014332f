package org.campusedge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.SecurityHandler;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.DigestAuthenticator;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.security.Credential;
import org.junit.jupiter.api.Test;

/**
 * Digest as RFC 7616 defines it (its own example vectors), the server's refusals as an attacker
 * meets them (wrong password, forged nonce, another request's credentials, a replay), and our
 * client against a server nobody here wrote (Jetty's DigestAuthenticator, both algorithms).
 */
class HttpDigestTest {

    private static final Map<String, String> USERS = Map.of("cam-1", "right-password", "cam-2", "other-password");

    @Test
    void rfc7616Examples() {
        // RFC 7616 section 3.9.1
        String nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
        String cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        assertEquals("8ca523f5e9506fed4657c9700eebdbec", HttpDigest.response("MD5", "Mufasa", "http-auth@example.org",
                "Circle of Life", "GET", "/dir/index.html", nonce, "00000001", cnonce));
        assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", HttpDigest.response("SHA-256", "Mufasa",
                "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html", nonce, "00000001", cnonce));
    }

    @Test
    void quotedParametersWithCommasAndEscapes() {
        Map<String, String> p = HttpDigest.params("Digest realm=\"a, \\\"b\\\"\", qop=auth,nc=00000001, uri=\"/x?a=1,2\"");
        assertEquals("a, \"b\"", p.get("realm"));
        assertEquals("auth", p.get("qop"));
        assertEquals("/x?a=1,2", p.get("uri"));
        assertNull(HttpDigest.params("Basic Y2FtLTE6eA=="));
        assertNull(HttpDigest.params("Digest realm=\"unterminated"));
        assertNull(HttpDigest.params("Digest nonce=\"a\", nonce=\"b\""), "a parameter twice is refused");
        assertNull(HttpDigest.params("Digest nonce=\"a\"uri=\"/b\""), "parameters without a comma between them are refused");
    }

    @Test
    void aClientProvesItselfOnceChallengedAndEveryRequestAfter() {
        DigestServer server = DigestServer.forDevices("Campus Edge devices");
        DigestClient client = new DigestClient("cam-1", "right-password");
        assertNull(client.authorization("POST", "/campus/camera/cam-1"));
        assertInstanceOf(DigestServer.Verdict.Missing.class, server.verify("POST", "/campus/camera/cam-1", null, USERS::get));
        assertTrue(client.challenged(server.challenges(false)));
        for (int i = 0; i < 3; i++) {
            DigestServer.Verdict v = server.verify("POST", "/campus/camera/cam-1", client.authorization("POST", "/campus/camera/cam-1"),
                    USERS::get);
            assertEquals(new DigestServer.Verdict.Proven("cam-1"), v);
        }
        assertTrue(client.authorization("POST", "/x").contains("algorithm=SHA-256"), "the strongest algorithm offered is used");
    }

    @Test
    void wrongPasswordForgedNonceOtherTargetAndReplayAreRefused() {
        DigestServer server = DigestServer.forDevices("Campus Edge devices");
        String path = "/campus/camera/cam-1";
        DigestClient wrong = new DigestClient("cam-1", "guessed");
        wrong.challenged(server.challenges(false));
        assertRefused(server.verify("POST", path, wrong.authorization("POST", path), USERS::get), "wrong user name or password");
        assertFalse(wrong.challenged(List.of(last(wrong))), "the same nonce refused again: no point retrying");

        DigestClient unknown = new DigestClient("cam-9", "anything");
        unknown.challenged(server.challenges(false));
        assertRefused(server.verify("POST", path, unknown.authorization("POST", path), USERS::get), "wrong user name or password");

        DigestServer other = DigestServer.forDevices("Campus Edge devices"); // a forger's own "server", or the gateway before a restart
        DigestClient forged = new DigestClient("cam-1", "wrong");
        forged.challenged(other.challenges(false));
        assertRefused(server.verify("POST", path, forged.authorization("POST", path), USERS::get), "wrong user name or password");
        DigestClient beforeRestart = new DigestClient("cam-1", "right-password");
        beforeRestart.challenged(other.challenges(false));
        assertInstanceOf(DigestServer.Verdict.Stale.class, server.verify("POST", path, beforeRestart.authorization("POST", path),
                USERS::get), "the right password on a nonce of another server run: stale, so the device retries at once");

        DigestClient good = new DigestClient("cam-1", "right-password");
        good.challenged(server.challenges(false));
        String forOtherPath = good.authorization("POST", "/campus/camera/cam-2");
        assertRefused(server.verify("POST", path, forOtherPath, USERS::get), "another request target");

        String recorded = good.authorization("POST", path);
        assertEquals(new DigestServer.Verdict.Proven("cam-1"), server.verify("POST", path, recorded, USERS::get));
        assertRefused(server.verify("POST", path, recorded, USERS::get), "replayed");
        String tampered = recorded.replace("nc=00000002", "nc=00000009"); // a higher count without the password
        assertRefused(server.verify("POST", path, tampered, USERS::get), "wrong user name or password");
        assertRefused(server.verify("POST", path, "Digest username=\"cam-1\", nonce=\"x\"", USERS::get), "lack");
        assertRefused(server.verify("POST", path, recorded.replace("qop=auth", "qop=auth-int"), USERS::get), "qop=auth");
    }

    @Test
    void anExpiredNonceIsStaleAndTheClientRetries() throws Exception {
        DigestServer server = new DigestServer("r", Duration.ofMillis(50), 100);
        DigestClient client = new DigestClient("cam-1", "right-password");
        client.challenged(server.challenges(false));
        Thread.sleep(120);
        assertInstanceOf(DigestServer.Verdict.Stale.class, server.verify("POST", "/p", client.authorization("POST", "/p"), USERS::get));
        assertTrue(client.challenged(server.challenges(true)));
        assertEquals(new DigestServer.Verdict.Proven("cam-1"), server.verify("POST", "/p", client.authorization("POST", "/p"), USERS::get));
    }

    @Test
    void theReplayTableIsBoundedPerUserAndOnlyProvenRequestsEnterIt() throws Exception {
        DigestServer server = new DigestServer("r", Duration.ofMinutes(5), 3);
        for (int i = 0; i < 50; i++) { // strangers: no entry
            DigestClient c = new DigestClient("cam-1", "wrong-" + i);
            c.challenged(server.challenges(false));
            server.verify("POST", "/p", c.authorization("POST", "/p"), USERS::get);
        }
        assertEquals(0, server.tracked());
        DigestClient neighbour = new DigestClient("cam-2", "other-password");
        neighbour.challenged(server.challenges(false));
        assertInstanceOf(DigestServer.Verdict.Proven.class, server.verify("POST", "/p", neighbour.authorization("POST", "/p"), USERS::get));
        // one stolen password opening nonce after nonce: it churns its own entries only
        List<DigestClient> churn = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(2); // distinct issue times
            DigestClient c = new DigestClient("cam-1", "right-password");
            c.challenged(server.challenges(false));
            assertInstanceOf(DigestServer.Verdict.Proven.class, server.verify("POST", "/p", c.authorization("POST", "/p"), USERS::get));
            churn.add(c);
        }
        assertEquals(3 + 1, server.tracked(), "three of cam-1's, one of cam-2's");
        assertInstanceOf(DigestServer.Verdict.Stale.class, server.verify("POST", "/p", churn.get(0).authorization("POST", "/p"),
                USERS::get), "a forgotten nonce is stale, never open to a replay");
        assertInstanceOf(DigestServer.Verdict.Proven.class, server.verify("POST", "/p", churn.get(19).authorization("POST", "/p"),
                USERS::get));
        assertInstanceOf(DigestServer.Verdict.Proven.class, server.verify("POST", "/p", neighbour.authorization("POST", "/p"), USERS::get),
                "the other camera's nonce is untouched");
    }

    @Test
    void requestsSentAtOnceMayArriveInAnyOrderButNoCountTwice() {
        DigestServer server = DigestServer.forDevices("r");
        DigestClient c = new DigestClient("cam-1", "right-password");
        c.challenged(server.challenges(false));
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 70; i++) {
            sent.add(c.authorization("POST", "/p"));
        }
        assertEquals(new DigestServer.Verdict.Proven("cam-1"), server.verify("POST", "/p", sent.get(5), USERS::get));
        for (int i : new int[] {3, 0, 4, 1, 2, 69}) {
            assertEquals(new DigestServer.Verdict.Proven("cam-1"), server.verify("POST", "/p", sent.get(i), USERS::get), "count " + (i + 1));
        }
        for (int i : new int[] {3, 5, 69}) {
            assertRefused(server.verify("POST", "/p", sent.get(i), USERS::get), "replayed");
        }
        assertEquals(new DigestServer.Verdict.Proven("cam-1"), server.verify("POST", "/p", sent.get(6), USERS::get),
                "count 7 is 63 below 70: in the window, never seen");
        assertRefused(server.verify("POST", "/p", sent.get(4), USERS::get), "replayed"); // 5 is 65 below: out of the window
    }

    @Test
    void ourClientAgainstJettysDigestServer() throws Exception {
        for (String algorithm : List.of("MD5", "SHA-256")) {
            Server jetty = new Server();
            ServerConnector connector = new ServerConnector(jetty);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            jetty.addConnector(connector);
            UserStore users = new UserStore();
            users.addUser("pa-main", Credential.getCredential("pa-secret"), new String[] {"device"});
            HashLoginService login = new HashLoginService("Campus PA");
            login.setUserStore(users);
            DigestAuthenticator authenticator = new DigestAuthenticator();
            authenticator.setAlgorithm(algorithm);
            SecurityHandler.PathMapped security = new SecurityHandler.PathMapped();
            security.setLoginService(login);
            security.setAuthenticator(authenticator);
            security.put("/*", Constraint.from("device"));
            AtomicInteger served = new AtomicInteger();
            security.setHandler(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    served.incrementAndGet();
                    response.setStatus(200);
                    response.write(true, java.nio.ByteBuffer.wrap("ok".getBytes()), callback);
                    return true;
                }
            });
            jetty.setHandler(security);
            jetty.start();
            try {
                URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
                HttpClient http = HttpClient.newHttpClient();
                DigestClient right = new DigestClient("pa-main", "pa-secret");
                assertEquals(200, send(http, right, base, "/api/v1/play"), algorithm);
                assertEquals(200, send(http, right, base, "/api/v1/zones"), algorithm);
                assertEquals(2, served.get(), algorithm);
                assertEquals(401, send(http, new DigestClient("pa-main", "not-it"), base, "/api/v1/play"), algorithm);
                assertEquals(2, served.get(), "a wrong password reaches nothing");
            } finally {
                jetty.stop();
            }
        }
    }

    /** A POST as the gateway's PA commands are sent: through {@link DigestClient#exchange}, one retry after a challenge. */
    private static int send(HttpClient http, DigestClient digest, URI base, String path) {
        return DigestClient.exchange(digest, () -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString("{}"));
            String auth = digest.authorization("POST", path);
            if (auth != null) {
                b.header("Authorization", auth);
            }
            return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
        }).join().statusCode();
    }

    private static String last(DigestClient c) {
        // the client's own view of the challenge it holds, as a header: same nonce as before
        String auth = c.authorization("POST", "/");
        Map<String, String> p = HttpDigest.params(auth);
        return "Digest realm=" + HttpDigest.quote(p.get("realm")) + ", qop=\"auth\", algorithm=" + p.get("algorithm") + ", nonce="
                + HttpDigest.quote(p.get("nonce"));
    }

    private static void assertRefused(DigestServer.Verdict v, String because) {
        assertInstanceOf(DigestServer.Verdict.Refused.class, v, because);
        assertTrue(((DigestServer.Verdict.Refused) v).why().contains(because), ((DigestServer.Verdict.Refused) v).why());
    }
}
