package org.campusedge.simulators.card;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The reader's side of device-profiles/frames/card-reader-frame.md, written from that document
 * (as a reader's firmware would be), not shared with the gateway's decoder: frames out, answers in.
 */
public final class ReaderWire {

    static final int STX = 0x02;
    static final int ETX = 0x03;

    private ReaderWire() {
    }

    static int crc(byte[] b, int off, int len) {
        int crc = 0xFFFF;
        for (int i = off; i < off + len; i++) {
            crc ^= (b[i] & 0xFF) << 8;
            for (int k = 0; k < 8; k++) {
                crc = ((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1) & 0xFFFF;
            }
        }
        return crc;
    }

    /** A frame around a payload. */
    public static byte[] frame(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(p.length + 6);
        out.write(STX);
        out.write(p.length >> 8);
        out.write(p.length & 0xFF);
        out.writeBytes(p);
        byte[] soFar = out.toByteArray();
        int c = crc(soFar, 1, soFar.length - 1);
        out.write(c >> 8);
        out.write(c & 0xFF);
        out.write(ETX);
        return out.toByteArray();
    }

    /** The keep-alive payload a reader sends when it connects and when it has been quiet: {@code K|<reader id>}. */
    public static String keepAlive(String reader) {
        return "K|" + reader;
    }

    /** A swipe's payload. */
    public static String swipe(String reader, long seq, String card, char direction, boolean granted, long millis) {
        return "1|" + reader + "|" + seq + "|" + card + "|" + direction + "|" + (granted ? "G" : "D") + "|" + millis;
    }

    /**
     * A version 2 frame's payload: the version 1 payload with version "2" (or a keep-alive),
     * the frame counter, and the MAC: HMAC-SHA-256 with the reader's key over
     * {@code challenge + "|" + everything before the MAC}, first 16 bytes in lower-case hex.
     */
    public static String signed(String payload, long counter, String challenge, byte[] key) {
        String body = (payload.startsWith("1|") ? "2" + payload.substring(1) : payload) + "|" + counter;
        return body + "|" + mac(key, challenge + "|" + body);
    }

    /** The MAC of the frame document: HMAC-SHA-256, first 16 bytes, lower-case hex. */
    public static String mac(byte[] key, String text) {
        try {
            javax.crypto.Mac m = javax.crypto.Mac.getInstance("HmacSHA256");
            m.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(m.doFinal(text.getBytes(StandardCharsets.US_ASCII)), 0, 16);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether an answer ("A|seq|mac", ...) carries the gateway's MAC for this connection's challenge. */
    public static boolean answeredByGateway(String answer, String challenge, byte[] key) {
        int bar = answer.lastIndexOf('|');
        return bar > 0 && mac(key, challenge + "|" + answer.substring(0, bar)).equals(answer.substring(bar + 1));
    }

    /** Reads the next answer ("A|seq" or "N|seq|code"); null at the end of the stream. Skips anything malformed. */
    public static String readAnswer(InputStream in) throws IOException {
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b != STX) {
                continue;
            }
            int hi = in.read();
            int lo = in.read();
            if (lo < 0) {
                return null;
            }
            int len = (hi << 8) | lo;
            if (len < 1 || len > 512) {
                continue;
            }
            byte[] rest = in.readNBytes(len + 3);
            if (rest.length < len + 3) {
                return null;
            }
            byte[] check = new byte[len + 2];
            check[0] = (byte) hi;
            check[1] = (byte) lo;
            System.arraycopy(rest, 0, check, 2, len);
            int c = ((rest[len] & 0xFF) << 8) | (rest[len + 1] & 0xFF);
            if (rest[len + 2] == ETX && c == crc(check, 0, check.length)) {
                return new String(rest, 0, len, StandardCharsets.US_ASCII);
            }
        }
    }
}
