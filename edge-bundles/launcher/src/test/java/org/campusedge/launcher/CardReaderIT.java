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
            try (CardReader gate = new CardReader("card-gate-east-1", at);
                 CardReader canteen = new CardReader("card-canteen-1", at);
                 CardReader stranger = new CardReader("card-not-in-inventory", at)) {
                gate.connect();
                canteen.connect();
                stranger.connect();
                long t = 1_763_800_000_000L;
                for (int i = 0; i < 200; i++) {
                    gate.swipe(String.format("31012%05d", i), 'I', i % 50 != 0, t + i * 1000L);
                }
                canteen.swipe("3101299999", '-', true, t);
                assertTrue(await(gate::acknowledged, 200, 20), "acknowledged " + gate.acknowledged());
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
                assertTrue(await(gate::acknowledged, 201, 10));
            }

            List<String> counts = GatewayFixture.rows(gw.storePath(),
                    "SELECT kind, count(*) FROM events WHERE kind GLOB 'card.*' GROUP BY kind ORDER BY kind");
            assertEquals(List.of("card.denied|4", "card.swipe|199"), counts);
            List<String> gateRows = GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.card'),"
                    + " json_extract(attributes, '$.direction'), building FROM event_log WHERE device_id = 'card-gate-east-1'"
                    + " AND json_extract(attributes, '$.seq') = '7'");
            assertEquals(1, gateRows.size(), "the re-sent swipe is stored once");
            assertTrue(gateRows.get(0).matches("[0-9a-f]{32}\\|in\\|东门 East Gate"), gateRows.get(0));

            // the clear card numbers are nowhere: not in the database file, not in the log
            byte[] db = Files.readAllBytes(gw.storePath());
            String everything = new String(db, StandardCharsets.ISO_8859_1) + gw.console();
            for (String number : List.of("3101200000", "3101200199", "3101299999", "3101200003")) {
                assertFalse(everything.contains(number), "card number " + number + " stored or logged in clear");
            }
        }
    }
}
