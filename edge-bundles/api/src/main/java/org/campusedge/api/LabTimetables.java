package org.campusedge.api;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * When each lab is booked, from the school calendar's {@code labTimetables}: its lessons, each with
 * the class and the teachers (console logins) who give it. The console lets a teacher watch a lab
 * during her own lessons there.
 */
public interface LabTimetables {

    /** One lesson in a lab: when (make-up days and holidays taken into account), which class, whose. */
    record Lesson(String room, Instant start, Instant end, String className, Set<String> teachers) {
        public Lesson {
            teachers = Set.copyOf(teachers);
        }
    }

    /** The room's lessons that overlap [{@code from}, {@code to}), in time order (at most 31 days are looked at). */
    List<Lesson> lessons(String room, Instant from, Instant to);
}
