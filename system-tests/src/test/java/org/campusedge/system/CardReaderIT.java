package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;
import org.campusedge.simulators.card.CardReader;
import org.campusedge.simulators.card.ReaderWire;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.net.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-card readers through the real gateway over TCP: swipes acknowledged and stored as
 * card.swipe / card.denied with pseudonyms only, garbage and damaged frames skipped without losing
 * the frames after them, an unknown reader refused, a re-sent swipe stored once.
 */
class CardReaderIT {

    @TempDir
    Path dir;

    private static boolean await(LongSupplier value, long expected, int seconds) throws Exception {
        return GatewayFixture.eventually(seconds, () -> value.getAsLong() >= expected);
    }

    @Test
    void swipesAreStoredWithPseudonymsAndBadInputIsSkipped() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir)) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", gw.cardPort());
            try (CardReader gate = new CardReader("card-gate-east-1", at, Loopback.device(Loopback.CARD_READERS, 0))
                    .withSecret(gw.deviceKeys().secret("card-gate-east-1"));
                 CardReader canteen = new CardReader("card-canteen-1", at, Loopback.device(Loopback.CARD_READERS, 1))
                         .withSecret(gw.deviceKeys().secret("card-canteen-1"));
                 CardReader stranger = new CardReader("card-not-in-inventory", at, Loopback.device(Loopback.CARD_READERS, 2))) {
                gate.connect();
                canteen.connect();
                stranger.connect();
                long t = 1_763_800_000_000L;
                for (int i = 0; i < 150; i++) { // a morning rush in one burst: within the reader's frame allowance (200)
                    gate.swipe(String.format("31012%05d", i), 'I', i % 50 != 0, t + i * 1000L);
                }
                canteen.swipe("3101299999", '-', true, t);
                assertTrue(await(gate::acknowledged, 150, 20), "acknowledged " + gate.acknowledged());
                assertTrue(await(canteen::acknowledged, 1, 10));

                // garbage, a frame with a flipped bit, a half frame: each skipped, the swipe after them stored
                byte[] damaged = ReaderWire.frame(ReaderWire.swipe("card-canteen-1", 1, "3101200001", '-', true, t));
                damaged[12] ^= 0x01; // (a CRC failure is found before the MAC is looked at)
                byte[] half = ReaderWire.frame(ReaderWire.swipe("card-canteen-1", 2, "3101200002", '-', true, t));
                canteen.raw("\u0000\u00ffGET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                canteen.raw(damaged);
                canteen.raw(java.util.Arrays.copyOf(half, half.length / 2));
                canteen.swipe("3101200003", '-', true, t + 5_000);
                assertTrue(await(canteen::acknowledged, 2, 10), "the swipe after the damage was lost");
                assertTrue(canteen.naks("FORMAT") >= 2, "damaged frames were not NAKed: " + canteen.naks("FORMAT"));

                stranger.swipe("3101200004", 'I', true, t);
                assertTrue(await(() -> stranger.naks("READER"), 1, 10), "an unknown reader was not refused");

                // a reader that lost its connection before the ACK sends the swipe again (a new frame, same sequence): stored once
                gate.resend(ReaderWire.swipe("card-gate-east-1", 7, "3101200007", 'I', true, t + 7000));
                // frames of a connection are stored in order: the next swipe's ACK means the duplicate is through
                gate.swipe("3101200300", 'O', true, t + 300_000);
                assertTrue(await(gate::acknowledged, 151, 10));
            }

            List<String> counts = GatewayFixture.rows(gw.storePath(),
                    "SELECT kind, count(*) FROM events WHERE kind GLOB 'card.*' GROUP BY kind ORDER BY kind");
            assertEquals(List.of("card.denied|3", "card.swipe|150"), counts);
            List<String> gateRows = GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.card'),"
                    + " json_extract(attributes, '$.direction'), building FROM event_log WHERE device_id = 'card-gate-east-1'"
                    + " AND json_extract(attributes, '$.seq') = '7'");
            assertEquals(1, gateRows.size(), "the re-sent swipe is stored once");
            assertTrue(gateRows.get(0).matches("[0-9a-f]{32}\\|in\\|东门 East Gate"), gateRows.get(0));

            // the data-protection officer: one card's swipes exported, then erased, by the number printed on it
            org.campusedge.simulators.gateway.ConsoleClient dpo = org.campusedge.simulators.gateway.ConsoleClient.admin(gw);
            var export = dpo.send("/api/subject/export", "card=3101200000&reference=DPO-2026-017");
            assertEquals(200, export.statusCode(), export.body());
            assertTrue(export.body().contains("\"events\":1") && export.body().contains("\"kind\":\"card.denied\""), export.body());
            var other = dpo.send("/api/subject/export", "card=3101200001&reference=DPO-2026-017");
            assertTrue(other.body().contains("\"events\":1") && other.body().contains("\"kind\":\"card.swipe\""), other.body());
            var notACard = dpo.send("/api/subject/export", "card=3101-20O0&reference=x");
            assertEquals(400, notACard.statusCode());
            assertFalse(notACard.body().contains("3101-20O0"), "what was typed is not echoed");
            assertEquals(400, dpo.send("/api/subject/export", "card=3101200000").statusCode(), "no reference, no export");
            var unconfirmed = dpo.send("/api/subject/erase", "card=3101200000&reference=DPO-2026-018");
            assertEquals(400, unconfirmed.statusCode(), unconfirmed.body());
            var erased = dpo.send("/api/subject/erase", "card=3101200000&reference=DPO-2026-018&confirm=ERASE");
            assertEquals(200, erased.statusCode(), erased.body());
            assertTrue(erased.body().contains("\"erased\":1"), erased.body());
            assertTrue(dpo.send("/api/subject/export", "card=3101200000&reference=DPO-2026-019").body().contains("\"events\":0"));
            assertEquals(List.of("card.denied|2", "card.swipe|150"), GatewayFixture.rows(gw.storePath(),
                    "SELECT kind, count(*) FROM events WHERE kind GLOB 'card.*' GROUP BY kind ORDER BY kind"), "only that card's");
            assertTrue(GatewayFixture.eventually(10, () -> GatewayFixture.rows(gw.storePath(), "SELECT kind || ' ' ||"
                    + " json_extract(attributes, '$.reference') || ' ' || json_extract(attributes, '$.events') FROM events WHERE kind GLOB"
                    + " 'audit.subject-*' ORDER BY occurred_at, id").equals(List.of("audit.subject-export DPO-2026-017 1",
                    "audit.subject-export DPO-2026-017 1", "audit.subject-erasure DPO-2026-018 1", "audit.subject-export DPO-2026-019 0"))),
                    "each request audited with its reference and count");

            // the clear card numbers are nowhere: not in the database file, not in the log, not in the audit
            byte[] db = Files.readAllBytes(gw.storePath());
            Path wal = Path.of(gw.storePath() + "-wal");
            String everything = new String(db, StandardCharsets.ISO_8859_1) + gw.console()
                    + (Files.exists(wal) ? new String(Files.readAllBytes(wal), StandardCharsets.ISO_8859_1) : "");
            for (String number : List.of("3101200000", "3101200001", "3101200149", "3101299999", "3101200003")) {
                assertFalse(everything.contains(number), "card number " + number + " stored or logged in clear");
            }
        }
    }

    /**
     * The card port on a hostile network: idle sockets that never name a reader are closed, one
     * address gets four connections (the fifth hears NAK BUSY), a source that sends only garbage is
     * ignored, and frames in another reader's name on an attacker's connection never close the real
     * reader's connection — the real reader keeps swiping throughout.
     */
    @Test
    void idleSocketsGarbageAndImpostorsNeverShutARealReaderOut() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir, "camel.cardIdentifySeconds=2", "camel.penaltyRejections=20")) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", gw.cardPort());
            java.net.InetAddress attacker = java.net.InetAddress.getByName("127.0.9.1");
            try (CardReader gate = new CardReader("card-gate-east-1", at, Loopback.device(Loopback.CARD_READERS, 0))
                    .withSecret(gw.deviceKeys().secret("card-gate-east-1"))) {
                gate.connect();
                long t = 1_763_900_000_000L;
                gate.swipe("3101200001", 'I', true, t);
                assertTrue(await(gate::acknowledged, 1, 10));

                // five idle connections from one address: the fifth is refused with NAK BUSY; the four are closed after 2 s
                List<java.net.Socket> idle = new java.util.ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    java.net.Socket s = new java.net.Socket();
                    s.bind(new InetSocketAddress(attacker, 0));
                    s.connect(at, 2000);
                    s.setSoTimeout(8000);
                    idle.add(s);
                }
                long t0 = System.nanoTime();
                int busy = 0;
                for (java.net.Socket s : idle) {
                    String answer = ReaderWire.readAnswer(s.getInputStream());
                    if ("N|-|BUSY".equals(answer)) {
                        busy++;
                    } else {
                        assertEquals(null, answer, "an idle socket got an answer");
                    }
                    s.close();
                }
                assertEquals(1, busy, "connections beyond four from one address");
                long closedAfter = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(closedAfter < 7_000, "idle sockets were held " + closedAfter + " ms");

                // an impostor: a keep-alive in the gate reader's name on another connection gets a challenge it cannot meet;
                // its swipes are refused and the real reader's connection is untouched
                try (java.net.Socket impostor = new java.net.Socket()) {
                    impostor.bind(new InetSocketAddress(java.net.InetAddress.getByName("127.0.9.2"), 0));
                    impostor.connect(at, 2000);
                    impostor.setSoTimeout(5000);
                    impostor.getOutputStream().write(ReaderWire.frame(ReaderWire.keepAlive("card-gate-east-1")));
                    assertTrue(ReaderWire.readAnswer(impostor.getInputStream()).startsWith("C|card-gate-east-1|"));
                    impostor.getOutputStream().write(ReaderWire.frame(ReaderWire.swipe("card-gate-east-1", 90, "3101200090", 'I', true, t)));
                    assertEquals("N|90|AUTH", ReaderWire.readAnswer(impostor.getInputStream()));
                    gate.swipe("3101200002", 'I', true, t + 1000);
                    assertTrue(await(gate::acknowledged, 2, 10), "the real reader's connection was knocked off");
                    assertTrue(gate.connected());
                    assertEquals(1, gate.connects(), "the real reader had to reconnect");
                }

                // garbage from one source: after 20 bad frames within 10 s it is in its penalty, its connection is closed
                // and a new one is refused
                java.net.InetAddress noisyAddress = java.net.InetAddress.getByName("127.0.9.3");
                try (java.net.Socket noisy = new java.net.Socket()) {
                    noisy.bind(new InetSocketAddress(noisyAddress, 0));
                    noisy.connect(at, 2000);
                    noisy.setSoTimeout(6000);
                    java.io.ByteArrayOutputStream garbage = new java.io.ByteArrayOutputStream();
                    for (int i = 0; i < 40; i++) {
                        byte[] junk = ReaderWire.frame("1|x|" + i);
                        junk[5] ^= 0x55; // a CRC that fails
                        garbage.writeBytes(junk);
                    }
                    // in one write: the gateway may close the connection before a frame-by-frame writer is done (broken pipe)
                    noisy.getOutputStream().write(garbage.toByteArray());
                    java.io.InputStream in = noisy.getInputStream();
                    int naks = 0;
                    String answer;
                    while ((answer = ReaderWire.readAnswer(in)) != null) { // to the end of the stream: the gateway closes it
                        naks += answer.endsWith("FORMAT") ? 1 : 0;
                    }
                    // each answered FORMAT until the penalty (the 20th) closes the connection
                    assertTrue(naks >= 10 && naks <= 20, "damaged frames answered: " + naks);
                }
                try (java.net.Socket again = new java.net.Socket()) {
                    again.bind(new InetSocketAddress(noisyAddress, 0));
                    again.connect(at, 2000);
                    again.setSoTimeout(5000);
                    assertEquals("N|-|BUSY", ReaderWire.readAnswer(again.getInputStream()), "a source in its penalty got a connection");
                }
                gate.swipe("3101200003", 'I', true, t + 2000);
                assertTrue(await(gate::acknowledged, 3, 10), "the real reader stopped being served");
            }
        }
    }

    /** One version 2 conversation on a socket of the test's own, as a reader's firmware would hold it. */
    private static final class Wire implements AutoCloseable {
        final java.net.Socket socket = new java.net.Socket();
        final java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
        String challenge;
        long counter;

        Wire(InetSocketAddress at, String from) throws Exception {
            socket.bind(new InetSocketAddress(java.net.InetAddress.getByName(from), 0));
            socket.connect(at, 2000);
            socket.setSoTimeout(5000);
        }

        /** Names the reader and returns the gateway's first answer (the challenge, for a reader with a key). */
        String hello(String reader) throws Exception {
            String answer = send(ReaderWire.keepAlive(reader));
            if (answer != null && answer.startsWith("C|")) {
                challenge = answer.substring(answer.lastIndexOf('|') + 1);
            }
            return answer;
        }

        String signed(String payload, String key) throws Exception {
            return send(ReaderWire.signed(payload, ++counter, challenge, key.getBytes(StandardCharsets.US_ASCII)));
        }

        String send(String payload) throws Exception {
            return raw(ReaderWire.frame(payload));
        }

        String raw(byte[] frame) throws Exception {
            sent.writeBytes(frame);
            socket.getOutputStream().write(frame);
            return ReaderWire.readAnswer(socket.getInputStream());
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    /**
     * Readers with keys (frame version 2): the right key's swipes are ACKed with the gateway's MAC and
     * stored; no MAC, a wrong key, another reader's key, a session recorded and played back on a new
     * connection, and a frame sent twice on its own connection are each refused, counted and store
     * nothing — while the gate reader keeps swiping. A key rotated with the command line drops the
     * reader's connection at once; the old key gets nowhere, the new one works, without a restart.
     */
    @Test
    void keyedReadersProveEveryFrameAndNothingRecordedCanBeReplayed() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir, "health.checkIntervalSeconds=1")) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", gw.cardPort());
            String gateKey = gw.deviceKeys().secret("card-gate-east-1");
            String canteenKey = gw.deviceKeys().secret("card-canteen-1");
            long t = 1_764_100_000_000L;
            try (CardReader gate = new CardReader("card-gate-east-1", at, Loopback.device(Loopback.CARD_READERS, 0)).withSecret(gateKey)) {
                gate.connect();
                gate.swipe("3101200001", 'I', true, t);
                assertTrue(await(gate::acknowledged, 1, 10), "the keyed reader's swipe was not ACKed");
                assertEquals(0, gate.forgedAnswers(), "an ACK without the gateway's MAC");

                // the canteen reader, by the test's hand: a whole proven session, recorded
                Wire canteen = new Wire(at, "127.0.9.10");
                assertTrue(canteen.hello("card-canteen-1").startsWith("C|card-canteen-1|"));
                String ack = canteen.signed(ReaderWire.keepAlive("card-canteen-1"), canteenKey);
                assertTrue(ReaderWire.answeredByGateway(ack, canteen.challenge, canteenKey.getBytes(StandardCharsets.US_ASCII)), ack);
                String swipe = ReaderWire.swipe("card-canteen-1", 1, "3101200101", '-', true, t);
                String swipeAck = canteen.signed(swipe, canteenKey);
                assertTrue(swipeAck.startsWith("A|1|"), swipeAck);
                assertTrue(ReaderWire.answeredByGateway(swipeAck, canteen.challenge, canteenKey.getBytes(StandardCharsets.US_ASCII)));
                byte[] recorded = canteen.sent.toByteArray();
                // the same frame again on its own connection: the counter is spent
                byte[] last = ReaderWire.frame(ReaderWire.signed(swipe, canteen.counter, canteen.challenge,
                        canteenKey.getBytes(StandardCharsets.US_ASCII)));
                assertTrue(canteen.raw(last).startsWith("N|1|REPLAY|"), "a frame sent twice on one connection was taken");
                canteen.close();

                // the recording played back on a new connection: a new challenge, so every MAC in it is wrong
                try (Wire replay = new Wire(at, "127.0.9.11")) {
                    replay.socket.getOutputStream().write(recorded);
                    List<String> answers = new java.util.ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        answers.add(ReaderWire.readAnswer(replay.socket.getInputStream()));
                    }
                    assertTrue(answers.get(0).startsWith("C|card-canteen-1|"), answers.toString());
                    assertEquals(List.of("N|1|AUTH", "N|1|AUTH"), answers.subList(1, 3), "the replayed session was taken");
                }
                // no MAC at all (version 1), a wrong key, another reader's key
                try (Wire forger = new Wire(at, "127.0.9.12")) {
                    forger.hello("card-canteen-1");
                    assertEquals("N|2|AUTH", forger.send(ReaderWire.swipe("card-canteen-1", 2, "3101200102", '-', true, t)));
                    assertEquals("N|3|AUTH", forger.signed(ReaderWire.swipe("card-canteen-1", 3, "3101200103", '-', true, t),
                            "AAAAAAAAAAAAAAAAAAAAAAAA"));
                    assertEquals("N|4|AUTH", forger.signed(ReaderWire.swipe("card-canteen-1", 4, "3101200104", '-', true, t), gateKey));
                }
                gate.swipe("3101200002", 'I', true, t + 1000);
                assertTrue(await(gate::acknowledged, 2, 10), "the gate reader stopped being served");
                assertEquals(List.of("1"), GatewayFixture.rows(gw.storePath(),
                        "SELECT count(*) FROM event_log WHERE device_id = 'card-canteen-1' AND kind GLOB 'card.*'"), "a refused frame was stored");
                assertTrue(GatewayFixture.eventually(10, () -> Long.parseLong(GatewayFixture.deviceReport(gw)
                        .getOrDefault("card-canteen-1", java.util.Map.of()).getOrDefault("rejected", "0")) >= 6), "the refusals were not counted: " + GatewayFixture.deviceReport(gw)
                        .get("card-canteen-1"));

                // the admin rotates the gate reader's key: its connection is dropped, the old key is refused
                GatewayFixture.credentials(gw, "rotate", "card-gate-east-1");
                assertTrue(GatewayFixture.eventually(15, () -> !gate.connected()), "the rotated reader's connection stayed open");
                String rotated = gw.deviceKeys().secret("card-gate-east-1");
                try (Wire old = new Wire(at, "127.0.9.13")) {
                    old.hello("card-gate-east-1");
                    assertEquals("N|5|AUTH", old.signed(ReaderWire.swipe("card-gate-east-1", 5, "3101200005", 'I', true, t), gateKey));
                }
                gate.withSecret(rotated);
                gate.connect();
                gate.swipe("3101200003", 'I', true, t + 2000);
                assertTrue(await(gate::acknowledged, 3, 10), "the new key was not taken");
            }
            // nothing in any refused frame was stored
            assertEquals(List.of("3"), GatewayFixture.rows(gw.storePath(),
                    "SELECT count(*) FROM event_log WHERE device_id = 'card-gate-east-1' AND kind GLOB 'card.*'"));
        }
    }
}
