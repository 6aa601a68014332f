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

    private CityCommands commands() {
        MemoryRegistry registry = new MemoryRegistry(List.of(MemoryRegistry.device("pa-main", "broadcast", "Admin")));
        return new CityCommands("gw-sch-t", registry, noBus, () -> pa, new RuleSetInstaller(null, () -> null, java.time.Duration.ZERO),
                () -> Map.of("school", "sch-t"), Executors.newSingleThreadExecutor(), Executors.newSingleThreadExecutor());
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void badCommandsAreRefusedWithAReasonAndNothingRuns() {
        CityCommands c = commands();
        assertEquals(400, c.execute("broadcast", "gw-sch-t", json("{not json")).status());
        assertEquals(400, c.execute("broadcast", "gw-sch-t", json("{\"zones\":[\"all\"]}")).status());
        assertEquals(400, c.execute("broadcast", "gw-sch-t", json("{\"text\":\"x\",\"announcement\":\"fire\"}")).status());
        assertEquals(400, c.execute("broadcast", "gw-sch-t", json("{\"text\":\"x\",\"priority\":500}")).status());
        assertEquals(400, c.execute("broadcast", "gw-sch-t", json("{\"text\":\"x\",\"zones\":\"all\"}")).status());
        assertEquals(404, c.execute("reboot", "gw-sch-t", json("{}")).status());
        assertEquals(404, c.execute("broadcast", "gw-other", json("{\"text\":\"x\"}")).status());
        assertEquals(400, c.execute(null, "gw-sch-t", json("{}")).status());
        assertEquals(400, c.execute("rules", "gw-sch-t", json("{\"name\":\"Bad Name!\",\"yaml\":\"rules: []\"}")).status());
        CityCommands.Response r = c.execute("broadcast", "gw-sch-t", json("[1,2]"));
        assertEquals(400, r.status());
        assertTrue(r.body().get("error").toString().contains("JSON object"), r.body().toString());
        assertEquals(List.of(), sent, "no command reached the PA");
    }

    @Test
    void aGoodBroadcastGoesToTheSchoolsPaControllerAsTheCity() {
        CityCommands.Response r = commands().execute("broadcast", "gw-sch-t",
                json("{\"text\":\"全市紧急通知：请立即疏散\",\"zones\":[\"all\"]}"));
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("ACCEPTED", r.body().get("outcome"));
        assertEquals(1, sent.size());
        BroadcastRequest req = sent.get(0);
        assertEquals("pa-main", req.controllerId());
        assertEquals(List.of(), req.zones(), "all = every zone");
        assertEquals(BroadcastRequest.EMERGENCY, req.priority());
        assertEquals("city", req.requestedBy());
        assertEquals("全市紧急通知：请立即疏散", req.text());
    }
}
