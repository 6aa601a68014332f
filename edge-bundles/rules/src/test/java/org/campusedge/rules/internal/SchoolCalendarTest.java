package org.campusedge.rules.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.campusedge.api.DutyRosters;
import org.junit.jupiter.api.Test;

/** School hours in the school's zone, weekends and holidays, lab timetables, duty rosters. */
class SchoolCalendarTest {

    private final SchoolCalendar calendar = Events.calendar();

    @Test
    void hoursAreTheSchoolsLocalHours() {
        assertTrue(calendar.isSchoolHours(Instant.parse("2026-11-23T23:00:00Z")), "Tuesday 07:00 in Shanghai");
        assertFalse(calendar.isSchoolHours(Instant.parse("2026-11-23T22:59:59Z")), "Tuesday 06:59:59");
        assertFalse(calendar.isSchoolHours(Instant.parse("2026-11-24T10:00:00Z")), "Tuesday 18:00 is after the span");
        assertTrue(calendar.isSchoolHours(Instant.parse("2026-11-24T09:59:59Z")));
    }

    @Test
    void weekendsAndHolidaysHaveNoSchoolHours() {
        assertFalse(calendar.isSchoolHours(Instant.parse("2026-11-28T02:00:00Z")), "Saturday 10:00");
        assertFalse(calendar.isSchoolHours(Instant.parse("2026-12-31T02:00:00Z")), "New Year's Eve, a holiday");
        assertFalse(calendar.isSchoolHours(Instant.parse("2027-01-01T02:00:00Z")), "last day of the holiday");
        assertTrue(calendar.isSchoolHours(Instant.parse("2027-01-04T02:00:00Z")), "Monday after");
    }

    /** 调休: a Saturday that is a school day follows the weekday it stands for, for hours, labs and broadcasts alike. */
    @Test
    void aMakeUpWorkdayFollowsTheWeekdayItStandsFor() {
        SchoolCalendar c = SchoolCalendar.of(Map.of("schoolHours", Map.of("tuesday", "07:00-18:00"),
                "makeUpDays", List.of(Map.of("date", "2026-11-28", "as", "tuesday", "name", "make-up day")),
                "labTimetables", Map.of("301 Chemistry", List.of(Map.of("days", List.of("tuesday"), "time", "10:00-11:40")))),
                java.time.ZoneId.of("Asia/Shanghai"));
        assertTrue(c.isSchoolHours(Instant.parse("2026-11-28T02:00:00Z")), "Saturday 10:00, a make-up Tuesday");
        assertFalse(c.isSchoolHours(Instant.parse("2026-11-29T02:00:00Z")), "the Sunday after is still a weekend");
        assertFalse(c.isLabScheduledEmpty("301 Chemistry", Instant.parse("2026-11-28T02:30:00Z")), "Tuesday's chemistry class");
        assertEquals(java.time.DayOfWeek.TUESDAY, c.dayAs(java.time.LocalDate.of(2026, 11, 28)));
        assertEquals(java.time.DayOfWeek.SUNDAY, c.dayAs(java.time.LocalDate.of(2026, 11, 29)));
    }

    @Test
    void aLabsLessonsAreItsSlotsOnTheirDaysWithTheirTeachersSkippingHolidaysAndFollowingMakeUpDays() {
        SchoolCalendar c = SchoolCalendar.of(Map.of("schoolHours", Map.of("tuesday", "07:00-18:00"),
                "holidays", List.of(Map.of("from", "2026-12-01", "name", "a holiday on a Tuesday")),
                "makeUpDays", List.of(Map.of("date", "2026-11-28", "as", "tuesday", "name", "make-up day")),
                "labTimetables", Map.of("301 Chemistry", List.of(Map.of("days", List.of("tuesday"), "time", "10:00-11:40",
                        "class", "Grade 9 (2)", "teachers", List.of("teacher-li", "teacher-zhao"))))),
                java.time.ZoneId.of("Asia/Shanghai"));
        // Monday 23 November to Wednesday 2 December, Shanghai: Tuesday the 24th, the make-up Saturday the 28th; not the holiday
        List<org.campusedge.api.LabTimetables.Lesson> lessons = c.lessons("301 Chemistry", Instant.parse("2026-11-22T16:00:00Z"),
                Instant.parse("2026-12-02T16:00:00Z"));
        assertEquals(List.of(Instant.parse("2026-11-24T02:00:00Z"), Instant.parse("2026-11-28T02:00:00Z")),
                lessons.stream().map(org.campusedge.api.LabTimetables.Lesson::start).toList());
        assertEquals(Instant.parse("2026-11-24T03:40:00Z"), lessons.get(0).end());
        assertEquals(java.util.Set.of("teacher-li", "teacher-zhao"), lessons.get(0).teachers());
        assertEquals("Grade 9 (2)", lessons.get(0).className());
        // a lesson under way is one that overlaps: asked at 11:00 for an instant, it is there; at 11:40, not
        assertEquals(1, c.lessons("301 Chemistry", Instant.parse("2026-11-24T03:00:00Z"), Instant.parse("2026-11-24T03:00:01Z")).size());
        assertEquals(0, c.lessons("301 Chemistry", Instant.parse("2026-11-24T03:40:00Z"), Instant.parse("2026-11-24T03:41:00Z")).size());
        assertEquals(0, c.lessons("401 Biology", Instant.parse("2026-11-22T16:00:00Z"), Instant.parse("2026-12-02T16:00:00Z")).size());
    }

