package org.campusedge.rules.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** School hours in the school's zone, weekends and holidays. */
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

    @Test
    void aLabIsScheduledEmptyOutsideItsBookedSlots() {
        assertFalse(calendar.isLabScheduledEmpty("301 Chemistry", Instant.parse("2026-11-24T02:30:00Z")), "Tuesday 10:30, booked");
        assertTrue(calendar.isLabScheduledEmpty("301 Chemistry", Instant.parse("2026-11-24T03:40:00Z")), "Tuesday 11:40, the slot ended");
        assertTrue(calendar.isLabScheduledEmpty("301 Chemistry", Instant.parse("2026-11-25T02:30:00Z")), "Wednesday 10:30");
        assertFalse(calendar.isLabScheduledEmpty("Library", Instant.parse("2026-11-25T02:30:00Z")), "no timetable, no opinion");
        assertFalse(calendar.isLabScheduledEmpty(null, Instant.parse("2026-11-25T02:30:00Z")));
    }
}
