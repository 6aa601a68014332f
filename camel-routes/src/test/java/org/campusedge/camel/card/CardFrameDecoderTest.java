package org.campusedge.camel.card;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CardFrameDecoderTest {

    private static final String P1 = "1|card-gate-east-1|1047|3101234567|I|G|1763800000123";
    private static final String P2 = "1|card-gate-east-1|1048|3101234568|O|D|1763800001123";

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static List<CardFrameDecoder.Result> decode(byte[] bytes) {
        return new CardFrameDecoder().feed(bytes, 0, bytes.length);
    }

    @Test
    void crcIsCcittFalse() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x29B1, CardFrames.crc16(check, 0, check.length));
    }

    @Test
    void framesRoundTripAndArriveInOrder() {
        assertEquals(List.of(new CardFrameDecoder.Payload(P1), new CardFrameDecoder.Payload(P2)),
                decode(concat(CardFrames.encode(P1), CardFrames.encode(P2))));
    }

    @Test
    void aFrameCutAnywhereByTcpWaitsForItsRest() {
        byte[] both = concat(CardFrames.encode(P1), CardFrames.encode(P2));
        for (int cut = 1; cut < both.length; cut++) {
            CardFrameDecoder d = new CardFrameDecoder();
            List<CardFrameDecoder.Result> got = new ArrayList<>(d.feed(both, 0, cut));
            got.addAll(d.feed(both, cut, both.length - cut));
            assertEquals(List.of(new CardFrameDecoder.Payload(P1), new CardFrameDecoder.Payload(P2)), got, "cut at " + cut);
            assertEquals(0, d.pending());
        }
    }

    @Test
    void aCorruptedFrameIsReportedAndTheNextOneSurvives() {
        byte[] bad = CardFrames.encode(P1);
        bad[10] ^= 0x20; // one flipped bit in the payload
        List<CardFrameDecoder.Result> r = decode(concat(bad, CardFrames.encode(P2)));
        assertInstanceOf(CardFrameDecoder.Damaged.class, r.get(0));
        assertEquals(new CardFrameDecoder.Payload(P2), r.get(r.size() - 1));
        assertEquals(1, r.stream().filter(x -> x instanceof CardFrameDecoder.Payload).count());
    }

    @Test
    void aHalfFrameFollowedByAWholeOneLosesOnlyTheHalf() {
        byte[] whole = CardFrames.encode(P1);
        byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2); // the reader rebooted mid-frame
        List<CardFrameDecoder.Result> r = decode(concat(half, CardFrames.encode(P2)));
        assertEquals(new CardFrameDecoder.Payload(P2), r.get(r.size() - 1));
        assertTrue(r.subList(0, r.size() - 1).stream().allMatch(x -> x instanceof CardFrameDecoder.Damaged), r.toString());
    }

    @Test
    void aStrayStxThatLooksLikeALongFrameDoesNotHoldUpTheFrameBehindIt() {
        byte[] stray = {CardFrames.STX, 0x01, 0x00}; // "a 256-byte frame follows" — it does not
        List<CardFrameDecoder.Result> r = decode(concat(stray, CardFrames.encode(P1)));
        assertEquals(new CardFrameDecoder.Payload(P1), r.get(r.size() - 1), "the good frame waited for bytes that never come");
    }

    @Test
    void garbageLengthsAndMissingEtxAreSkipped() {
        byte[] noEtx = CardFrames.encode(P1);
        noEtx[noEtx.length - 1] = 0x00;
        byte[] hugeLength = {CardFrames.STX, (byte) 0xFF, (byte) 0xFF, 'x'};
        byte[] zeroLength = {CardFrames.STX, 0, 0};
        List<CardFrameDecoder.Result> r = decode(concat("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII),
                hugeLength, zeroLength, noEtx, CardFrames.encode(P2)));
        assertEquals(new CardFrameDecoder.Payload(P2), r.get(r.size() - 1));
        assertEquals(1, r.stream().filter(x -> x instanceof CardFrameDecoder.Payload).count());
        assertTrue(r.stream().anyMatch(x -> x instanceof CardFrameDecoder.Damaged d && d.reason().contains("length")));
        assertTrue(r.stream().anyMatch(x -> x instanceof CardFrameDecoder.Damaged d && d.reason().contains("ETX")));
    }

    @Test
    void megabytesOfRandomBytesNeitherJamNorGrowTheDecoder() {
        CardFrameDecoder d = new CardFrameDecoder();
        Random random = new Random(42);
        byte[] noise = new byte[64 * 1024];
        for (int i = 0; i < 32; i++) {
            random.nextBytes(noise);
            d.feed(noise, 0, noise.length);
            assertTrue(d.pending() <= CardFrames.MAX_PAYLOAD + CardFrames.OVERHEAD);
        }
        // a valid frame after the noise is still found (the noise may leave a partial "frame" that
        // swallows the first one, so send two)
        byte[] two = concat(CardFrames.encode(P1), CardFrames.encode(P2), CardFrames.encode(P2));
        List<CardFrameDecoder.Result> r = d.feed(two, 0, two.length);
        assertTrue(r.contains(new CardFrameDecoder.Payload(P2)), r.toString());
    }
}
