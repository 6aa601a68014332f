package org.campusedge.rules.internal;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.campusedge.api.BroadcastRequest;

/**
 * The school day on the PA system, from {@code device-profiles/schedules/*.yaml}: which items are
 * due between two ticks of the clock, on the weekdays they play and — unless they say otherwise —
 * not on the calendar's holidays. An item is due when the local time passes it; when the clock
 * leaps forward (the gateway was down, or its clock was set) the items passed over are reported as
 * skipped, not played late: a bell ten minutes late is worse than none. A clock set back plays
 * nothing twice.
 */
final class BroadcastSchedule {

    /** One scheduled broadcast. */
    record Item(String id, String description, LocalTime at, Set<DayOfWeek> days, boolean onHolidays, List<String> zones,
                String announcement, String text, int priority) {

        BroadcastRequest request(String controller) {
            String by = "schedule:" + id;
            return announcement != null ? BroadcastRequest.play(controller, zones, announcement, priority, by)
                    : BroadcastRequest.say(controller, zones, text, priority, by);
        }
    }

    /** What the passing of time brought: items to play now, items skipped by a leap of the clock. */
    record Due(List<Item> play, List<Item> skipped) {
    }

    /** Longest gap between ticks in which passed items still play. */
    static final Duration LATE_LIMIT = Duration.ofMinutes(2);

    private final String controller;
    private final List<Item> items;
    private final ZoneId zone;
    private Instant last;

    BroadcastSchedule(String controller, List<Item> items, ZoneId zone) {
        this.controller = controller;
        this.items = List.copyOf(items);
        this.zone = zone;
    }

    static BroadcastSchedule none(ZoneId zone) {
        return new BroadcastSchedule("", List.of(), zone);
    }

    @SuppressWarnings("unchecked")
    static BroadcastSchedule of(Map<String, Object> content, ZoneId zone) {
        List<Item> items = new ArrayList<>();
        for (Object o : (List<Object>) content.get("items")) {
            Map<String, Object> i = (Map<String, Object>) o;
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            for (Object d : (List<Object>) i.getOrDefault("days", List.of("monday", "tuesday", "wednesday", "thursday", "friday"))) {
                days.add(DayOfWeek.valueOf(((String) d).toUpperCase(Locale.ROOT)));
            }
            List<String> zones = new ArrayList<>();
            ((List<Object>) i.getOrDefault("zones", List.of())).forEach(z -> zones.add((String) z));
            items.add(new Item((String) i.get("id"), (String) i.getOrDefault("description", i.get("id")),
                    LocalTime.parse((String) i.get("at")), Set.copyOf(days), Boolean.TRUE.equals(i.get("onHolidays")),
                    List.copyOf(zones), (String) i.get("announcement"), (String) i.get("text"),
                    ((Number) i.get("priority")).intValue()));
        }
        return new BroadcastSchedule((String) content.get("controller"), items, zone);
    }

    String controller() {
        return controller;
    }

    List<Item> items() {
        return items;
    }

    /** The items whose time passed since the previous call (none on the first call). */
    Due advance(Instant now, SchoolCalendar calendar) {
        Instant from = last;
        if (from == null || !now.isAfter(from)) {
            last = from == null || now.isAfter(from) ? now : from;
            return new Due(List.of(), List.of());
        }
        last = now;
        List<Item> passed = passedBetween(from, now, calendar);
        boolean leap = Duration.between(from, now).compareTo(LATE_LIMIT) > 0;
        return leap ? new Due(List.of(), passed) : new Due(passed, List.of());
    }

    private List<Item> passedBetween(Instant from, Instant to, SchoolCalendar calendar) {
        List<Item> out = new ArrayList<>();
        ZonedDateTime day = from.atZone(zone).toLocalDate().atStartOfDay(zone);
        ZonedDateTime lastDay = to.atZone(zone).toLocalDate().atStartOfDay(zone);
        for (; !day.isAfter(lastDay); day = day.plusDays(1)) {
            boolean holiday = calendar.isHoliday(day.toLocalDate());
            for (Item i : items) {
                Instant t = day.toLocalDate().atTime(i.at()).atZone(zone).toInstant();
                if (t.isAfter(from) && !t.isAfter(to) && i.days().contains(calendar.dayAs(day.toLocalDate())) && (i.onHolidays() || !holiday)) {
                    out.add(i);
                }
            }
        }
        return out;
    }
}
