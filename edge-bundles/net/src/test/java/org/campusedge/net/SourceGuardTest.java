package org.campusedge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One source's excess is its own: rates, connections and penalties per address, and a bounded table. */
class SourceGuardTest {

    private static InetAddress ip(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last});
    }

    @Test
    void aFloodingSourceIsLimitedAndTheOthersAreNot() throws Exception {
        SourceGuard g = new SourceGuard("test", new SourceGuard.Limits(10, 20, 4, 100, 0, 30, 100));
        int admitted = 0;
        for (int i = 0; i < 1000; i++) {
            admitted += g.admit(ip(1)) ? 1 : 0;
        }
        assertTrue(admitted >= 20 && admitted <= 25, "the burst and a little refill, got " + admitted);
        assertTrue(g.admit(ip(2)), "another source paid for the first one's flood");
        assertEquals(1000 - admitted, g.offenders(10).get(0).limited());
        assertEquals("10.0.0.1", g.offenders(10).get(0).source());
    }

    @Test
    void connectionsAreCappedPerSourceAndInAll() throws Exception {
        SourceGuard g = new SourceGuard("test", new SourceGuard.Limits(100, 100, 2, 3, 0, 30, 100));
        SourceGuard.Slot first = g.opened(ip(1));
        assertNotNull(first);
        assertNotNull(g.opened(ip(1)));
        assertNull(g.opened(ip(1)), "a third connection from one source");
        assertNotNull(g.opened(ip(2)));
        assertNull(g.opened(ip(3)), "a fourth connection in all");
        first.close();
        first.close(); // closing twice gives back one slot
        assertNotNull(g.opened(ip(3)), "a slot freed by a close is taken again");
        assertEquals(3, g.openConnections());
        assertEquals(2, g.connectionsRefused());
    }

    @Test
    void slotsBalanceWhenTheTableOverflowsAndEmpties() throws Exception {
        SourceGuard g = new SourceGuard("test", new SourceGuard.Limits(100, 100, 1000, 1000, 0, 30, 2));
        List<SourceGuard.Slot> slots = new ArrayList<>();
        for (int i = 1; i <= 50; i++) { // two addresses have their own entry, 48 share "other"
            SourceGuard.Slot s = g.opened(ip(i));
            assertNotNull(s);
            slots.add(s);
        }
        assertEquals(50, g.openConnections());
        slots.forEach(SourceGuard.Slot::close);
        assertEquals(0, g.openConnections(), "connections leaked");
        for (int i = 1; i <= 50; i++) { // all of it again: nothing left over from the first round
            slots.set(i - 1, g.opened(ip(i)));
        }
        slots.forEach(SourceGuard.Slot::close);
        assertEquals(0, g.openConnections());
    }

    @Test
    void aSourceThatSendsOnlyGarbageIsIgnoredForItsPenalty() throws Exception {
        SourceGuard g = new SourceGuard("test", new SourceGuard.Limits(1000, 1000, 4, 100, 5, 30, 100));
        for (int i = 0; i < 4; i++) {
            g.rejected(ip(1));
        }
        assertTrue(g.admit(ip(1)), "four bad messages are not yet a penalty");
        g.rejected(ip(1));
        assertTrue(g.inPenalty(ip(1)));
        assertFalse(g.admit(ip(1)));
        assertNull(g.opened(ip(1)), "no new connection during the penalty");
        assertTrue(g.admit(ip(2)));
        assertTrue(g.offenders(10).get(0).inPenalty());
    }

    @Test
    void anAcceptedSourceIsNotPutInItsPenaltyByGarbageInItsName() throws Exception {
        SourceGuard g = new SourceGuard("test", new SourceGuard.Limits(1000, 1000, 4, 100, 5, 30, 100));
        g.accepted(ip(7)); // a lab kit that was just answered 2.04
        for (int i = 0; i < 50; i++) {
            g.rejected(ip(7)); // forged garbage in its name (UDP)
        }
        assertFalse(g.inPenalty(ip(7)), "forged garbage silenced a device that works");
        assertTrue(g.admit(ip(7), false));
    }

    @Test
    void beyondItsTableNewcomersShareOneEntryAndTheKnownKeepTheirs() throws Exception {
        SourceGuard g = new SourceGuard("test", new SourceGuard.Limits(1, 5, 4, 1000, 0, 30, 3));
        for (int i = 1; i <= 3; i++) {
            assertTrue(g.admit(ip(i)));
        }
        // a spoofing flood of new addresses: together they get one source's allowance
        int admitted = 0;
        for (int i = 10; i < 200; i++) {
            admitted += g.admit(ip(i)) ? 1 : 0;
        }
        assertTrue(admitted <= 6, "new addresses beyond the table got " + admitted);
        assertTrue(g.admit(ip(1)), "a known source lost its own allowance to the newcomers");
        assertTrue(g.offenders(10).stream().anyMatch(c -> c.source().equals("other")));
    }
}
