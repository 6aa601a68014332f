package org.campusedge.camel.card;

import java.nio.charset.StandardCharsets;

/**
 * The one-card reader frame of device-profiles/frames/card-reader-frame.md:
 * {@code STX | LENGTH (2 B) | PAYLOAD | CRC-16/CCITT-FALSE (2 B) | ETX}.
 */
public final class CardFrames {

    public static final byte STX = 0x02;
    public static final byte ETX = 0x03;
    public static final int MAX_PAYLOAD = 512;
    /** Bytes around the payload: STX, length, CRC, ETX. */
    public static final int OVERHEAD = 6;

    private CardFrames() {
    }

    /** CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR. */
    public static int crc16(byte[] data, int offset, int length) {
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= (data[i] & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }
        return crc;
    }

    /** A whole frame around an ASCII payload. */
    public static byte[] encode(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        if (p.length == 0 || p.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + p.length + " bytes; 1 to " + MAX_PAYLOAD + " allowed");
        }
        byte[] f = new byte[p.length + OVERHEAD];
        f[0] = STX;
        f[1] = (byte) (p.length >>> 8);
        f[2] = (byte) p.length;
        System.arraycopy(p, 0, f, 3, p.length);
        int crc = crc16(f, 1, p.length + 2);
        f[3 + p.length] = (byte) (crc >>> 8);
        f[4 + p.length] = (byte) crc;
        f[5 + p.length] = ETX;
        return f;
    }

    public static byte[] nak(String seq, String code) {
        return encode("N|" + seq + "|" + code);
    }
}
