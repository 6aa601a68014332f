package org.campusedge.rules.internal;

import java.time.DayOfWeek;
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
import org.campusedge.api.DutyRosters;

/**
 * One duty roster of the school calendar: its shifts, each on some weekdays from one time to
 * another in the school's time zone. A shift whose end is not after its start runs past midnight
 * into the next day (19:00-07:00 on a Friday covers Friday night to Saturday 07:00); 00:00-00:00 is
 * the whole day. Holidays change nothing: the guards' shifts run through them.
 */
final class DutyRoster {

    private record Shift(Set<DayOfWeek> days, LocalTime from, LocalTime to, String on, List<String> channels) {
        /** True when the shift that starts on {@code day} covers {@code time} of that day ({@code nextDay}: of the day after). */
        boolean covers(DayOfWeek day, LocalTime time, boolean nextDay) {
            if (!days.contains(day)) {
                return false;
            }
            boolean overnight = !to.isAfter(from);
            if (!nextDay) {
                return !time.isBefore(from) && (overnight || time.isBefore(to));
            }
            return overnight && time.isBefore(to);
        }
    }

    private final String name;
    private final List<Shift> shifts;

    private DutyRoster(String name, List<Shift> shifts) {
        this.name = name;
        this.shifts = shifts;
    }

    /** From a checked calendar's {@code dutyRosters} entry. */
    @SuppressWarnings("unchecked")
    static DutyRoster of(String name, List<Object> shifts) {
        List<Shift> list = new ArrayList<>();
        for (Object o : shifts) {
            Map<String, Object> s = (Map<String, Object>) o;
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            ((List<Object>) s.get("days")).forEach(d -> days.add(DayOfWeek.valueOf(((String) d).toUpperCase(Locale.ROOT))));
            String[] t = ((String) s.get("time")).split("-");
            list.add(new Shift(Set.copyOf(days), LocalTime.parse(t[0]), LocalTime.parse(t[1]), (String) s.get("on"),
                    List.copyOf((List<String>) s.get("channels"))));
        }
        return new DutyRoster(name, List.copyOf(list));
    }

    /**
     * Who is on duty at {@code at}: the shifts that started today and cover it, and last night's that
     * still do; {@code dayAs} says which weekday a date counts as (a make-up workday counts as another).
     */
    List<DutyRosters.OnDuty> onDuty(Instant at, ZoneId zone, java.util.function.Function<java.time.LocalDate, DayOfWeek> dayAs) {
        ZonedDateTime local = at.atZone(zone);
        DayOfWeek today = dayAs.apply(local.toLocalDate());
        DayOfWeek yesterday = dayAs.apply(local.toLocalDate().minusDays(1));
        LocalTime time = local.toLocalTime();
        List<DutyRosters.OnDuty> on = new ArrayList<>();
        for (Shift s : shifts) {
            if (s.covers(today, time, false) || s.covers(yesterday, time, true)) {
                on.add(new DutyRosters.OnDuty(name, s.on(), s.channels()));
            }
        }
        return on;
    }
}
