package org.campusedge.camel.card;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a reader's TCP byte stream into frames. Bytes before an STX are skipped; a frame whose
 * length is out of range, whose CRC does not match or that lacks its ETX is reported as damaged and
 * the search for the next STX starts at the byte after its STX, so the frames behind a damaged one
 * are still found. A frame cut in two by TCP waits for its second half. Holds at most one frame's
 * worth of bytes, whatever is thrown at it. One decoder per connection, one thread.
 */
public final class CardFrameDecoder {

    /** What the decoder found: a payload, or a damaged frame with the reason. */
    public sealed interface Result permits Payload, Damaged {
    }

    public record Payload(String text) implements Result {
    }

    public record Damaged(String reason) implements Result {
    }

    private byte[] buf = new byte[CardFrames.MAX_PAYLOAD + CardFrames.OVERHEAD];
    private int len;

    /** Feeds received bytes; returns the frames (and damaged frames) completed by them, in order. */
    public List<Result> feed(byte[] data, int offset, int count) {
        List<Result> out = new ArrayList<>();
        int i = offset;
        int end = offset + count;
        while (i < end) {
            int n = Math.min(buf.length - len, end - i);
            System.arraycopy(data, i, buf, len, n);
            len += n;
            i += n;
            drain(out);
        }
        return out;
    }

    private void drain(List<Result> out) {
        int pos = 0;
        while (true) {
            while (pos < len && buf[pos] != CardFrames.STX) {
                pos++; // noise between frames
            }
            if (len - pos < 3) {
                break;
            }
            int payload = ((buf[pos + 1] & 0xFF) << 8) | (buf[pos + 2] & 0xFF);
            if (payload < 1 || payload > CardFrames.MAX_PAYLOAD) {
                out.add(new Damaged("frame length " + payload + " is out of range"));
                pos++;
                continue;
            }
            int total = payload + CardFrames.OVERHEAD;
            if (len - pos < total) {
                // the rest may still be on its way, or this STX was noise: if a whole valid frame
                // already follows it, it was noise, and that frame must not wait behind it
                int next = nextValidFrame(pos + 1);
                if (next < 0) {
                    break;
                }
                out.add(new Damaged("frame cut short by the next frame"));
                pos = next;
                continue;
            }
            int crc = ((buf[pos + 3 + payload] & 0xFF) << 8) | (buf[pos + 4 + payload] & 0xFF);
            if (buf[pos + total - 1] != CardFrames.ETX) {
                out.add(new Damaged("frame does not end in ETX"));
                pos++;
                continue;
            }
            if (crc != CardFrames.crc16(buf, pos + 1, payload + 2)) {
                out.add(new Damaged("CRC mismatch"));
                pos++;
                continue;
            }
            out.add(new Payload(new String(buf, pos + 3, payload, StandardCharsets.US_ASCII)));
            pos += total;
        }
        System.arraycopy(buf, pos, buf, 0, len - pos);
        len -= pos;
        if (len == buf.length) { // cannot happen with a valid length, but never let the buffer jam
            len = 0;
        }
    }

    /** Where the first complete, valid frame at or after {@code from} starts, or -1. */
    private int nextValidFrame(int from) {
        for (int q = from; q + CardFrames.OVERHEAD < len; q++) {
            if (buf[q] != CardFrames.STX) {
                continue;
            }
            int payload = ((buf[q + 1] & 0xFF) << 8) | (buf[q + 2] & 0xFF);
            int total = payload + CardFrames.OVERHEAD;
            if (payload >= 1 && payload <= CardFrames.MAX_PAYLOAD && len - q >= total
                    && buf[q + total - 1] == CardFrames.ETX
                    && (((buf[q + 3 + payload] & 0xFF) << 8) | (buf[q + 4 + payload] & 0xFF))
                            == CardFrames.crc16(buf, q + 1, payload + 2)) {
                return q;
            }
        }
        return -1;
    }

    /** Bytes held back waiting for the rest of a frame. */
    int pending() {
        return len;
    }

    @Override
    public String toString() {
        return "CardFrameDecoder" + Arrays.toString(Arrays.copyOf(buf, Math.min(len, 16)));
    }
}
