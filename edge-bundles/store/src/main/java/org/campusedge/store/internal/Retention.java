package org.campusedge.store.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How long each class of event is kept, and why; the store's retention job deletes what is older.
 * A class is a set of event kinds (SQLite GLOB patterns); "other" is every kind no class names.
 * 0 days keeps a class for ever.
 */
record Retention(String name, List<String> kinds, int days, String why) {

    static final String OTHER = "other";
    /** The class whose events are counted (per reader, hour, kind, direction) before they go. */
    static final String CARDS = "cards";

    /** The classes of a store's configuration, in the order the admin page shows them. */
    static List<Retention> of(SqliteEventStore.Config c) {
        List<Retention> out = new ArrayList<>();
        out.add(new Retention("readings", List.of("*.reading"), c.retentionDays(),
                "lab and energy readings: a lesson's and a month's figures; the city keeps the summaries"));
        out.add(new Retention(CARDS, List.of("card.*"), c.cardRetentionDays(),
                "each swipe is a child's whereabouts (PIPL art. 28): kept only for a week's questions; what stays is the count per"
                        + " reader and hour (card_counts) for attendance figures, and the city gets counts per gate and period, never swipes"));
        out.add(new Retention("cameras", List.of("camera.*"), c.cameraRetentionDays(),
                "what a camera reported (line crossings, tampering, motion): as long as investigations usually look back"));
        out.add(new Retention("alarms and audit", List.of("alarm.*", "audit.*"), c.alarmRetentionDays(),
                "who was told, who acknowledged, who changed what: a school year and the time an investigation takes"));
        out.add(new Retention(OTHER, List.of(), c.otherRetentionDays(),
                "device presence, PA requests and plays, control writes, lesson marks"));
        return List.copyOf(out);
    }

    Duration keep() {
        return Duration.ofDays(days);
    }

    /** One line for the admin page and the log. */
    String describe() {
        return name + " (" + (kinds.isEmpty() ? "every other kind" : String.join(", ", kinds)) + "): "
                + (days <= 0 ? "kept for ever" : days + " days") + " — " + why;
    }
}
