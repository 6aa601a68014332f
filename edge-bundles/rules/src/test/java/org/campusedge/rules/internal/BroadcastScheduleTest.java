package org.campusedge.rules.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.campusedge.api.BroadcastRequest;
import org.junit.jupiter.api.Test;

/** The PA schedule: due items, weekdays, holidays, leaps and a clock set back. */
class BroadcastScheduleTest {

    private final SchoolCalendar calendar = Events.calendar();

    private BroadcastSchedule schedule() {
        return BroadcastSchedule.of(Map.of("controller", "pa-main", "items", List.of(
                Map.of("id", "class-1", "at", "08:00", "announcement", "bell", "priority", 10),
                Map.of("id", "assembly", "at", "07:40", "days", List.of("monday"), "zones", List.of("playground"),
                        "text", "升旗仪式", "priority", 10),
                Map.of("id", "new-year", "at", "08:00:30", "days", List.of("thursday"), "onHolidays", true,
                        "announcement", "greeting", "priority", 10))), Events.SHANGHAI);
    }

    private static Instant shanghai(String local) {
        return java.time.LocalDateTime.parse(local).atZone(Events.SHANGHAI).toInstant();
    }

    private static List<String> ids(List<BroadcastSchedule.Item> items) {
        return items.stream().map(BroadcastSchedule.Item::id).toList();
    }

    /** 调休: a make-up Saturday rings Monday's bells, unless the school has it as a holiday. */
    @Test
    void aMakeUpWorkdayPlaysTheWeekdayItStandsFor() {
        SchoolCalendar c = SchoolCalendar.of(Map.of("schoolHours", Map.of(),
                "makeUpDays", List.of(Map.of("date", "2026-11-28", "as", "monday"), Map.of("date", "2027-02-06", "as", "monday")),
                "holidays", List.of(Map.of("from", "2027-01-18", "to", "2027-02-21", "name", "winter break"))), Events.SHANGHAI);
        BroadcastSchedule s = schedule();
        s.advance(shanghai("2026-11-28T07:39:59"), c);
        assertEquals(List.of("assembly"), ids(s.advance(shanghai("2026-11-28T07:40:00"), c).play()), "Monday's assembly on the Saturday");
        s.advance(shanghai("2026-11-28T07:59:59"), c);
        assertEquals(List.of("class-1"), ids(s.advance(shanghai("2026-11-28T08:00:00"), c).play()));
        BroadcastSchedule winter = schedule();
        winter.advance(shanghai("2027-02-06T07:59:59"), c);
        assertEquals(List.of(), ids(winter.advance(shanghai("2027-02-06T08:00:00"), c).play()),
                "the national make-up day falls in the school's winter break: no bells");
    }

    @Test
    void anItemPlaysWhenTheClockPassesItOnItsDays() {
        BroadcastSchedule s = schedule();
        assertEquals(List.of(), ids(s.advance(shanghai("2026-11-24T07:59:58"), calendar).play()), "the first tick plays nothing");
        assertEquals(List.of(), ids(s.advance(shanghai("2026-11-24T07:59:59"), calendar).play()));
        assertEquals(List.of("class-1"), ids(s.advance(shanghai("2026-11-24T08:00:00"), calendar).play()));
        assertEquals(List.of(), ids(s.advance(shanghai("2026-11-24T08:00:01"), calendar).play()), "played twice");
    }

    @Test
    void theMondayAssemblyPlaysOnMondaysOnlyWithItsZones() {
        BroadcastSchedule s = schedule();
        s.advance(shanghai("2026-11-24T07:39:59"), calendar); // Tuesday
        assertEquals(List.of(), ids(s.advance(shanghai("2026-11-24T07:40:01"), calendar).play()));
        BroadcastSchedule m = schedule();
        m.advance(shanghai("2026-11-23T07:39:59"), calendar); // Monday
        List<BroadcastSchedule.Item> due = m.advance(shanghai("2026-11-23T07:40:01"), calendar).play();
        assertEquals(List.of("assembly"), ids(due));
        BroadcastRequest r = due.get(0).request("pa-main");
        assertEquals(List.of("playground"), r.zones());
        assertEquals("升旗仪式", r.text());
        assertEquals("schedule:assembly", r.requestedBy());
    }

    @Test
    void holidaysAreSkippedUnlessTheItemSaysOtherwise() {
        BroadcastSchedule s = schedule();
        s.advance(shanghai("2026-12-31T07:59:59"), calendar); // a Thursday, and a holiday
        assertEquals(List.of("new-year"), ids(s.advance(shanghai("2026-12-31T08:00:59"), calendar).play()));
    }

    @Test
    void aLeapOfTheClockSkipsWhatItPassedInsteadOfPlayingItLate() {
        BroadcastSchedule s = schedule();
        s.advance(shanghai("2026-11-24T07:55:00"), calendar);
        BroadcastSchedule.Due due = s.advance(shanghai("2026-11-24T08:10:00"), calendar);
        assertEquals(List.of(), ids(due.play()));
        assertEquals(List.of("class-1"), ids(due.skipped()));
    }

    @Test
    void aClockSetBackPlaysNothingTwice() {
        BroadcastSchedule s = schedule();
        s.advance(shanghai("2026-11-24T07:59:59"), calendar);
        assertEquals(List.of("class-1"), ids(s.advance(shanghai("2026-11-24T08:00:01"), calendar).play()));
        assertEquals(List.of(), ids(s.advance(shanghai("2026-11-24T07:59:30"), calendar).play()), "set back 30 s");
        assertEquals(List.of(), ids(s.advance(shanghai("2026-11-24T08:00:02"), calendar).play()), "the bell rang again");
    }
}
