package org.campusedge.console.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.campusedge.api.LabTimetables;

/**
 * Which labs a console user may watch — live readings, charts, recordings, the lab's alarms — now.
 * The admin: every lab. A teacher: the labs the admin granted her, and a lab during her own lessons
 * in it by the calendar's lab timetables (from 15 minutes before to 15 minutes after, to set up and
 * to download the recording). Anyone else: none.
 */
final class LabAccess {

    static final Duration MARGIN = Duration.ofMinutes(15);

    /** Why a lab is open to someone now, or not: with the lesson under way, or her next one there (within a week). */
    record Decision(boolean open, String why, LabTimetables.Lesson lesson) {
    }

    private final LabGrants grants;
    private final Supplier<LabTimetables> timetables;
    private final Clock clock;

    LabAccess(LabGrants grants, Supplier<LabTimetables> timetables, Clock clock) {
        this.grants = grants;
        this.timetables = timetables;
        this.clock = clock;
    }

    LabGrants grants() {
        return grants;
    }

    boolean mayWatch(Users.User u, String room) {
        return decide(u, room).open();
    }

    Decision decide(Users.User u, String room) {
        if (u.role() == Users.Role.ADMIN) {
            return new Decision(true, "admin", null);
        }
        if (u.role() != Users.Role.TEACHER || room == null) {
            return new Decision(false, "role", null);
        }
        if (grants.has(u.name(), room)) {
            return new Decision(true, "granted", null);
        }
        LabTimetables book = timetables.get();
        if (book == null) {
            return new Decision(false, "no-timetable", null);
        }
        Instant now = clock.instant();
        Optional<LabTimetables.Lesson> current = mine(book.lessons(room, now.minus(MARGIN), now.plus(MARGIN)), u);
        if (current.isPresent()) {
            return new Decision(true, "lesson", current.get());
        }
        return new Decision(false, "not-her-lesson", mine(book.lessons(room, now, now.plus(Duration.ofDays(7))), u).orElse(null));
    }

    /**
     * For a teacher reading her own recording when the lab is no longer open to her: the end (with the
     * margin) of her lesson the recording started in, which is as far as she may read it; empty when
     * it started in no lesson of hers (under a grant since revoked), and she may read none of it.
     */
    Optional<Instant> lessonEnd(Users.User u, String room, Instant start) {
        LabTimetables book = timetables.get();
        if (book == null || u.role() != Users.Role.TEACHER) {
            return Optional.empty();
        }
        return mine(book.lessons(room, start.minus(MARGIN), start.plus(MARGIN)), u).map(l -> l.end().plus(MARGIN));
    }

    private static Optional<LabTimetables.Lesson> mine(List<LabTimetables.Lesson> lessons, Users.User u) {
        return lessons.stream().filter(l -> l.teachers().contains(u.name())).findFirst();
    }
}
