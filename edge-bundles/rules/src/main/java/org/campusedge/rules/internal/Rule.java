package org.campusedge.rules.internal;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Severity;

/**
 * One rule of a school's rule set, as validated by {@code rules.schema.json}.
 *
 * @param above      threshold: raised while the value is above (null: no upper limit)
 * @param below      threshold: raised while the value is below (null: no lower limit)
 * @param hysteresis threshold: how far back inside the limit the value must come to clear
 * @param hold       threshold: how long the value must stay past the limit
 * @param count      window: events needed within {@code window}
 * @param autoClear  true: the alarm clears when the condition ends; false: a person clears it
 */
record Rule(String id, String description, Kind kind, Match match, When when, Severity severity, Double above,
            Double below, double hysteresis, Duration hold, int count, Duration window, Per per, boolean autoClear,
            Set<String> clearKinds, List<Action> actions) {

    enum Kind { THRESHOLD, WINDOW, ABSENCE }

    /** When a rule applies, by the school calendar. */
    enum When { ALWAYS, SCHOOL_HOURS, OUTSIDE_SCHOOL_HOURS, LAB_SCHEDULED_EMPTY }

    /** What one alarm of the rule is about. */
    enum Per { DEVICE, ZONE, BUILDING, SCHOOL }

    /** Which events a rule looks at; empty sets match everything. */
    record Match(Set<String> kinds, Set<String> devices, Set<String> zones, Set<String> buildings, String point) {

        boolean matches(CampusEvent e) {
            return kinds.contains(e.kind())
                    && (devices.isEmpty() || devices.contains(e.deviceId()))
                    && (zones.isEmpty() || zones.contains(e.location().zone()))
                    && (buildings.isEmpty() || buildings.contains(e.location().building()));
        }
    }

    /** Something a rule does when it raises its alarm. */
    sealed interface Action permits Broadcast, Control {
    }

    record Broadcast(String controller, List<String> zones, String announcement, String text, int priority) implements Action {
    }

    record Control(String device, String point, Object value) implements Action {
    }

    /**
     * The alarm key for an event: the rule and what the alarm is about, and for a drill's event the
     * drill mark, so a drill's alarm is never the same alarm as a real one (nor its counts and durations).
     */
    String keyFor(CampusEvent e) {
        return keyFor(e, false);
    }

    /** As {@link #keyFor(CampusEvent)}; {@code drill}: the event is the running drill's (checked by the caller). */
    String keyFor(CampusEvent e, boolean drill) {
        String subject = switch (per) {
            case DEVICE -> e.deviceId();
            case ZONE -> e.location().zone() == null ? "-" : e.location().zone();
            case BUILDING -> e.location().building() == null ? "-" : e.location().building();
            case SCHOOL -> e.schoolId();
        };
        return id + ":" + subject + (drill ? org.campusedge.api.Drill.KEY_SUFFIX : "");
    }
}
