package org.campusedge.camel.card;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.Location;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.Severity;
import org.campusedge.api.json.EventCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CardNormaliserTest {

    private static final Device GATE = new Device("card-gate-east-1", "sch-1", "card-reader", "card",
            new Location("East Gate", null, null, "gate"), null, null);
    private static final byte[] SECRET = "a school's secret of 32 bytes...".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aSwipeIsParsedFieldByField() {
        Swipe s = Swipe.parse("1|card-gate-east-1|1047|3101234567|I|G|1763800000123");
        assertEquals(new Swipe("card-gate-east-1", 1047, "3101234567", 'I', true, 1763800000123L), s);
        assertFalse(s.toString().contains("3101234567"), "the clear number must not reach a log");
    }

    @Test
    void badFieldsAreNamedWithoutEchoingTheCardNumber() {
        String[] bad = {"1|card-gate-east-1|1047|3101234567|I|G", "2|card-gate-east-1|1|3101234567|I|G|1",
                "1|CARD!|1|3101234567|I|G|1", "1|r|x|3101234567|I|G|1", "1|r|1|31012ABC|I|G|1", "1|r|1|3101234567|X|G|1",
                "1|r|1|3101234567|I|Y|1", "1|r|1|3101234567|I|G|soon", "1|r|99999999999|3101234567|I|G|1"};
        for (String p : bad) {
            RejectedInputException e = assertThrows(RejectedInputException.class, () -> Swipe.parse(p), p);
            assertFalse(e.getMessage().contains("3101234567"), e.getMessage());
        }
    }

    @Test
    void theEventCarriesAPseudonymNeverTheNumber() {
        CardNormaliser n = new CardNormaliser(null, new CardPseudonymiser(SECRET));
        Swipe s = Swipe.parse("1|card-gate-east-1|1047|3101234567|I|G|1763800000123");
        CampusEvent e = n.event(GATE, s, Instant.now());
        assertEquals("card.swipe", e.kind());
        assertEquals("in", e.attributes().get("direction"));
        assertEquals(32, e.attributes().get("card").length());
        assertFalse(EventCodec.toJson(e).contains("3101234567"));
        assertEquals(Instant.ofEpochMilli(1763800000123L), e.occurredAt());

        CampusEvent denied = n.event(GATE, Swipe.parse("1|card-gate-east-1|1048|3101234567|O|D|1763800009000"), Instant.now());
        assertEquals("card.denied", denied.kind());
        assertEquals(Severity.NOTICE, denied.severity());
        assertEquals(e.attributes().get("card"), denied.attributes().get("card"), "one card, one pseudonym");
    }

    @Test
    void aResentSwipeHasTheSameIdSoTheStoreKeepsOne() {
        CardNormaliser n = new CardNormaliser(null, new CardPseudonymiser(SECRET));
        Swipe s = Swipe.parse("1|card-gate-east-1|1047|3101234567|I|G|1763800000123");
        assertEquals(n.event(GATE, s, Instant.now()).id(), n.event(GATE, s, Instant.now().plusSeconds(60)).id());
        Swipe next = Swipe.parse("1|card-gate-east-1|1048|3101234567|I|G|1763800000123");
        assertNotEquals(n.event(GATE, s, Instant.now()).id(), n.event(GATE, next, Instant.now()).id());
    }

    @Test
    void pseudonymsDifferBetweenSchoolsAndTheSecretFileIsMadeOnceAndKept(@TempDir Path dir) throws Exception {
        CardPseudonymiser a = CardPseudonymiser.fromFile(dir.resolve("a/card-secret"));
        CardPseudonymiser a2 = CardPseudonymiser.fromFile(dir.resolve("a/card-secret"));
        CardPseudonymiser b = CardPseudonymiser.fromFile(dir.resolve("b/card-secret"));
        assertEquals(a.pseudonym("3101234567"), a2.pseudonym("3101234567"));
        assertNotEquals(a.pseudonym("3101234567"), b.pseudonym("3101234567"));
        assertEquals(32, Files.size(dir.resolve("a/card-secret")));
        assertTrue(Files.getPosixFilePermissions(dir.resolve("a/card-secret")).toString().matches("\\[OWNER_(READ|WRITE), OWNER_(READ|WRITE)\\]"));
    }

    /**
     * Rotation by school year (from 1 September, Beijing time): within a year one card has one
     * pseudonym; across the boundary it has another that nothing links to the first, and the event
     * says which period its pseudonym belongs to. A DPO's search finds every period's.
     */
    @Test
    void pseudonymsRotateWithTheSchoolYearSoYearsCannotBeLinked() {
        java.time.ZoneId beijing = java.time.ZoneId.of("Asia/Shanghai");
        CardPseudonymiser p = new CardPseudonymiser(SECRET, new CardPseudonymiser.Rotation(java.time.MonthDay.of(9, 1), 12), () -> beijing);
        CardNormaliser n = new CardNormaliser(null, p);
        Instant lastDayOfYear = java.time.ZonedDateTime.of(2026, 8, 31, 23, 59, 0, 0, beijing).toInstant();
        Instant firstDayOfNext = java.time.ZonedDateTime.of(2026, 9, 1, 0, 1, 0, 0, beijing).toInstant();
        Instant spring = java.time.ZonedDateTime.of(2027, 3, 2, 7, 40, 0, 0, beijing).toInstant();
        CampusEvent before = n.event(GATE, Swipe.parse("1|card-gate-east-1|1|3101234567|I|G|" + lastDayOfYear.toEpochMilli()), Instant.now());
        CampusEvent after = n.event(GATE, Swipe.parse("1|card-gate-east-1|2|3101234567|I|G|" + firstDayOfNext.toEpochMilli()), Instant.now());
        CampusEvent later = n.event(GATE, Swipe.parse("1|card-gate-east-1|3|3101234567|I|G|" + spring.toEpochMilli()), Instant.now());
        assertEquals("2025-09-01", before.attributes().get("cardPeriod"));
        assertEquals("2026-09-01", after.attributes().get("cardPeriod"));
        assertNotEquals(before.attributes().get("card"), after.attributes().get("card"), "a new school year, a new pseudonym");
        assertEquals(after.attributes().get("card"), later.attributes().get("card"), "one card, one pseudonym within the year");
        assertNotEquals(new CardPseudonymiser(SECRET).pseudonym("3101234567"), after.attributes().get("card"));
        assertEquals(java.util.List.of(new CardPseudonymiser(SECRET).pseudonym("3101234567"), before.attributes().get("card"),
                        after.attributes().get("card")), p.pseudonymsBetween("3101234567", lastDayOfYear.minusSeconds(86_400 * 30), spring),
                "a subject-access search: the unrotated one and each period's");

        CardPseudonymiser terms = new CardPseudonymiser(SECRET, new CardPseudonymiser.Rotation(java.time.MonthDay.of(9, 1), 6), () -> beijing);
        assertEquals("2027-03-01", terms.period(spring), "every six months: the spring term");
        assertThrows(IllegalArgumentException.class, () -> new CardPseudonymiser.Rotation(java.time.MonthDay.of(9, 1), 5));
        assertThrows(IllegalArgumentException.class, () -> new CardPseudonymiser.Rotation(java.time.MonthDay.of(8, 31), 6),
                "31 August + 6 months is 28 February, + 6 is 28 August: periods would drift and a search miss one");
        CardPseudonymiser monthly = new CardPseudonymiser(SECRET, new CardPseudonymiser.Rotation(java.time.MonthDay.of(9, 28), 1), () -> beijing);
        java.util.Set<String> periods = new java.util.TreeSet<>();
        for (Instant d = firstDayOfNext; d.isBefore(spring); d = d.plus(java.time.Duration.ofDays(1))) {
            periods.add(monthly.period(d));
        }
        assertEquals(7, periods.size(), "one period a month, each starting on the 28th: " + periods);
        assertTrue(periods.stream().allMatch(p2 -> p2.endsWith("-28")), periods.toString());
    }

    @Test
    void anOlderHomesSecretIsMovedToTheSettingsSoNoPseudonymChanges(@TempDir Path dir) throws Exception {
        String before = CardPseudonymiser.fromFile(dir.resolve("data/card-secret")).pseudonym("3101234567");
        assertTrue(CardPseudonymiser.adoptLegacy(dir.resolve("conf/card-secret"), dir.resolve("data/card-secret")));
        assertFalse(Files.exists(dir.resolve("data/card-secret")), "nothing of it left among the data (or its backups)");
        assertEquals(before, CardPseudonymiser.fromFile(dir.resolve("conf/card-secret")).pseudonym("3101234567"));
        assertFalse(CardPseudonymiser.adoptLegacy(dir.resolve("conf/card-secret"), dir.resolve("data/card-secret")), "once");
    }
}
