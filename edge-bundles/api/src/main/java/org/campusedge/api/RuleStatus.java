package org.campusedge.api;

import java.time.Instant;
import java.util.List;

/** What the edge controller has in force, for the admin page: rule and schedule counts, and the last load's problems. */
public interface RuleStatus {

    int rules();

    /** One line per rule in force: id, kind, severity, when, and its description. */
    List<String> ruleSummaries();

    int scheduledBroadcasts();

    /**
     * A threshold rule in force: on which point of which kinds of event, its limits, and when it
     * applies (the calendar's {@code when}, e.g. {@code outsideSchoolHours}); for pages that draw it.
     */
    record Threshold(String ruleId, java.util.Set<String> kinds, String point, Double above, Double below, String when) {
    }

    /** The threshold rules in force. */
    default List<Threshold> thresholds() {
        return List.of();
    }

    /** Problems of the last load of the rule, calendar and schedule files (FILE: FIELD: REASON); empty when good. */
    List<String> loadErrors();

    /** The folder of rule sets in force (where a new rule set goes), or null when the implementation has none. */
    default java.nio.file.Path rulesFolder() {
        return null;
    }

    /**
     * When the last load of the rule files began reading them (whether or not they were good), or null
     * before the first. Read it together with {@link #loadErrors()}: both describe the same finished load.
     */
    default Instant lastLoadAt() {
        return null;
    }
}
