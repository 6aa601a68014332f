package org.campusedge.console.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lab charts' series are thinned to what a chart can show, by averaging runs of readings, in time order. */
class LabSeriesTest {

    @Test
    void aShortSeriesIsKeptAsItIsInTimeOrder() {
        List<double[]> pairs = new ArrayList<>(List.of(new double[] {3000, 3}, new double[] {1000, 1}, new double[] {2000, 2}));
        List<double[]> out = LabRecordings.thin(pairs, 10);
        assertSame(pairs, out);
        assertArrayEquals(new double[] {1000, 1}, out.get(0));
        assertArrayEquals(new double[] {3000, 3}, out.get(2));
    }

    @Test
    void aLongSeriesBecomesTheMeansOfRunsOfConsecutiveReadings() {
        List<double[]> pairs = new ArrayList<>();
        for (int i = 2699; i >= 0; i--) { // 45 minutes at one reading a second, arriving newest first
            pairs.add(new double[] {i * 1000.0, i % 2 == 0 ? 20 : 22});
        }
        List<double[]> out = LabRecordings.thin(pairs, LabRecordings.MAX_PER_SERIES);
        assertEquals(900, out.size()); // runs of 3
        assertArrayEquals(new double[] {1000, 62 / 3.0}, out.get(0), 1e-9); // 20, 22, 20 at 0, 1, 2 s
        assertArrayEquals(new double[] {4000, 64 / 3.0}, out.get(1), 1e-9); // 22, 20, 22 at 3, 4, 5 s
        for (int i = 1; i < out.size(); i++) {
            assertEquals(3000, out.get(i)[0] - out.get(i - 1)[0], 1e-9);
        }
    }

    @Test
    void aRunThatDoesNotDivideEvenlyEndsWithAShorterOne() {
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            pairs.add(new double[] {i, i});
        }
        List<double[]> out = LabRecordings.thin(pairs, 5); // runs of 3: 0-2, 3-5, 6-8, 9-10
        assertEquals(4, out.size());
        assertArrayEquals(new double[] {10, 9.5}, out.get(3), 1e-9); // round(9.5) = 10 ms
    }
}
