package org.campusedge.camel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.EventQuery;
import org.campusedge.api.Measurement;
import org.campusedge.bus.standalone.StandaloneBus;
import org.campusedge.camel.family.Families;
import org.campusedge.camel.nvr.NvrFamily;
import org.campusedge.simulators.nvr.VideoRecorder;
import org.campusedge.store.files.EventStoreFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The video recorders' family through the real Camel gateway, polling the recorder simulator's
 * ISAPI over real HTTP with Digest, into the SQLite store: what a sound recorder reports, a channel
 * that stops recording (where its camera is), a failed disk, recordings kept too short; a recorder
 * that refuses the gateway's key, a hostile one that answers entity bombs and megabytes, a silent
 * one — each counted or silent while the sound recorder beside it is still read.
 */
class NvrRouteTest {

    @TempDir
    Path dir;

    private EventStoreFile store;
    private StandaloneBus bus;
    private CamelGateway gateway;
    private VideoRecorder nvr;
    private TestRegistry registry;
    private MemoryCredentials keys;
    private HttpServer hostile;

    @BeforeEach
    void start() throws Exception {
        nvr = new VideoRecorder(4, 40);
        String address = nvr.start(0).toString();
        keys = new MemoryCredentials();
        keys.put("nvr-main", "k-" + "nvr-main-secret-0123456789");
        nvr.credentials("nvr-main", "k-" + "nvr-main-secret-0123456789");
        store = EventStoreFile.open(dir.resolve("events.db"), "NORMAL", 1000, 100_000);
        bus = StandaloneBus.over(store);
        registry = new TestRegistry();
        registry.put(TestRegistry.camera("cam-gate", "gate"));
        registry.put(TestRegistry.camera("cam-yard", "playground"));
        registry.put(TestRegistry.recorder("nvr-main", address, "1=cam-gate,2=cam-yard"));
        // polls every second, the oldest recording searched at every poll: what takes a minute at the defaults takes seconds here
        gateway = new CamelGateway(bus, registry, CamelGateway.Settings.loopback(dir.resolve("card-secret")), getClass().getClassLoader(),
                CamelGatewayComponent.templatesIn(Path.of("templates")), org.campusedge.api.Watchdog.loggingOnly(), keys,
                Families.found(getClass().getClassLoader()),
                pid -> pid.equals(NvrFamily.PID) ? Map.of("pollSeconds", 1, "retentionEvery", 1, "timeoutSeconds", 2) : Map.of());
        gateway.start();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        bus.close();
        store.close();
        nvr.close();
        if (hostile != null) {
            hostile.stop(0);
        }
    }

    private List<CampusEvent> events(String device, String kind) {
        return store.query(EventQuery.all(1000).withDevice(device)).stream().filter(e -> e.kind().equals(kind)).toList();
    }

    @Test
    void aSoundRecorderReportsWhatItHasAndNothingElse() throws Exception {
        assertTrue(gateway.routes().contains("nvr-nvr-main"), gateway.routes().toString());
        assertTrue(Await.eventually(15, () -> !events("nvr-main", NvrFamily.STATUS).isEmpty()), "no nvr.status stored");
        CampusEvent s = events("nvr-main", NvrFamily.STATUS).get(0);
        assertEquals(4.0, Measurement.firstValue(List.of(s), "channels"));
        assertEquals(4.0, Measurement.firstValue(List.of(s), "channels_recording"));
        assertEquals(2.0, Measurement.firstValue(List.of(s), "disks_ok"));
        assertEquals(40.0, Measurement.firstValue(List.of(s), "kept_days"), 0.2);
        assertTrue(events("nvr-main", NvrFamily.NOT_RECORDING).isEmpty());
        assertTrue(events("nvr-main", NvrFamily.DISK_FAULT).isEmpty());
        assertTrue(events("nvr-main", NvrFamily.RETENTION_SHORT).isEmpty());
        assertEquals(0, nvr.refusedLogins(), "the gateway's Digest answers were refused");
        assertTrue(Await.eventually(5, () -> gateway.counters().of("nvr-main").accepted() >= 1), "a stored poll was not counted");
    }

