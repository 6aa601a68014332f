package org.campusedge.hono.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.campusedge.api.BroadcastRequest;
import org.campusedge.api.BroadcastResult;
import org.campusedge.api.Broadcasts;
import org.campusedge.api.EventBus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The city's commands are checked before anything runs: malformed, unknown or misaddressed commands
 * are answered with a reason and reach no device. (The whole path — the dashboard, the sandbox, Hono's
 * client, the PA simulator — is in the launcher's cloud integration tests.)
 */
class CityCommandsTest {

    @TempDir
    Path dir;

    private final List<BroadcastRequest> sent = new CopyOnWriteArrayList<>();
    private final Broadcasts pa = r -> {
        sent.add(r);
        return CompletableFuture.completedFuture(new BroadcastResult(BroadcastResult.Outcome.ACCEPTED, "task-1", Map.of("all", "playing"), null));
    };
    private final EventBus noBus = new EventBus() {
        @Override
        public java.util.concurrent.CompletionStage<Void> publish(List<org.campusedge.api.CampusEvent> events) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Subscription subscribe(String name, int capacity, java.util.function.Consumer<org.campusedge.api.CampusEvent> l) {
            return () -> { };
        }

        @Override
        public List<SubscriberStats> subscribers() {
            return List.of();
        }
    };

    private final java.security.KeyPair city = keyPair();
    private long now = System.currentTimeMillis();

    private static java.security.KeyPair keyPair() {
        try {
            return java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private CityCommands commands() {
        MemoryRegistry registry = new MemoryRegistry(List.of(MemoryRegistry.device("pa-main", "broadcast", "Admin")));
        return new CityCommands("gw-sch-t", registry, noBus, () -> pa, new RuleSetInstaller(null, () -> null, java.time.Duration.ZERO, false),
                () -> Map.of("school", "sch-t"), Executors.newSingleThreadExecutor(), Executors.newSingleThreadExecutor(),
                new CommandSignature(city.getPublic(), registry.schoolId(), () -> now));
    }

    /** A command as the bureau signs it (written here from RFC 7515/8037, not shared with the dashboard's signer). */
    private byte[] signed(java.security.PrivateKey key, String cmd, String school, long iat, long exp, String jti, String body) {
        try {
            java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
            String claims = "{\"iss\":\"city:jiangcheng\",\"sub\":\"" + school + "\",\"cmd\":\"" + cmd + "\",\"user\":\"operator-li\","
                    + "\"iat\":" + iat + ",\"exp\":" + exp + ",\"jti\":\"" + jti + "\",\"body\":" + body + "}";
            String input = b64.encodeToString("{\"alg\":\"EdDSA\"}".getBytes(StandardCharsets.UTF_8)) + "."
                    + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            java.security.Signature sig = java.security.Signature.getInstance("Ed25519");
            sig.initSign(key);
            sig.update(input.getBytes(StandardCharsets.US_ASCII));
            return (input + "." + b64.encodeToString(sig.sign())).getBytes(StandardCharsets.US_ASCII);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private int nonces;

    private byte[] signed(String cmd, String body) {
        long t = now / 1000;
        return signed(city.getPrivate(), cmd, "sch-t", t, t + 300, "nonce-" + (++nonces) + "-abcdef", body);
    }

    /** The school's drills as the rules service keeps them: one at a time, started by whom. */
    private final class DeskStub implements org.campusedge.api.Drills {
        org.campusedge.api.Drill running;
        final List<String> calls = new java.util.ArrayList<>();

        @Override public java.util.Optional<org.campusedge.api.Drill> current() { return java.util.Optional.ofNullable(running); }

        @Override public java.util.concurrent.CompletionStage<org.campusedge.api.Drill> start(String deviceId, String kind,
                java.time.Duration length, String name, String by) {
            calls.add("start " + deviceId + " " + kind + " " + length.toMinutes() + " " + name + " " + by);
            if (running != null) {
                throw new IllegalStateException("a drill runs");
            }
            java.time.Instant t = java.time.Instant.now();
            running = new org.campusedge.api.Drill("D1", name, "cam-1", kind, t, t.plus(length), by);
            return java.util.concurrent.CompletableFuture.completedFuture(running);
        }

        @Override public java.util.concurrent.CompletionStage<java.util.Optional<org.campusedge.api.Drill>> stop(String by) {
            java.util.Optional<org.campusedge.api.Drill> was = current();
            running = null;
            return java.util.concurrent.CompletableFuture.completedFuture(was);
        }
    }

    @Test
    void theCityStartsAndStopsASchoolsDrillSignedAndWithinBounds() {
        CityCommands c = commands();
        assertEquals(503, c.execute("drill", "gw-sch-t", signed("drill", "{\"minutes\":10}")).status(), "no rules service");
        DeskStub desk = new DeskStub();
        c.drills(() -> desk);
        assertEquals(400, c.execute("drill", "gw-sch-t", signed("drill", "{\"minutes\":0}")).status());
        assertEquals(400, c.execute("drill", "gw-sch-t", signed("drill", "{\"minutes\":1000}")).status());
        assertEquals(401, c.execute("drill", "gw-sch-t", signed(keyPair().getPrivate(), "drill", "sch-t", now / 1000, now / 1000 + 300,
                "nonce-x-abcdef", "{\"minutes\":10}")).status(), "signed by another key");
        assertEquals(List.of(), desk.calls, "a refused command reached the drill desk");
        CityCommands.Response started = c.execute("drill", "gw-sch-t", signed("drill", "{\"minutes\":15,\"name\":\"district drill\"}"));
        assertEquals(200, started.status(), started.body().toString());
        assertEquals("D1", started.body().get("drill"));
        assertEquals(List.of("start null camera.intrusion 15 district drill city:operator-li"), desk.calls);
        assertEquals(409, c.execute("drill", "gw-sch-t", signed("drill", "{\"minutes\":15}")).status(), "a second drill at once");
        assertEquals(200, c.execute("drill", "gw-sch-t", signed("drill", "{\"stop\":true}")).status());
        assertEquals(409, c.execute("drill", "gw-sch-t", signed("drill", "{\"stop\":true}")).status(), "nothing left to stop");
    }

    @Test
    void badCommandsAreRefusedWithAReasonAndNothingRuns() {
        CityCommands c = commands();
        assertEquals(400, c.execute("broadcast", "gw-sch-t", signed("broadcast", "{\"zones\":[\"all\"]}")).status());
        assertEquals(400, c.execute("broadcast", "gw-sch-t", signed("broadcast", "{\"text\":\"x\",\"announcement\":\"fire\"}")).status());
        assertEquals(400, c.execute("broadcast", "gw-sch-t", signed("broadcast", "{\"text\":\"x\",\"priority\":500}")).status());
        assertEquals(400, c.execute("broadcast", "gw-sch-t", signed("broadcast", "{\"text\":\"x\",\"zones\":\"all\"}")).status());
        assertEquals(404, c.execute("reboot", "gw-sch-t", signed("reboot", "{}")).status());
        assertEquals(404, c.execute("broadcast", "gw-other", signed("broadcast", "{\"text\":\"x\"}")).status());
        assertEquals(400, c.execute(null, "gw-sch-t", signed("status", "{}")).status());
        assertEquals(400, c.execute("rules", "gw-sch-t", signed("rules", "{\"name\":\"Bad Name!\",\"yaml\":\"rules: []\"}")).status());
        CityCommands.Response r = c.execute("broadcast", "gw-sch-t", signed("broadcast", "[1,2]"));
        assertEquals(400, r.status());
        assertTrue(r.body().get("error").toString().contains("body object"), r.body().toString());
        assertEquals(List.of(), sent, "no command reached the PA");
    }

    /**
     * Each way a command can fail to be the bureau's, as an attacker holding the school's Hono
     * credentials would try them: nothing signed, another key, a signed command changed, one for
     * another school or another command, an expired one, one from the future or valid too long, and a
     * command taken once sent again. Each is refused with its reason and reaches no device.
     */
    @Test
    void onlyTheBureausFreshSignedCommandsForThisSchoolRun() throws Exception {
        CityCommands c = commands();
        String body = "{\"text\":\"全校立即疏散\"}";
        long t = now / 1000;
        assertRefused(c.execute("broadcast", "gw-sch-t", json(body)), 401, "unsigned");
        assertRefused(c.execute("broadcast", "gw-sch-t", signed(keyPair().getPrivate(), "broadcast", "sch-t", t, t + 300, "nonce-other-key", body)),
                401, "not the city's");
        byte[] good = signed("broadcast", body);
        String[] parts = new String(good, StandardCharsets.US_ASCII).split("\\.");
        String changedClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new String(java.util.Base64.getUrlDecoder()
                .decode(parts[1]), StandardCharsets.UTF_8).replace("全校立即疏散", "演习取消").getBytes(StandardCharsets.UTF_8));
        assertRefused(c.execute("broadcast", "gw-sch-t", (parts[0] + "." + changedClaims + "." + parts[2]).getBytes(StandardCharsets.US_ASCII)),
                401, "not the city's");
        assertRefused(c.execute("broadcast", "gw-sch-t", signed(city.getPrivate(), "broadcast", "sch-other", t, t + 300, "nonce-school-x", body)),
                403, "signed for the school 'sch-other'");
        assertRefused(c.execute("rules", "gw-sch-t", signed("broadcast", body)), 403, "signed for the command 'broadcast'");
        assertRefused(c.execute("broadcast", "gw-sch-t", signed(city.getPrivate(), "broadcast", "sch-t", t - 900, t - 600, "nonce-expired", body)),
                403, "expired");
        assertRefused(c.execute("broadcast", "gw-sch-t", signed(city.getPrivate(), "broadcast", "sch-t", t + 3600, t + 3700, "nonce-future", body)),
                403, "future");
        assertRefused(c.execute("broadcast", "gw-sch-t", signed(city.getPrivate(), "broadcast", "sch-t", t, t + 86_400, "nonce-too-long", body)),
                403, "at most 600 s");
        assertEquals(List.of(), sent, "a refused command reached the PA");
        assertEquals(200, c.execute("broadcast", "gw-sch-t", good).status());
        assertEquals(1, sent.size());
        assertRefused(c.execute("broadcast", "gw-sch-t", good), 403, "replayed");
        assertEquals(1, sent.size(), "the replay played again");

        CityCommands unconfigured = new CityCommands("gw-sch-t", new MemoryRegistry(List.of()), noBus, () -> pa,
                new RuleSetInstaller(null, () -> null, java.time.Duration.ZERO, false), Map::of, Executors.newSingleThreadExecutor(),
                Executors.newSingleThreadExecutor(), new CommandSignature(null, "sch-t", () -> now));
        assertRefused(unconfigured.execute("status", "gw-sch-t", signed("status", "{}")), 401, "no public key of the city");
    }

    private static void assertRefused(CityCommands.Response r, int status, String because) {
        assertEquals(status, r.status(), r.body().toString());
        assertTrue(r.body().get("error").toString().contains(because), r.body().toString());
    }

    /**
     * The city tries a school again until it confirms a broadcast; a try that arrives after the PA took it (its answer
     * lost or late, or tries queued in Kafka while the command router was down) is answered as before and not played
     * again. Each try is signed anew (a fresh nonce), so only the broadcast id tells them apart.
     */
    @Test
    void laterTriesOfABroadcastThePaTookAreAnsweredAsBeforeAndNotPlayedAgain() {
        CityCommands c = commands();
        String body = "{\"text\":\"全市紧急通知\",\"batch\":\"b-1\"}";
        CityCommands.Response first = c.execute("broadcast", "gw-sch-t", signed("broadcast", body));
        assertEquals(200, first.status());
        for (int i = 0; i < 3; i++) {
            CityCommands.Response again = c.execute("broadcast", "gw-sch-t", signed("broadcast", body));
            assertEquals(200, again.status());
            assertEquals(Boolean.TRUE, again.body().get("repeat"));
        }
        assertEquals(1, sent.size(), "the PA played it once");
        assertEquals(200, c.execute("broadcast", "gw-sch-t", signed("broadcast", "{\"text\":\"另一条通知\",\"batch\":\"b-2\"}")).status());
        assertEquals(2, sent.size(), "another broadcast plays");
        assertEquals(400, c.execute("broadcast", "gw-sch-t", signed("broadcast", "{\"text\":\"x\",\"batch\":7}")).status());
    }

    @Test
    void aGoodBroadcastGoesToTheSchoolsPaControllerAsTheCity() {
        CityCommands.Response r = commands().execute("broadcast", "gw-sch-t",
                signed("broadcast", "{\"text\":\"全市紧急通知：请立即疏散\",\"zones\":[\"all\"]}"));
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("ACCEPTED", r.body().get("outcome"));
        assertEquals("operator-li", r.by());
        assertEquals(1, sent.size());
        BroadcastRequest req = sent.get(0);
        assertEquals("pa-main", req.controllerId());
        assertEquals(List.of(), req.zones(), "all = every zone");
        assertEquals(BroadcastRequest.EMERGENCY, req.priority());
        assertEquals("city:operator-li", req.requestedBy());
        assertEquals("全市紧急通知：请立即疏散", req.text());
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
