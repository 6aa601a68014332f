package org.campusedge.launcher;

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
            try (CardReader gate = new CardReader("card-gate-east-1", at, Loopback.device(Loopback.CARD_READERS, 0));
                 CardReader canteen = new CardReader("card-canteen-1", at, Loopback.device(Loopback.CARD_READERS, 1));
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
                damaged[12] ^= 0x01;
                byte[] half = ReaderWire.frame(ReaderWire.swipe("card-canteen-1", 2, "3101200002", '-', true, t));
                canteen.raw("\u0000\u00ffGET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                canteen.raw(damaged);
                canteen.raw(java.util.Arrays.copyOf(half, half.length / 2));
                canteen.swipe("3101200003", '-', true, t + 5_000);
                assertTrue(await(canteen::acknowledged, 2, 10), "the swipe after the damage was lost");
                assertTrue(canteen.naks("FORMAT") >= 2, "damaged frames were not NAKed: " + canteen.naks("FORMAT"));

                stranger.swipe("3101200004", 'I', true, t);
                assertTrue(await(() -> stranger.naks("READER"), 1, 10), "an unknown reader was not refused");

                // a reader that lost its connection before the ACK sends the swipe again: stored once
                gate.raw(ReaderWire.frame(ReaderWire.swipe("card-gate-east-1", 7, "3101200007", 'I', true, t + 7000)));
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

            // the clear card numbers are nowhere: not in the database file, not in the log
            byte[] db = Files.readAllBytes(gw.storePath());
            String everything = new String(db, StandardCharsets.ISO_8859_1) + gw.console();
            for (String number : List.of("3101200000", "3101200149", "3101299999", "3101200003")) {
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
            try (CardReader gate = new CardReader("card-gate-east-1", at, Loopback.device(Loopback.CARD_READERS, 0))) {
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

                // an impostor: a frame in the gate reader's name on another connection is taken as that connection's
                // reader (no credentials yet, issue 11) but does not close the real reader's connection
                try (java.net.Socket impostor = new java.net.Socket()) {
                    impostor.bind(new InetSocketAddress(java.net.InetAddress.getByName("127.0.9.2"), 0));
                    impostor.connect(at, 2000);
                    impostor.setSoTimeout(5000);
                    impostor.getOutputStream().write(ReaderWire.frame(ReaderWire.keepAlive("card-gate-east-1")));
                    assertEquals("A|K", ReaderWire.readAnswer(impostor.getInputStream()));
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
                    for (int i = 0; i < 40; i++) {
                        byte[] junk = ReaderWire.frame("1|x|" + i);
                        junk[5] ^= 0x55; // a CRC that fails
                        noisy.getOutputStream().write(junk);
                    }
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
}