    @Test
    void aChannelThatStopsRecordingIsReportedWhereItsCameraIsAndSoAreADiskAndAShortRetention() throws Exception {
        nvr.recording(1, false);
        nvr.disk("2", "smartFailed");
        nvr.oldest(2, Instant.now().minus(Duration.ofDays(3)));
        assertTrue(Await.eventually(15, () -> !events("nvr-main", NvrFamily.NOT_RECORDING).isEmpty()
                && !events("nvr-main", NvrFamily.DISK_FAULT).isEmpty() && !events("nvr-main", NvrFamily.RETENTION_SHORT).isEmpty()),
                "not all three reported: " + store.query(EventQuery.all(50).withDevice("nvr-main")));
        CampusEvent stopped = events("nvr-main", NvrFamily.NOT_RECORDING).get(0);
        assertEquals("1", stopped.attributes().get("channel"));
        assertEquals("cam-gate", stopped.attributes().get("camera"));
        assertEquals("gate", stopped.location().zone(), "the event is where the camera is, for the rules' zones");
        CampusEvent disk = events("nvr-main", NvrFamily.DISK_FAULT).get(0);
        assertEquals("2", disk.attributes().get("disk"));
        assertEquals("smartFailed", disk.attributes().get("status"));
        CampusEvent short_ = events("nvr-main", NvrFamily.RETENTION_SHORT).get(0);
        assertEquals("2", short_.attributes().get("channel"));
        assertEquals("playground", short_.location().zone());
        assertEquals(3.0, Measurement.firstValue(List.of(short_), "kept_days"), 0.2);
        // recording again: the next polls report no channel
        nvr.recording(1, true);
        assertTrue(Await.eventually(15, () -> {
            List<CampusEvent> st = events("nvr-main", NvrFamily.STATUS);
            return !st.isEmpty() && Double.valueOf(4.0).equals(Measurement.firstValue(List.of(st.get(st.size() - 1)), "channels_recording"))
                    || st.stream().anyMatch(e -> Double.valueOf(4.0).equals(Measurement.firstValue(List.of(e), "channels_recording"))
                    && e.occurredAt().isAfter(stopped.occurredAt()));
        }), "the channel recording again was not seen");
    }

    @Test
    void aRecorderThatRefusesTheGatewaysKeyIsCountedAndStoresNothing() throws Exception {
        keys.put("nvr-main", "k-" + "a-key-the-recorder-does-not-have");
        assertTrue(Await.eventually(15, () -> gateway.counters().of("nvr-main").rejected() >= 2), "refusals not counted");
        assertTrue(gateway.counters().of("nvr-main").lastError().contains("credentials"), gateway.counters().of("nvr-main").lastError());
        int before = events("nvr-main", NvrFamily.STATUS).size();
        Thread.sleep(2500); // two more polls, each refused
        assertEquals(before, events("nvr-main", NvrFamily.STATUS).size(), "a refused poll stored a status");
        assertTrue(nvr.refusedLogins() > 0);
        keys.put("nvr-main", "k-" + "nvr-main-secret-0123456789");
        assertTrue(Await.eventually(15, () -> events("nvr-main", NvrFamily.STATUS).size() > before), "not read again with its key");
    }

