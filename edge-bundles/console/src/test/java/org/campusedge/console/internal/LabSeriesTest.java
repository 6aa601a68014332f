package org.campusedge.console.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lab charts' series are squeezed into time buckets in constant memory, whatever the number of
 * readings; a recording's CSV cannot smuggle a formula into the teacher's spreadsheet.
 */
class LabSeriesTest {

    @Test
    void fewReadingsAreKeptAsTheyAreInTimeOrder() {
        LabRecordings.Buckets b = new LabRecordings.Buckets(0, 45 * 60_000, 900);
        b.add(20_000, 3); // buckets of 3 s: three readings 9 s and more apart stay three
        b.add(1000, 1);
        b.add(10_000, 2);
        List<double[]> out = b.pairs();
        assertEquals(3, out.size());
        assertArrayEquals(new double[] {1000, 1}, out.get(0));
        assertArrayEquals(new double[] {20_000, 3}, out.get(2));
    }

    @Test
    void fortyFiveMinutesAtOneReadingASecondBecomeNineHundredMeansOfThreeSeconds() {
        LabRecordings.Buckets b = new LabRecordings.Buckets(0, 2_699_999, 900);
        for (int i = 2699; i >= 0; i--) { // arriving in any order
            b.add(i * 1000L, i % 2 == 0 ? 20 : 22);
        }
        List<double[]> out = b.pairs();
        assertEquals(900, out.size());
        assertArrayEquals(new double[] {1000, 62 / 3.0}, out.get(0), 1e-9); // 20, 22, 20 at 0, 1, 2 s
        assertArrayEquals(new double[] {4000, 64 / 3.0}, out.get(1), 1e-9); // 22, 20, 22 at 3, 4, 5 s
        for (int i = 1; i < out.size(); i++) {
            assertEquals(3000, out.get(i)[0] - out.get(i - 1)[0], 1e-9);
        }
    }

    @Test
    void aReadingOutsideTheSpanLandsInTheNearestBucketRatherThanFailing() {
        LabRecordings.Buckets b = new LabRecordings.Buckets(1000, 2000, 10);
        b.add(-5, 1);
        b.add(99_999, 2);
        assertEquals(List.of(-5.0, 99_999.0), b.pairs().stream().map(p -> p[0]).toList());
    }

    @Test
    void aCsvTextIsQuotedAndAFormulaIsDefused() {
        assertEquals("\"lab-bio-1-s1\"", LabRecordings.csvText("lab-bio-1-s1"));
        assertEquals("\"'=HYPERLINK(\"\"http://x\"\")\"", LabRecordings.csvText("=HYPERLINK(\"http://x\")"));
        assertEquals("\"'+1\"", LabRecordings.csvText("+1"));
        assertEquals("\"'@SUM(A1)\"", LabRecordings.csvText("@SUM(A1)"));
        assertEquals("\"'-2\"", LabRecordings.csvText("-2"));
        assertEquals("\"°C\"", LabRecordings.csvText("°C"));
        assertEquals("", LabRecordings.csvText(null));
    }
}
