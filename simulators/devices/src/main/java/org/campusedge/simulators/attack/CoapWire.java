package org.campusedge.simulators.attack;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * CoAP messages (RFC 7252, Block1 of RFC 7959) put together byte by byte, the way a hostile peer
 * would: no client library in between that might refuse to send them or keep state for them.
 */
public final class CoapWire {

    /** CoAP method codes. */
    public static final int POST = 2;
    /** Type: confirmable, non-confirmable. */
    public static final int CON = 0;
    public static final int NON = 1;

    private static final int URI_PATH = 11;
    private static final int CONTENT_FORMAT = 12;
    private static final int BLOCK1 = 27;

    private CoapWire() {
    }

    /**
     * A request message.
     *
     * @param block1 the Block1 option's value (NUM << 4 | M << 3 | SZX), or -1 for none
     */
    public static byte[] request(int type, int code, int messageId, byte[] token, String path, int contentFormat, int block1,
                                 byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + (payload == null ? 0 : payload.length));
        out.write(0x40 | (type << 4) | token.length);
        out.write(code);
        out.write(messageId >> 8 & 0xFF);
        out.write(messageId & 0xFF);
        out.writeBytes(token);
        int last = 0;
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                last = option(out, last, URI_PATH, segment.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (contentFormat >= 0) {
            last = option(out, last, CONTENT_FORMAT, uint(contentFormat));
        }
        if (block1 >= 0) {
            last = option(out, last, BLOCK1, uint(block1));
        }
        if (payload != null && payload.length > 0) {
            out.write(0xFF);
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    /** The Block1 option value for block {@code num}, more-flag and size exponent (block size 2^(4+szx)). */
    public static int block1(int num, boolean more, int szx) {
        return num << 4 | (more ? 8 : 0) | szx;
    }

    private static int option(ByteArrayOutputStream out, int previous, int number, byte[] value) {
        int delta = number - previous;
        int length = value.length;
        out.write(nibble(delta) << 4 | nibble(length));
        extended(out, delta);
        extended(out, length);
        out.writeBytes(value);
        return number;
    }

    private static int nibble(int v) {
        return v < 13 ? v : v < 269 ? 13 : 14;
    }

    private static void extended(ByteArrayOutputStream out, int v) {
        if (v >= 269) {
            out.write((v - 269) >> 8);
            out.write((v - 269) & 0xFF);
        } else if (v >= 13) {
            out.write(v - 13);
        }
    }

    private static byte[] uint(int v) {
        if (v == 0) {
            return new byte[0];
        }
        if (v < 0x100) {
            return new byte[] {(byte) v};
        }
        if (v < 0x10000) {
            return new byte[] {(byte) (v >> 8), (byte) v};
        }
        return new byte[] {(byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    /** The response code of a CoAP message as "c.dd" (e.g. "2.31", "5.03"), or null when it is not CoAP. */
    public static String responseCode(byte[] datagram, int length) {
        if (length < 4 || (datagram[0] & 0xC0) != 0x40) {
            return null;
        }
        int code = datagram[1] & 0xFF;
        return (code >> 5) + "." + String.format("%02d", code & 0x1F);
    }
}
