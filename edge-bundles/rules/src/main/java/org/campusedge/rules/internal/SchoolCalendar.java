package org.campusedge.rules.internal;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * When the school is in session: a span of hours per weekday and the holidays, in the school's
 * time zone; when each lab is booked; who is on duty when (from {@code device-profiles/calendars/*.yaml},
 * valid against {@code calendar.schema.json}).
 */
final class SchoolCalendar {

    private record Span(LocalTime from, LocalTime to) {
    }

    private record Holiday(LocalDate from, LocalDate to, String name) {
    }

    private record Slot(Set<DayOfWeek> days, Span time, String className, Set<String> teachers) {
    }

    private final ZoneId zone;
    private final Map<DayOfWeek, Span> hours;
    private final List<Holiday> holidays;
    private final Map<String, List<Slot>> labs;
    private final Map<String, DutyRoster> rosters;
    private final Map<LocalDate, DayOfWeek> makeUp;

    private SchoolCalendar(ZoneId zone, Map<DayOfWeek, Span> hours, List<Holiday> holidays, Map<String, List<Slot>> labs,
                           Map<String, DutyRoster> rosters, Map<LocalDate, DayOfWeek> makeUp) {
        this.zone = zone;
        this.hours = hours;
        this.holidays = holidays;
        this.labs = labs;
        this.rosters = rosters;
        this.makeUp = makeUp;
    }

    /** A calendar without school hours: everything is outside school hours. */
    static SchoolCalendar none(ZoneId zone) {
        return new SchoolCalendar(zone, Map.of(), List.of(), Map.of(), Map.of(), Map.of());
    }

    @SuppressWarnings("unchecked")
    static SchoolCalendar of(Map<String, Object> content, ZoneId zone) {
        Map<DayOfWeek, Span> hours = new EnumMap<>(DayOfWeek.class);
        ((Map<String, Object>) content.get("schoolHours")).forEach((day, span) -> {
            String[] t = ((String) span).split("-");
            hours.put(DayOfWeek.valueOf(day.toUpperCase(Locale.ROOT)), new Span(LocalTime.parse(t[0]), LocalTime.parse(t[1])));
        });
        List<Holiday> holidays = new ArrayList<>();
        for (Object o : (List<Object>) content.getOrDefault("holidays", List.of())) {
            Map<String, Object> h = (Map<String, Object>) o;
            LocalDate from = LocalDate.parse((String) h.get("from"));
            LocalDate to = h.containsKey("to") ? LocalDate.parse((String) h.get("to")) : from;
            holidays.add(new Holiday(from, to, (String) h.get("name")));
        }
        Map<String, List<Slot>> labs = new java.util.HashMap<>();
        ((Map<String, Object>) content.getOrDefault("labTimetables", Map.of())).forEach((room, slots) -> {
            List<Slot> list = new ArrayList<>();
            for (Object o : (List<Object>) slots) {
                Map<String, Object> slot = (Map<String, Object>) o;
                Set<DayOfWeek> days = java.util.EnumSet.noneOf(DayOfWeek.class);
                ((List<Object>) slot.get("days")).forEach(d -> days.add(DayOfWeek.valueOf(((String) d).toUpperCase(Locale.ROOT))));
                String[] t = ((String) slot.get("time")).split("-");
                Set<String> teachers = new java.util.TreeSet<>();
                ((List<Object>) slot.getOrDefault("teachers", List.of())).forEach(name -> teachers.add((String) name));
                list.add(new Slot(Set.copyOf(days), new Span(LocalTime.parse(t[0]), LocalTime.parse(t[1])), (String) slot.get("class"),
                        Set.copyOf(teachers)));
            }
            labs.put(room, List.copyOf(list));
        });
        Map<String, DutyRoster> rosters = new java.util.TreeMap<>();
        ((Map<String, Object>) content.getOrDefault("dutyRosters", Map.of())).forEach((name, shifts) ->
                rosters.put(name, DutyRoster.of(name, (List<Object>) shifts)));
        Map<LocalDate, DayOfWeek> makeUp = new java.util.HashMap<>();
        for (Object o : (List<Object>) content.getOrDefault("makeUpDays", List.of())) {
            Map<String, Object> m = (Map<String, Object>) o;
            makeUp.put(LocalDate.parse((String) m.get("date")), DayOfWeek.valueOf(((String) m.get("as")).toUpperCase(Locale.ROOT)));
        }
        return new SchoolCalendar(zone, hours, List.copyOf(holidays), Map.copyOf(labs), java.util.Collections.unmodifiableMap(rosters),
                Map.copyOf(makeUp));
    }

    /**
     * The weekday a date counts as: its own, or, on a make-up workday (调休) that is not also one of the
     * school's holidays, the weekday whose school hours, lab timetables, broadcasts and duty rosters it follows.
     */
    DayOfWeek dayAs(LocalDate day) {
        // a holiday wins: a make-up day copied from the national list may fall in the school's own break
        return isHoliday(day) ? day.getDayOfWeek() : makeUp.getOrDefault(day, day.getDayOfWeek());
    }

    /** True when the day is one of the calendar's holidays. */
    boolean isHoliday(LocalDate day) {
        for (Holiday h : holidays) {
            if (!day.isBefore(h.from()) && !day.isAfter(h.to())) {
                return true;
            }
        }
        return false;
    }

    /** True when the instant falls within the day's school hours and the day is no holiday. */
    boolean isSchoolHours(Instant t) {
        ZonedDateTime local = t.atZone(zone);
        if (isHoliday(local.toLocalDate())) {
            return false;
        }
        Span span = hours.get(dayAs(local.toLocalDate()));
        LocalTime time = local.toLocalTime();
        return span != null && !time.isBefore(span.from()) && time.isBefore(span.to());
    }

    /**
     * True when the room has a timetable and no class is booked in it at that time (a holiday books
     * nothing); false for a room without a timetable, about which the calendar knows nothing.
     */
    boolean isLabScheduledEmpty(String room, Instant t) {
        List<Slot> slots = room == null ? null : labs.get(room);
        if (slots == null) {
            return false;
        }
        ZonedDateTime local = t.atZone(zone);
        if (isHoliday(local.toLocalDate())) {
            return true;
        }
        LocalTime time = local.toLocalTime();
        for (Slot s : slots) {
            if (s.days().contains(dayAs(local.toLocalDate())) && !time.isBefore(s.time().from()) && time.isBefore(s.time().to())) {
                return false;
            }
        }
        return true;
    }

    /** The lessons booked in a room that overlap [{@code from}, {@code to}), in time order; 31 days at most are looked at. */
    List<org.campusedge.api.LabTimetables.Lesson> lessons(String room, Instant from, Instant to) {
        List<Slot> slots = room == null ? null : labs.get(room);
        List<org.campusedge.api.LabTimetables.Lesson> out = new ArrayList<>();
        if (slots == null || !from.isBefore(to)) {
            return out;
        }
        LocalDate last = to.atZone(zone).toLocalDate();
        LocalDate first = from.atZone(zone).toLocalDate();
        for (LocalDate day = first; !day.isAfter(last) && !day.isAfter(first.plusDays(31)); day = day.plusDays(1)) {
            if (isHoliday(day)) {
                continue;
            }
            for (Slot s : slots) {
                if (!s.days().contains(dayAs(day))) {
                    continue;
                }
                Instant start = day.atTime(s.time().from()).atZone(zone).toInstant();
                Instant end = day.atTime(s.time().to()).atZone(zone).toInstant();
                if (start.isBefore(to) && end.isAfter(from)) {
                    out.add(new org.campusedge.api.LabTimetables.Lesson(room, start, end, s.className(), s.teachers()));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(org.campusedge.api.LabTimetables.Lesson::start));
        return out;
    }

    /** Who is on the roster's duty at {@code t}; empty when nobody is or the calendar has no such roster. */
    List<org.campusedge.api.DutyRosters.OnDuty> onDuty(String roster, Instant t) {
        DutyRoster r = rosters.get(roster);
        return r == null ? List.of() : r.onDuty(t, zone, this::dayAs);
    }

    /** The calendar's duty rosters, by name. */
    Set<String> rosters() {
        return rosters.keySet();
    }

    /** Whether a rule's {@code when} holds for an event in a room at a time. */
    boolean applies(Rule.When when, Instant t, String room) {
        return switch (when) {
            case ALWAYS -> true;
            case SCHOOL_HOURS -> isSchoolHours(t);
            case OUTSIDE_SCHOOL_HOURS -> !isSchoolHours(t);
            case LAB_SCHEDULED_EMPTY -> isLabScheduledEmpty(room, t);
        };
    }
}
