package org.campusedge.rules.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Location;
import org.campusedge.api.Measurement;
import org.campusedge.api.Severity;

/** Events and rules for the rule tests, on a fixed timeline (a Tuesday). */
final class Events {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    /** Tuesday 2026-11-24 10:00 in Shanghai: school hours. */
    static final Instant T0 = Instant.parse("2026-11-24T02:00:00Z");

    private Events() {
    }

    static CampusEvent event(String device, String kind, String zone, Instant received) {
        return CampusEvent.builder().schoolId("sch").deviceId(device).profileId("p").kind(kind).severity(Severity.INFO)
                .location(new Location("Main", null, null, zone)).occurredAt(received).receivedAt(received).build();
    }

    static CampusEvent swipeAtLabDoor(String reader, String room, Instant received) {
        return CampusEvent.builder().schoolId("sch").deviceId(reader).profileId("card-reader").kind("card.swipe")
                .severity(Severity.INFO).location(new Location("Science", "3F", room, "lab-door")).occurredAt(received)
                .receivedAt(received).build();
    }

    static CampusEvent reading(String device, String point, double value, Instant received) {
        return CampusEvent.builder().schoolId("sch").deviceId(device).profileId("p").kind("lab.reading").severity(Severity.INFO)
                .location(new Location("Science", "2F", "Chem", null)).occurredAt(received).receivedAt(received)
                .measurements(List.of(new Measurement(point, "Cel", value, null, null, null, null, received))).build();
    }

    static Rule threshold(String id, Double above, Double below, double hysteresis, int holdSeconds) {
        return new Rule(id, id, Rule.Kind.THRESHOLD, new Rule.Match(Set.of("lab.reading"), Set.of(), Set.of(), Set.of(),
                "temperature"), Rule.When.ALWAYS, Severity.WARNING, above, below, hysteresis, Duration.ofSeconds(holdSeconds),
                1, Duration.ofSeconds(60), Rule.Per.DEVICE, true, Set.of(), List.of());
    }

    static Rule window(String id, String kind, int count, int seconds, Rule.When when, boolean autoClear, Set<String> zones) {
        return new Rule(id, id, Rule.Kind.WINDOW, new Rule.Match(Set.of(kind), Set.of(), zones, Set.of(), null), when,
                Severity.CRITICAL, null, null, 0, Duration.ZERO, count, Duration.ofSeconds(seconds), Rule.Per.DEVICE,
                autoClear, Set.of(), List.of());
    }

    static SchoolCalendar calendar() {
        return SchoolCalendar.of(Map.of("schoolHours", Map.of("monday", "07:00-18:00", "tuesday", "07:00-18:00",
                "wednesday", "07:00-18:00", "thursday", "07:00-18:00", "friday", "07:00-17:30"),
                "holidays", List.of(Map.of("from", "2026-12-31", "to", "2027-01-01", "name", "New Year")),
                "labTimetables", Map.of("301 Chemistry", List.of(Map.of("days", List.of("tuesday"), "time", "10:00-11:40",
                        "class", "Grade 9 chemistry")))), SHANGHAI);
    }
}
