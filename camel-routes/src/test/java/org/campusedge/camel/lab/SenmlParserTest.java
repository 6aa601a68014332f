package org.campusedge.camel.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.campusedge.api.Measurement;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SenmlParserTest {

    private static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");
    private static final SenmlParser PARSER = new SenmlParser(10_000);

    private static List<Measurement> parse(String json) {
        return PARSER.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    /** Parses a pack that must be refused as MALFORMED; checks the reason is one short line. */
    private static String malformed(String json) {
        RejectedInputException e = assertThrows(RejectedInputException.class, () -> parse(json), json);
        assertEquals(Reason.MALFORMED, e.reason(), e.getMessage());
        assertOneShortLine(e.getMessage());
        return e.getMessage();
    }

    private static void assertOneShortLine(String reason) {
        assertFalse(reason.isBlank(), "reason is blank");
        assertFalse(reason.contains("\n") || reason.contains("\r"), () -> "reason spans lines: " + reason);
        assertTrue(reason.length() <= 160, () -> "reason too long (" + reason.length() + "): " + reason);
    }

    private static Instant epoch(long seconds, long millis) {
        return Instant.ofEpochSecond(seconds).plusMillis(millis);
    }

    private static Measurement num(String name, String unit, double v, Instant t) {
        return Measurement.numeric(name, unit, v, t);
    }

    @Nested
    class RfcExamples {

        @Test
        void singleDatapoint_5_1_1() {
            List<Measurement> ms = parse("[{\"n\":\"urn:dev:ow:10e2073a01080063\",\"u\":\"Cel\",\"v\":23.1}]");
            assertEquals(List.of(num("urn:dev:ow:10e2073a01080063", "Cel", 23.1, NOW)), ms);
        }

        @Test
        void multipleDatapointsNow_5_1_2() {
            List<Measurement> ms = parse("""
                    [
                      {"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},
                      {"n":"current","u":"A","v":1.2}
                    ]""");
            assertEquals(List.of(
                    num("urn:dev:ow:10e2073a01080063:voltage", "V", 120.1, NOW),
                    num("urn:dev:ow:10e2073a01080063:current", "A", 1.2, NOW)), ms);
        }

        @Test
        void multipleDatapointsWithBaseTimeAndUnit_5_1_2() {
            List<Measurement> ms = parse("""
                    [
                      {"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,
                       "bu":"A","bver":5,
                       "n":"voltage","u":"V","v":120.1},
                      {"n":"current","t":-5,"v":1.2},
                      {"n":"current","t":-4,"v":1.3},
                      {"n":"current","t":-3,"v":1.4},
                      {"n":"current","t":-2,"v":1.5},
                      {"n":"current","t":-1,"v":1.6},
                      {"n":"current","v":1.7}
                    ]""");
            String cur = "urn:dev:ow:10e2073a0108006:current";
            assertEquals(List.of(
                    num("urn:dev:ow:10e2073a0108006:voltage", "V", 120.1, epoch(1_276_020_076L, 1)),
                    num(cur, "A", 1.2, epoch(1_276_020_071L, 1)),
                    num(cur, "A", 1.3, epoch(1_276_020_072L, 1)),
                    num(cur, "A", 1.4, epoch(1_276_020_073L, 1)),
                    num(cur, "A", 1.5, epoch(1_276_020_074L, 1)),
                    num(cur, "A", 1.6, epoch(1_276_020_075L, 1)),
                    num(cur, "A", 1.7, epoch(1_276_020_076L, 1))), ms);
        }

        private static final String MULTIPLE_MEASUREMENTS = """
                [
                  {"bn":"urn:dev:ow:10e2073a01080063","bt":1.320067464e+09,
                   "bu":"%RH","v":20},
                  {"u":"lon","v":24.30621},
                  {"u":"lat","v":60.07965},
                  {"t":60,"v":20.3},
                  {"u":"lon","t":60,"v":24.30622},
                  {"u":"lat","t":60,"v":60.07965},
                  {"t":120,"v":20.7},
                  {"u":"lon","t":120,"v":24.30623},
                  {"u":"lat","t":120,"v":60.07966},
                  {"u":"%EL","t":150,"v":98},
                  {"t":180,"v":21.2},
                  {"u":"lon","t":180,"v":24.30628},
                  {"u":"lat","t":180,"v":60.07967}
                ]""";

        private static final String RESOLVED_DATA = """
                [
                  {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067464e+09,"v":20},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067464e+09,"v":24.30621},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067464e+09,"v":60.07965},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067524e+09,"v":20.3},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067524e+09,"v":24.30622},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067524e+09,"v":60.07965},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067584e+09,"v":20.7},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067584e+09,"v":24.30623},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067584e+09,"v":60.07966},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"%EL","t":1.320067614e+09,"v":98},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067644e+09,"v":21.2},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067644e+09,"v":24.30628},
                  {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067644e+09,"v":60.07967}
                ]""";

        private List<Measurement> expectedResolved() {
            String n = "urn:dev:ow:10e2073a01080063";
            Instant t0 = Instant.ofEpochSecond(1_320_067_464L);
            return List.of(
                    num(n, "%RH", 20, t0), num(n, "lon", 24.30621, t0), num(n, "lat", 60.07965, t0),
                    num(n, "%RH", 20.3, t0.plusSeconds(60)), num(n, "lon", 24.30622, t0.plusSeconds(60)),
                    num(n, "lat", 60.07965, t0.plusSeconds(60)),
                    num(n, "%RH", 20.7, t0.plusSeconds(120)), num(n, "lon", 24.30623, t0.plusSeconds(120)),
                    num(n, "lat", 60.07966, t0.plusSeconds(120)),
                    num(n, "%EL", 98, t0.plusSeconds(150)),
                    num(n, "%RH", 21.2, t0.plusSeconds(180)), num(n, "lon", 24.30628, t0.plusSeconds(180)),
                    num(n, "lat", 60.07967, t0.plusSeconds(180)));
        }

        @Test
        void multipleMeasurements_5_1_3_nameFromBaseNameOnly() {
            assertEquals(expectedResolved(), parse(MULTIPLE_MEASUREMENTS));
        }

        @Test
        void resolvedData_5_1_4_equalsResolutionOf_5_1_3() {
            List<Measurement> resolved = parse(RESOLVED_DATA);
            assertEquals(expectedResolved(), resolved);
            assertEquals(parse(MULTIPLE_MEASUREMENTS), resolved);
        }

        @Test
        void multipleDataTypes_5_1_5() {
            List<Measurement> ms = parse("""
                    [
                      {"bn":"urn:dev:ow:10e2073a01080063:","n":"temp","u":"Cel","v":23.1},
                      {"n":"label","vs":"Machine Room"},
                      {"n":"open","vb":false},
                      {"n":"nfc-reader","vd":"aGkgCg"}
                    ]""");
            String bn = "urn:dev:ow:10e2073a01080063:";
            assertEquals(List.of(
                    num(bn + "temp", "Cel", 23.1, NOW),
                    new Measurement(bn + "label", null, null, "Machine Room", null, null, null, NOW),
                    new Measurement(bn + "open", null, null, null, false, null, null, NOW),
                    new Measurement(bn + "nfc-reader", null, null, null, null, "aGkgCg", null, NOW)), ms);
        }

        @Test
        void collectionOfResources_5_1_6_baseNameChangesBaseTimeStays() {
            List<Measurement> ms = parse("""
                    [
                      {"bn":"2001:db8::2/","bt":1.320078429e+09,"n":"temperature","u":"Cel","v":25.2},
                      {"n":"humidity","u":"%RH","v":30},
                      {"bn":"2001:db8::1/","n":"temperature","u":"Cel","v":12.3},
                      {"n":"humidity","u":"%RH","v":67}
                    ]""");
            Instant t = Instant.ofEpochSecond(1_320_078_429L);
            assertEquals(List.of(
                    num("2001:db8::2/temperature", "Cel", 25.2, t),
                    num("2001:db8::2/humidity", "%RH", 30, t),
                    num("2001:db8::1/temperature", "Cel", 12.3, t),
                    num("2001:db8::1/humidity", "%RH", 67, t)), ms);
        }
    }

    @Nested
    class BaseFields {

        @Test
        void allBaseFieldsAppliedAndOverriddenAcrossRecords() {
            List<Measurement> ms = parse("""
                    [
                      {"bn":"lab1/","bt":1700000000,"bu":"Cel","bv":20,"n":"t1","v":1.5},
                      {"n":"t2","t":10,"v":-0.5},
                      {"n":"h","u":"%RH","bv":0,"v":40},
                      {"bn":"lab2/","bu":"W","bt":1700000100,"n":"p","v":3},
                      {"n":"p","t":-100,"v":4},
                      {"bt":0,"bs":1000,"n":"e","u":"Wh","s":100},
                      {"n":"e","s":5,"u":"Wh"},
                      {"bs":0,"bv":-1,"n":"q","v":1}
                    ]""");
            Instant base = Instant.ofEpochSecond(1_700_000_000L);
            assertEquals(List.of(
                    num("lab1/t1", "Cel", 21.5, base),
                    num("lab1/t2", "Cel", 19.5, base.plusSeconds(10)),
                    num("lab1/h", "%RH", 40, base),
                    num("lab2/p", "W", 3, base.plusSeconds(100)),
                    num("lab2/p", "W", 4, base),
                    new Measurement("lab2/e", "Wh", null, null, null, null, 1100.0, NOW),
                    new Measurement("lab2/e", "Wh", null, null, null, null, 1005.0, NOW),
                    new Measurement("lab2/q", "W", 0.0, null, null, null, 0.0, NOW)), ms);
        }

        @Test
        void baseValueIsNotAppliedToStringBooleanOrDataValues() {
            List<Measurement> ms = parse("""
                    [{"bn":"d/","bv":100,"n":"a","vs":"x"},{"n":"b","vb":true},{"n":"c","vd":"AA"},{"n":"d","v":1}]""");
            assertEquals(List.of(
                    new Measurement("d/a", null, null, "x", null, null, null, NOW),
                    new Measurement("d/b", null, null, null, true, null, null, NOW),
                    new Measurement("d/c", null, null, null, null, "AA", null, NOW),
                    num("d/d", null, 101, NOW)), ms);
        }

        @Test
        void baseSumAloneGivesEveryLaterRecordASum() {
            List<Measurement> ms = parse("[{\"bn\":\"m\",\"bs\":7.5},{\"v\":2},{\"n\":\"x\",\"vs\":\"on\"}]");
            assertEquals(List.of(
                    new Measurement("m", null, null, null, null, null, 7.5, NOW),
                    new Measurement("m", null, 2.0, null, null, null, 7.5, NOW),
                    new Measurement("mx", null, null, "on", null, null, 7.5, NOW)), ms);
        }

        @Test
        void sumAndValueTogether() {
            Measurement m = parse("[{\"n\":\"w\",\"u\":\"W\",\"v\":3,\"s\":12.5}]").get(0);
            assertEquals(new Measurement("w", "W", 3.0, null, null, null, 12.5, NOW), m);
        }

        @Test
        void baseValueAloneIsNotAValue() {
            assertEquals("record 1: no value ('v', 'vs', 'vb' or 'vd') and no sum",
                    malformed("[{\"n\":\"a\",\"bv\":3}]"));
        }

        @Test
        void baseUnitDoesNotReplaceAnExplicitUnitAndPersistsAfterIt() {
            List<Measurement> ms = parse("[{\"bu\":\"V\",\"n\":\"a\",\"u\":\"A\",\"v\":1},{\"n\":\"b\",\"v\":2}]");
            assertEquals("A", ms.get(0).unit());
            assertEquals("V", ms.get(1).unit());
        }

        @Test
        void baseFieldsAreAppliedRegardlessOfKeyOrder() {
            Measurement m = parse("[{\"v\":1,\"n\":\"x\",\"t\":5,\"bv\":2,\"bt\":1700000000,\"bn\":\"b/\"}]").get(0);
            assertEquals(num("b/x", null, 3, Instant.ofEpochSecond(1_700_000_005L)), m);
        }

        @Test
        void baseStateDoesNotLeakBetweenPacks() {
            parse("[{\"bn\":\"leak/\",\"bt\":1700000000,\"bu\":\"Cel\",\"bv\":10,\"n\":\"a\",\"v\":1}]");
            assertEquals(List.of(num("b", null, 1, NOW)), parse("[{\"n\":\"b\",\"v\":1}]"));
            assertEquals("record 1: missing name", malformed("[{\"v\":1}]"));
        }
    }

    @Nested
    class Names {

        @Test
        void missingNameNamesTheRecord() {
            assertEquals("record 3: missing name",
                    malformed("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2},{\"v\":3}]"));
        }

        @Test
        void baseNameAloneIsTheName() {
            assertEquals("urn:x", parse("[{\"bn\":\"urn:x\",\"v\":1}]").get(0).name());
        }

        @Test
        void emptyBaseNameIsIgnored() {
            assertEquals("temp", parse("[{\"bn\":\"\",\"n\":\"temp\",\"v\":1}]").get(0).name());
        }

        @Test
        void emptyResolvedName() {
            assertEquals("record 1: empty name", malformed("[{\"n\":\"\",\"v\":1}]"));
            assertEquals("record 1: empty name", malformed("[{\"bn\":\"\",\"v\":1}]"));
        }

        @Test
        void allAllowedCharacters() {
            String name = "Az09-:./_zZ9";
            assertEquals(name, parse("[{\"n\":\"" + name + "\",\"v\":1}]").get(0).name());
        }

        @Test
        void invalidCharacterIsReportedWithTheName() {
            assertEquals("record 1: invalid character ' ' in name 'room temp'",
                    malformed("[{\"n\":\"room temp\",\"v\":1}]"));
            assertTrue(malformed("[{\"n\":\"t\\u00e9\",\"v\":1}]").contains("U+00E9"));
            assertTrue(malformed("[{\"n\":\"a#b\",\"v\":1}]").contains("'#'"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"-temp", ".temp", "_temp", ":temp", "/temp"})
        void firstCharacterMustBeLetterOrDigit(String name) {
            String reason = malformed("[{\"n\":\"" + name + "\",\"v\":1}]");
            assertTrue(reason.startsWith("record 1: invalid character '" + name.charAt(0) + "'"), reason);
        }

        @Test
        void firstCharacterRuleAppliesToTheResolvedName() {
            // "-" is fine after a base name, but not at the start of one
            assertEquals("dev-1", parse("[{\"bn\":\"dev\",\"n\":\"-1\",\"v\":1}]").get(0).name());
            assertTrue(malformed("[{\"bn\":\"-dev\",\"n\":\"x\",\"v\":1}]").contains("'-dev"));
            // empty base name: the record name must itself start well
            assertTrue(malformed("[{\"bn\":\"\",\"n\":\"-x\",\"v\":1}]").startsWith("record 1: invalid character '-'"));
        }

        @Test
        void longInvalidNameIsCutInTheReason() {
            String name = "x".repeat(500) + " y";
            String reason = malformed("[{\"n\":\"" + name + "\",\"v\":1}]");
            assertTrue(reason.contains("'" + "x".repeat(40) + "...'"), reason);
        }
    }

    @Nested
    class Times {

        @Test
        void missingTimeIsNow() {
            assertSame(NOW, parse("[{\"n\":\"a\",\"v\":1}]").get(0).time());
        }

        @Test
        void negativeRelativeTimeIsInThePast() {
            assertEquals(NOW.minusSeconds(60), parse("[{\"n\":\"a\",\"t\":-60,\"v\":1}]").get(0).time());
        }

        @Test
        void positiveRelativeTimeIsInTheFuture() {
            assertEquals(NOW.plusSeconds(3600), parse("[{\"n\":\"a\",\"t\":3600,\"v\":1}]").get(0).time());
        }

        @Test
        void fractionalRelativeSeconds() {
            List<Measurement> ms = parse("[{\"n\":\"a\",\"t\":-0.5,\"v\":1},{\"n\":\"a\",\"t\":0.1,\"v\":1}]");
            assertEquals(NOW.minusMillis(500), ms.get(0).time());
            assertEquals(NOW.plusMillis(100), ms.get(1).time());
        }

        @Test
        void relativeTimeIsRoundedToMicroseconds() {
            Instant t = parse("[{\"n\":\"a\",\"t\":-1.0000004,\"v\":1}]").get(0).time();
            assertEquals(NOW.minusSeconds(1), t);
        }

        @Test
        void justBelowTwoToThe28IsRelative() {
            Instant t = parse("[{\"n\":\"a\",\"t\":268435455,\"v\":1}]").get(0).time();
            assertEquals(NOW.plusSeconds(268_435_455L), t);
        }

        @Test
        void twoToThe28IsAbsolute() {
            Instant t = parse("[{\"n\":\"a\",\"t\":268435456,\"v\":1}]").get(0).time();
            assertEquals(Instant.ofEpochSecond(268_435_456L), t);
        }

        @Test
        void theRuleAppliesToTheResolvedTime() {
            List<Measurement> ms = parse("""
                    [{"bt":268435456,"n":"a","t":-1,"v":1},
                     {"bt":268435000,"n":"b","t":456,"v":2},
                     {"bt":-10,"n":"c","t":5,"v":3}]""");
            assertEquals(NOW.plusSeconds(268_435_455L), ms.get(0).time());
            assertEquals(Instant.ofEpochSecond(268_435_456L), ms.get(1).time());
            assertEquals(NOW.minusSeconds(5), ms.get(2).time());
        }

        @Test
        void absoluteFractionalTime() {
            Instant t = parse("[{\"n\":\"a\",\"t\":1700000000.25,\"v\":1}]").get(0).time();
            assertEquals(Instant.ofEpochSecond(1_700_000_000L, 250_000_000L), t);
        }

        @Test
        void baseTimeAndTimeCancellingOutIsNow() {
            assertSame(NOW, parse("[{\"bt\":30,\"n\":\"a\",\"t\":-30,\"v\":1}]").get(0).time());
        }

        @Test
        void absurdTimesAreRefused() {
            assertEquals("record 1: time out of range", malformed("[{\"n\":\"a\",\"t\":1e300,\"v\":1}]"));
            assertEquals("record 2: time out of range",
                    malformed("[{\"n\":\"a\",\"v\":1},{\"n\":\"a\",\"t\":-1e15,\"v\":1}]"));
            assertEquals("record 1: time out of range", malformed("[{\"bt\":1e308,\"n\":\"a\",\"t\":1e308,\"v\":1}]"));
        }
    }

    @Nested
    class Values {

        @Test
        void stringBooleanAndDataValues() {
            List<Measurement> ms = parse("""
                    [{"n":"s","vs":""},{"n":"s2","vs":"caf\\u00e9 \\"x\\""},{"n":"b","vb":true},
                     {"n":"d","vd":""},{"n":"d2","vd":"-_AZaz09"},{"n":"d3","vd":"aGk="}]""");
            assertEquals("", ms.get(0).stringValue());
            assertEquals("caf\u00e9 \"x\"", ms.get(1).stringValue());
            assertEquals(Boolean.TRUE, ms.get(2).booleanValue());
            assertEquals("", ms.get(3).dataValue());
            assertEquals("-_AZaz09", ms.get(4).dataValue());
            assertEquals("aGk=", ms.get(5).dataValue());
            for (Measurement m : ms) {
                assertNull(m.value(), m.name());
                assertNull(m.sum(), m.name());
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"a+b/", "a", "aGk=a", "a===", "aG===", "aG=", "a b", "aGk\\n"})
        void dataValueMustBeBase64Url(String data) {
            String reason = malformed("[{\"n\":\"d\",\"vd\":\"" + data + "\"}]");
            assertTrue(reason.startsWith("record 1: 'vd' must be base64url data"), reason);
        }

        @Test
        void integerAndExponentNumbers() {
            List<Measurement> ms = parse("[{\"n\":\"a\",\"v\":-3},{\"n\":\"a\",\"v\":2.5E3},{\"n\":\"a\",\"v\":1e-3}]");
            assertEquals(-3.0, ms.get(0).value());
            assertEquals(2500.0, ms.get(1).value());
            assertEquals(0.001, ms.get(2).value());
        }

        @Test
        void twoValueFieldsAreRefused() {
            assertEquals("record 1: has both 'v' and 'vs', a record carries one value",
                    malformed("[{\"n\":\"a\",\"v\":1,\"vs\":\"1\"}]"));
            assertEquals("record 2: has both 'vb' and 'vd', a record carries one value",
                    malformed("[{\"n\":\"a\",\"v\":1},{\"n\":\"a\",\"vb\":true,\"vd\":\"AA\"}]"));
        }

        @Test
        void noValueAndNoSumIsRefused() {
            assertEquals("record 2: no value ('v', 'vs', 'vb' or 'vd') and no sum",
                    malformed("[{\"n\":\"a\",\"v\":1},{\"n\":\"a\",\"u\":\"Cel\"}]"));
        }

        @Test
        void updateTimeIsCheckedButNotCarried() {
            assertEquals(num("a", null, 1, NOW), parse("[{\"n\":\"a\",\"ut\":60,\"v\":1}]").get(0));
        }

        @ParameterizedTest
        @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "+Infinity"})
        void nonFiniteTokensAreNotJson(String token) {
            String reason = malformed("[{\"n\":\"a\",\"v\":" + token + "}]");
            assertTrue(reason.startsWith("record 1: invalid JSON"), reason);
        }

        @ParameterizedTest
        @ValueSource(strings = {"v", "s", "t", "bt", "bv", "bs", "ut"})
        void numbersTooLargeForADoubleAreRefused(String field) {
            String value = "v".equals(field) ? "" : ",\"v\":1";
            assertEquals("record 1: '" + field + "' must be a finite number",
                    malformed("[{\"n\":\"a\",\"" + field + "\":1e400" + value + "}]"));
            assertEquals("record 1: '" + field + "' must be a finite number",
                    malformed("[{\"n\":\"a\",\"" + field + "\":-" + "9".repeat(400) + value + "}]"));
        }

        @Test
        void valuePlusBaseValueOverflowingIsRefused() {
            assertEquals("record 1: 'v' plus 'bv' is not a finite number",
                    malformed("[{\"n\":\"a\",\"bv\":1.7e308,\"v\":1.7e308}]"));
            assertEquals("record 1: 's' plus 'bs' is not a finite number",
                    malformed("[{\"n\":\"a\",\"bs\":-1.7e308,\"s\":-1.7e308}]"));
        }

        @Test
        void topLevelNaNIsRefused() {
            assertTrue(malformed("NaN").startsWith("invalid JSON"));
        }
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                Arguments.of("{\"n\":1,\"v\":1}", "'n' must be a string, found number"),
                Arguments.of("{\"n\":\"x\",\"u\":true,\"v\":1}", "'u' must be a string, found boolean"),
                Arguments.of("{\"n\":\"x\",\"t\":\"5\",\"v\":1}", "'t' must be a number, found string"),
                Arguments.of("{\"n\":\"x\",\"v\":\"1\"}", "'v' must be a number, found string"),
                Arguments.of("{\"n\":\"x\",\"v\":null}", "'v' must be a number, found null"),
                Arguments.of("{\"n\":\"x\",\"vs\":1}", "'vs' must be a string, found number"),
                Arguments.of("{\"n\":\"x\",\"vb\":\"true\"}", "'vb' must be a boolean, found string"),
                Arguments.of("{\"n\":\"x\",\"vb\":1}", "'vb' must be a boolean, found number"),
                Arguments.of("{\"n\":\"x\",\"vd\":false}", "'vd' must be a string, found boolean"),
                Arguments.of("{\"n\":\"x\",\"s\":\"2\"}", "'s' must be a number, found string"),
                Arguments.of("{\"n\":\"x\",\"ut\":\"60\",\"v\":1}", "'ut' must be a number, found string"),
                Arguments.of("{\"bn\":7,\"n\":\"x\",\"v\":1}", "'bn' must be a string, found number"),
                Arguments.of("{\"bt\":\"0\",\"n\":\"x\",\"v\":1}", "'bt' must be a number, found string"),
                Arguments.of("{\"bu\":[\"A\"],\"n\":\"x\",\"v\":1}", "'bu' must be a string, found array"),
                Arguments.of("{\"bv\":{\"x\":1},\"n\":\"x\",\"v\":1}", "'bv' must be a number, found object"),
                Arguments.of("{\"bs\":null,\"n\":\"x\",\"v\":1}", "'bs' must be a number, found null"),
                Arguments.of("{\"bver\":\"10\",\"n\":\"x\",\"v\":1}", "'bver' must be a positive integer, found string"),
                Arguments.of("{\"bver\":10.5,\"n\":\"x\",\"v\":1}", "'bver' must be a positive integer, found '10.5'"),
                Arguments.of("{\"bver\":0,\"n\":\"x\",\"v\":1}", "'bver' must be a positive integer, found 0"));
    }

    @ParameterizedTest
    @MethodSource("wrongTypes")
    void wrongTypeNamesRecordAndField(String record, String expected) {
        assertEquals("record 2: " + expected, malformed("[{\"n\":\"ok\",\"v\":1}," + record + "]"));
    }

    @Nested
    class Structure {

        @ParameterizedTest
        @ValueSource(strings = {"{\"n\":\"a\",\"v\":1}", "42", "\"[]\"", "null", "true"})
        void topLevelMustBeAnArray(String json) {
            assertTrue(malformed(json).startsWith("pack must be a JSON array, found "));
        }

        @Test
        void topLevelKindIsNamed() {
            assertEquals("pack must be a JSON array, found object", malformed("{\"n\":\"a\",\"v\":1}"));
            assertEquals("pack must be a JSON array, found number", malformed("42"));
        }

        @Test
        void emptyArrayIsRefused() {
            assertEquals("pack is empty", malformed("[]"));
            assertEquals("pack is empty", malformed(" [ ] "));
        }

        @Test
        void emptyPayloadIsRefused() {
            assertEquals("empty payload, expected a SenML JSON array", malformed(""));
            assertEquals("empty payload, expected a SenML JSON array", malformed("  \n "));
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "\"x\"", "null", "[]", "[{\"n\":\"a\",\"v\":1}]"})
        void recordsMustBeObjects(String element) {
            assertTrue(malformed("[{\"n\":\"a\",\"v\":1}," + element + "]").startsWith("record 2: must be an object, found "));
        }

        @Test
        void notJson() {
            String reason = malformed("hello world");
            assertTrue(reason.startsWith("invalid JSON: Unrecognized token 'hello' at offset "), reason);
            assertEquals("record 1: invalid JSON: Unexpected character ('\"' (code 34)): was expecting comma to separate"
                    + " Object entries at offset 10", malformed("[{\"n\":\"a\" \"v\":1}]"));
        }

        @Test
        void longGarbageIsNotEchoedInFull() {
            String reason = malformed("[{\"n\":\"a\",\"v\":" + "x".repeat(5000) + "}]");
            assertTrue(reason.startsWith("record 1: invalid JSON: "), reason);
            assertFalse(reason.contains("x".repeat(41)), reason);
        }

        @Test
        void invalidUtf8() {
            byte[] json = {'[', '{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', ']'};
            RejectedInputException e = assertThrows(RejectedInputException.class, () -> PARSER.parse(json, NOW));
            assertEquals(Reason.MALFORMED, e.reason());
            assertTrue(e.getMessage().startsWith("record 1: invalid JSON"), e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(strings = {"[", "[{", "[{\"n\":\"a\",", "[{\"n\":\"a\",\"v\":1}", "[{\"n\":\"a\",\"v\":1},", "[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\""})
        void truncatedJson(String json) {
            assertTrue(malformed(json).contains("truncated JSON"), json);
        }

        @Test
        void truncationInsideARecordNamesIt() {
            assertEquals("record 2: truncated JSON (unexpected end of input)",
                    malformed("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":"));
        }

        @Test
        void truncatedString() {
            assertTrue(malformed("[{\"n\":\"abc").startsWith("record 1: "));
        }

        @ParameterizedTest
        @ValueSource(strings = {" xyz", "]", ",", "[{\"n\":\"a\",\"v\":1}]", "{}", " 1", "\"x\"", " NaN"})
        void trailingGarbage(String tail) {
            assertEquals("trailing content after the pack", malformed("[{\"n\":\"a\",\"v\":1}]" + tail));
        }

        @Test
        void trailingWhitespaceIsFine() {
            assertEquals(1, parse("[{\"n\":\"a\",\"v\":1}] \r\n\t ").size());
        }

        @Test
        void duplicateKeysAreRefused() {
            assertEquals("record 2: duplicate field 'v'", malformed("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":1,\"v\":2}]"));
            assertEquals("record 1: duplicate field 'bn'", malformed("[{\"bn\":\"a\",\"bn\":\"b\",\"v\":1}]"));
            assertEquals("record 1: duplicate field 'foo'", malformed("[{\"n\":\"a\",\"vs\":\"x\",\"foo\":1,\"foo\":2}]"));
        }

        @Test
        void sameKeyInDifferentRecordsIsFine() {
            assertEquals(2, parse("[{\"n\":\"a\",\"v\":1},{\"n\":\"a\",\"v\":1}]").size());
        }

        @Test
        void nestedObjectsAndArraysAreRefused() {
            assertEquals("record 1: field 'meta' holds an object, records are flat",
                    malformed("[{\"n\":\"a\",\"v\":1,\"meta\":{\"x\":1}}]"));
            assertEquals("record 1: field 'tags' holds an array, records are flat",
                    malformed("[{\"n\":\"a\",\"v\":1,\"tags\":[]}]"));
        }

        @Test
        void resultIsUnmodifiable() {
            List<Measurement> ms = parse("[{\"n\":\"a\",\"v\":1}]");
            assertThrows(UnsupportedOperationException.class, () -> ms.add(ms.get(0)));
        }
    }

    @Nested
    class VersionAndExtensions {

        @Test
        void versionAboveTenIsRefused() {
            assertEquals("unsupported SenML version 13", malformed("[{\"bver\":13,\"n\":\"a\",\"v\":1}]"));
            assertEquals("unsupported SenML version 11",
                    malformed("[{\"n\":\"a\",\"v\":1},{\"n\":\"a\",\"v\":1},{\"bver\":11,\"n\":\"a\",\"v\":1}]"));
            assertEquals("unsupported SenML version '99999999999'",
                    malformed("[{\"bver\":99999999999,\"n\":\"a\",\"v\":1}]"));
        }

        @Test
        void versionsUpToTenAreAccepted() {
            assertEquals(num("a", null, 1, NOW), parse("[{\"bver\":10,\"n\":\"a\",\"v\":1}]").get(0));
            assertEquals(num("a", null, 1, NOW), parse("[{\"bver\":1,\"n\":\"a\",\"v\":1}]").get(0));
        }

        @Test
        void negativeVersionIsRefused() {
            assertEquals("record 1: 'bver' must be a positive integer, found -1",
                    malformed("[{\"bver\":-1,\"n\":\"a\",\"v\":1}]"));
        }

        @Test
        void unknownMustUnderstandFieldIsRefused() {
            assertEquals("record 2: unsupported must-understand field 'rt_'",
                    malformed("[{\"n\":\"a\",\"v\":1},{\"n\":\"a\",\"v\":1,\"rt_\":1}]"));
            assertEquals("record 1: unsupported must-understand field '_'", malformed("[{\"n\":\"a\",\"v\":1,\"_\":\"x\"}]"));
            assertEquals("record 1: unsupported must-understand field 'bx_'", malformed("[{\"bx_\":null,\"n\":\"a\",\"v\":1}]"));
        }

        @Test
        void otherUnknownFieldsAreIgnored() {
            List<Measurement> ms = parse("[{\"n\":\"a\",\"v\":1,\"foo\":\"bar\",\"ct\":60,\"x_y\":true,\"\":null,\"bx\":1}]");
            assertEquals(List.of(num("a", null, 1, NOW)), ms);
        }

        @Test
        void longFieldNameIsCutInTheReason() {
            String field = "f".repeat(300) + "_";
            String reason = malformed("[{\"n\":\"a\",\"v\":1,\"" + field + "\":1}]");
            assertEquals("record 1: unsupported must-understand field '" + "f".repeat(40) + "...'", reason);
        }
    }

    @Nested
    class Limits {

        private String pack(int records) {
            StringBuilder b = new StringBuilder(records * 24).append("[{\"bn\":\"lab/\",\"bu\":\"Cel\",\"n\":\"r0\",\"v\":0}");
            for (int i = 1; i < records; i++) {
                b.append(",{\"n\":\"r").append(i).append("\",\"t\":-").append(i).append(",\"v\":").append(i).append('}');
            }
            return b.append(']').toString();
        }

        @Test
        void exactlyMaxRecordsIsAccepted() {
            List<Measurement> ms = parse(pack(10_000));
            assertEquals(10_000, ms.size());
            assertEquals(num("lab/r9999", "Cel", 9999, NOW.minusSeconds(9999)), ms.get(9999));
        }

        @Test
        void oneMoreThanMaxRecordsIsTooLarge() {
            RejectedInputException e = assertThrows(RejectedInputException.class, () -> parse(pack(10_001)));
            assertEquals(Reason.TOO_LARGE, e.reason());
            assertEquals("pack has more than 10000 records", e.getMessage());
        }

        @Test
        void parsingStopsAsSoonAsTheLimitIsPassed() {
            // the third element is broken, but the pack is refused for size before it is read
            SenmlParser small = new SenmlParser(2);
            byte[] json = "[{\"n\":\"a\",\"v\":1},{\"n\":\"a\",\"v\":1},{\"n\":1,\"v\":\"x\"} garbage"
                    .getBytes(StandardCharsets.UTF_8);
            RejectedInputException e = assertThrows(RejectedInputException.class, () -> small.parse(json, NOW));
            assertEquals(Reason.TOO_LARGE, e.reason());
            assertEquals("pack has more than 2 records", e.getMessage());
        }

        @Test
        void maxRecordsMustBePositive() {
            assertThrows(IllegalArgumentException.class, () -> new SenmlParser(0));
        }

        @Test
        void sharedParserIsThreadSafe() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int task = 0; task < 8; task++) {
                    int id = task;
                    Callable<Boolean> job = () -> {
                        String bn = "dev" + id + "/";
                        String json = "[{\"bn\":\"" + bn + "\",\"bv\":" + id + ",\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"t\":-" + id
                                + ",\"v\":2}]";
                        for (int i = 0; i < 2_000; i++) {
                            List<Measurement> ms = parse(json);
                            if (!ms.equals(List.of(num(bn + "a", null, id + 1, NOW),
                                    num(bn + "b", null, id + 2, NOW.minus(Duration.ofSeconds(id)))))) {
                                return false;
                            }
                        }
                        return true;
                    };
                    results.add(pool.submit(job));
                }
                for (Future<Boolean> f : results) {
                    assertTrue(f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