    @Test
    void aLabIsScheduledEmptyOutsideItsBookedSlots() {
        assertFalse(calendar.isLabScheduledEmpty("301 Chemistry", Instant.parse("2026-11-24T02:30:00Z")), "Tuesday 10:30, booked");
        assertTrue(calendar.isLabScheduledEmpty("301 Chemistry", Instant.parse("2026-11-24T03:40:00Z")), "Tuesday 11:40, the slot ended");
        assertTrue(calendar.isLabScheduledEmpty("301 Chemistry", Instant.parse("2026-11-25T02:30:00Z")), "Wednesday 10:30");
        assertFalse(calendar.isLabScheduledEmpty("Library", Instant.parse("2026-11-25T02:30:00Z")), "no timetable, no opinion");
        assertFalse(calendar.isLabScheduledEmpty(null, Instant.parse("2026-11-25T02:30:00Z")));
    }

    /** A guard roster: day shift on weekdays, a night shift every night, the weekend days apart; the office on weekdays. */
    private final SchoolCalendar rosters = SchoolCalendar.of(Map.of("schoolHours", Map.of(), "dutyRosters", Map.of(
            "guard", List.of(
                    Map.of("days", List.of("monday", "tuesday", "wednesday", "thursday", "friday"), "time", "07:00-19:00",
                            "on", "day guard Wang", "channels", List.of("guard-day")),
                    Map.of("days", List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
                            "time", "19:00-07:00", "on", "night guard Li", "channels", List.of("guard-night", "guard-night-sms")),
                    Map.of("days", List.of("saturday", "sunday"), "time", "07:00-19:00", "on", "weekend guard Zhao",
                            "channels", List.of("guard-weekend"))),
            "office", List.of(Map.of("days", List.of("tuesday"), "time", "08:00-17:00", "on", "security office",
                    "channels", List.of("office-mail")),
                    Map.of("days", List.of("tuesday"), "time", "12:00-13:00", "on", "head of security (lunch cover)",
                            "channels", List.of("head-mail"))))), Events.SHANGHAI);

    /** On a make-up Saturday the weekday's shifts are on; in the school's own holiday the Saturday stays a Saturday. */
    @Test
    void rostersFollowAMakeUpWorkdayButNotInsideAHoliday() {
        SchoolCalendar c = SchoolCalendar.of(Map.of("schoolHours", Map.of(),
                "makeUpDays", List.of(Map.of("date", "2026-11-28", "as", "tuesday"), Map.of("date", "2027-02-06", "as", "tuesday")),
                "holidays", List.of(Map.of("from", "2027-01-18", "to", "2027-02-21", "name", "winter break")),
                "dutyRosters", Map.of("office", List.of(Map.of("days", List.of("tuesday"), "time", "08:00-17:00", "on", "security office",
                        "channels", List.of("office-mail"))))), Events.SHANGHAI);
        assertEquals(List.of("security office"), c.onDuty("office", Instant.parse("2026-11-28T02:00:00Z")).stream()
                .map(DutyRosters.OnDuty::on).toList(), "Saturday 10:00, a make-up Tuesday");
        assertEquals(List.of(), c.onDuty("office", Instant.parse("2027-02-06T02:00:00Z")), "in the winter break: a Saturday");
        assertEquals(java.time.DayOfWeek.SATURDAY, c.dayAs(java.time.LocalDate.of(2027, 2, 6)));
    }

    private List<String> on(String roster, String instant) {
        return rosters.onDuty(roster, Instant.parse(instant)).stream().map(DutyRosters.OnDuty::on).toList();
    }

    @Test
    void whoIsOnDutyFollowsTheShiftsInTheSchoolsTimeIncludingNightShiftsPastMidnight() {
        assertEquals(List.of("day guard Wang"), on("guard", "2026-11-24T02:00:00Z"), "Tuesday 10:00");
        assertEquals(List.of("day guard Wang"), on("guard", "2026-11-24T10:59:59Z"), "Tuesday 18:59:59");
        assertEquals(List.of("night guard Li"), on("guard", "2026-11-24T11:00:00Z"), "Tuesday 19:00: the night shift begins");
        assertEquals(List.of("night guard Li"), on("guard", "2026-11-24T18:30:00Z"), "Wednesday 02:30, the shift that began on Tuesday");
        assertEquals(List.of("day guard Wang"), on("guard", "2026-11-24T23:00:00Z"), "Wednesday 07:00: the day shift again");
        assertEquals(List.of("night guard Li"), on("guard", "2026-11-27T22:59:00Z"), "Saturday 06:59, Friday's night shift");
        assertEquals(List.of("weekend guard Zhao"), on("guard", "2026-11-27T23:00:00Z"), "Saturday 07:00");
        assertEquals(List.of("night guard Li"), on("guard", "2026-11-29T22:00:00Z"), "Monday 06:00, Sunday's night shift");
        assertEquals(List.of("guard-night", "guard-night-sms"), rosters.onDuty("guard", Instant.parse("2026-11-24T12:00:00Z")).get(0)
                .channels());
    }

    @Test
    void overlappingShiftsAreAllOnDutyAndAGapOrAnUnknownRosterIsNobody() {
        assertEquals(List.of("security office", "head of security (lunch cover)"), on("office", "2026-11-24T04:30:00Z"), "Tuesday 12:30");
        assertEquals(List.of(), on("office", "2026-11-24T10:00:00Z"), "Tuesday 18:00: nobody in the office");
        assertEquals(List.of(), on("office", "2026-11-25T02:00:00Z"), "Wednesday: not on this roster");
        assertEquals(List.of(), on("principal", "2026-11-24T02:00:00Z"), "no such roster");
        assertEquals(java.util.Set.of("guard", "office"), rosters.rosters());
        assertEquals(List.of(), calendar.onDuty("guard", Instant.parse("2026-11-24T02:00:00Z")), "a calendar without rosters");
    }
}
