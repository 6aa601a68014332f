package org.campusedge.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A device type: its family, protocol, points and how long it may stay silent before it counts
 * as offline. Loaded from {@code device-profiles/profiles/*.yaml}.
 */
public record Profile(String id, String family, String protocol, String description, List<Point> points,
                      List<String> events, Duration offlineAfter) {

    public Profile {
        points = points == null ? List.of() : List.copyOf(points);
        events = events == null ? List.of() : List.copyOf(events);
    }

    /** The point with this name, if the profile has one. */
    public Optional<Point> point(String name) {
        for (Point p : points) {
            if (p.name().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
