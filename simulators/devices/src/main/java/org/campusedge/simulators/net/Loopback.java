package org.campusedge.simulators.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Loopback addresses of their own for simulated devices, as each device on a school LAN has its own
 * address: Linux routes all of 127.0.0.0/8 to the loopback interface, so a device can send from
 * 127.B.x.y to the gateway on 127.0.0.1 with no setup. Blocks keep the families apart (the gateway's
 * per-source limits then apply per device, as in a school); attackers of the siege use 127.0.N.x.
 */
public final class Loopback {

    /** Blocks (second octet) per family of simulated devices. */
    public static final int CAMERAS = 10;
    public static final int CARD_READERS = 11;
    public static final int LAB_SENSORS = 12;
    public static final int LOAD_GENERATOR = 13;

    private Loopback() {
    }

    /** The address of device number {@code index} (from 0) in a block: 127.block.(index / 250).(index % 250 + 1). */
    public static InetAddress device(int block, int index) {
        if (index < 0 || index >= 250 * 256) {
            throw new IllegalArgumentException("device index " + index + " out of range");
        }
        try {
            return InetAddress.getByAddress(new byte[] {127, (byte) block, (byte) (index / 250), (byte) (index % 250 + 1)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