    @Test
    void aHostileRecorderIsRefusedAndCountedWhileTheSoundOneIsStillRead() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        hostile = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE hddList [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<hddList><hdd><id>1</id><status>&c;&x;</status></hdd></hddList>";
        // the disk list alternates an entity bomb reaching for /etc/passwd and three megabytes; the rest is sound, so that
        // only a parser that expands entities or reads without a bound would make something of it
        hostile.createContext("/ISAPI/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body = path.endsWith("/hdd") ? (asked.getAndIncrement() % 2 == 0 ? bomb.getBytes(StandardCharsets.UTF_8)
                    : new byte[3 * 1024 * 1024])
                    : path.endsWith("/workingstatus") ? "{\"WorkingStatus\":{\"ChanStatus\":[{\"chanNo\":1,\"record\":1}]}}"
                    .getBytes(StandardCharsets.UTF_8)
                    : "<CMSearchResult><numOfMatches>0</numOfMatches></CMSearchResult>".getBytes(StandardCharsets.UTF_8);
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            try (var out = ex.getResponseBody()) {
                out.write(body);
            } catch (java.io.IOException e) {
                // the gateway gave up reading: what a bound does
            }
        });
        hostile.start();
        registry.put(new org.campusedge.api.Device("nvr-evil", "sch-test", TestRegistry.NVR.id(), "nvr",
                org.campusedge.api.Location.UNKNOWN, "http://127.0.0.1:" + hostile.getAddress().getPort(), Map.of(), true));
        assertTrue(Await.eventually(20, () -> gateway.counters().of("nvr-evil").rejected() >= 4), "the hostile answers were not refused");
        int sound = events("nvr-main", NvrFamily.STATUS).size();
        assertTrue(Await.eventually(15, () -> events("nvr-main", NvrFamily.STATUS).size() > sound + 1), "the sound recorder was not read meanwhile");
        assertTrue(events("nvr-evil", NvrFamily.STATUS).isEmpty(), "a hostile answer became a status");
        assertTrue(events("nvr-evil", NvrFamily.DISK_FAULT).isEmpty(), "an entity bomb became a disk fault");
    }

    /**
     * A recorder that answers 200 and then trickles its body a byte every 200 ms: the request's timeout covers only the
     * headers, so without a deadline on the whole answer each poll would hold a connection for ever and the next poll
     * would open two more. Here each is cut after twice the timeout and a poll is never doubled.
     */
    @Test
    void aTricklingRecorderIsCutOffAndNeverPolledTwiceAtOnce() throws Exception {
        AtomicInteger open = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        hostile = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        hostile.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "trickler");
            t.setDaemon(true);
            return t;
        }));
        hostile.createContext("/ISAPI/", ex -> {
            started.incrementAndGet();
            most.accumulateAndGet(open.incrementAndGet(), Math::max);
            try (var out = ex.getResponseBody()) {
                ex.sendResponseHeaders(200, 0);
                for (int i = 0; i < 300; i++) {
                    out.write('<');
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (java.io.IOException | InterruptedException cut) {
                // the gateway gave up: what it should
            } finally {
                open.decrementAndGet();
            }
        });
        hostile.start();
        registry.put(new org.campusedge.api.Device("nvr-slow", "sch-test", TestRegistry.NVR.id(), "nvr",
                org.campusedge.api.Location.UNKNOWN, "http://127.0.0.1:" + hostile.getAddress().getPort(), Map.of(), true));
        int sound = events("nvr-main", NvrFamily.STATUS).size();
        // each poll's first request is cut off after 4 s (twice the 2 s timeout) and the next poll asks again
        assertTrue(Await.eventually(25, () -> started.get() >= 4), "the trickled polls were not cut off and made again: "
                + started.get() + " requests, " + gateway.counters().of("nvr-slow"));
        String why = gateway.counters().of("nvr-slow").lastError();
        assertTrue(why != null && why.contains("did not finish its answer"), "not counted against the recorder: " + why);
        assertTrue(most.get() <= 3, "polls piled up on the trickling recorder: " + most.get() + " connections at once");
        assertTrue(events("nvr-main", NvrFamily.STATUS).size() > sound, "the sound recorder was not read meanwhile");
        assertTrue(events("nvr-slow", NvrFamily.STATUS).isEmpty());
    }

    @Test
    void aSilentRecorderStoresNothingAndTheOtherPollsGoOn() throws Exception {
        assertTrue(Await.eventually(15, () -> !events("nvr-main", NvrFamily.STATUS).isEmpty()));
        nvr.silent(true);
        Thread.sleep(3000); // the poll in flight ends
        int before = events("nvr-main", NvrFamily.STATUS).size();
        Thread.sleep(4000); // four polls, each timing out after 2 s
        assertEquals(before, events("nvr-main", NvrFamily.STATUS).size(), "a silent recorder was reported as sound");
        nvr.silent(false);
        assertTrue(Await.eventually(40, () -> events("nvr-main", NvrFamily.STATUS).size() > before), "not read again once it answers");
    }
}
