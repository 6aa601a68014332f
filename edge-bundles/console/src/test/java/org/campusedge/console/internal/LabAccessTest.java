package org.campusedge.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.campusedge.api.LabTimetables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A teacher watches a lab in her own lessons (15 minutes either side) and where the admin granted it; nobody else does. */
class LabAccessTest {

    private static final String BIO = "401 Biology";
    private static final Instant START = Instant.parse("2026-12-03T02:00:00Z");
    private static final LabTimetables.Lesson LESSON = new LabTimetables.Lesson(BIO, START, START.plusSeconds(100 * 60),
            "Grade 7 (4)", Set.of("teacher-zhao"));
    /** The calendar, answering as SchoolCalendar does: the lessons that overlap the span asked about. */
    private static final LabTimetables TIMETABLE = (room, from, to) -> room.equals(BIO) && LESSON.start().isBefore(to)
            && LESSON.end().isAfter(from) ? List.of(LESSON) : List.of();

    @TempDir
    Path dir;

    private LabAccess at(Instant now, LabGrants grants) {
        return new LabAccess(grants, () -> TIMETABLE, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aTeacherWatchesHerLabFromAQuarterHourBeforeHerLessonToAQuarterHourAfter() throws Exception {
        LabGrants none = new LabGrants(dir.resolve("grants"));
        Users.User zhao = new Users.User("teacher-zhao", Users.Role.TEACHER);
        assertFalse(at(START.minusSeconds(16 * 60), none).mayWatch(zhao, BIO), "16 minutes before");
        assertTrue(at(START.minusSeconds(14 * 60), none).mayWatch(zhao, BIO), "14 minutes before: setting up");
        assertEquals("lesson", at(START.plusSeconds(60 * 60), none).decide(zhao, BIO).why());
        assertTrue(at(LESSON.end().plusSeconds(14 * 60), none).mayWatch(zhao, BIO), "downloading the recording");
        LabAccess.Decision after = at(LESSON.end().plusSeconds(16 * 60), none).decide(zhao, BIO);
        assertFalse(after.open());
        assertNull(after.lesson(), "no next lesson of hers within the week");
        assertFalse(at(START.plusSeconds(60), none).mayWatch(zhao, "201 Physics"), "another lab during her lesson");
        // her own recording, read the next day: as far as the end of the lesson she started it in, and no further
        LabAccess nextDay = at(START.plusSeconds(86_400), none);
        assertEquals(java.util.Optional.of(LESSON.end().plus(LabAccess.MARGIN)), nextDay.lessonEnd(zhao, BIO, START.plusSeconds(120)));
        assertEquals(java.util.Optional.empty(), nextDay.lessonEnd(zhao, BIO, START.plusSeconds(3 * 3600)), "started outside her lesson");
        assertEquals(java.util.Optional.empty(), nextDay.lessonEnd(new Users.User("teacher-li", Users.Role.TEACHER), BIO, START));
    }

    @Test
    void anotherTeachersLessonIsRefusedWithHerOwnNextLessonAndAGrantOpensTheLabAtAnyTime() throws Exception {
        LabGrants grants = new LabGrants(dir.resolve("grants"));
        Users.User li = new Users.User("teacher-li", Users.Role.TEACHER);
        LabAccess during = at(START.plusSeconds(60), grants);
        assertEquals("not-her-lesson", during.decide(li, BIO).why());
        assertTrue(grants.set("teacher-li", BIO, true));
        assertEquals("granted", during.decide(li, BIO).why());
        // kept in an owner-only file, read again at the next start; revoked, it is gone
        assertTrue(new LabGrants(dir.resolve("grants")).has("teacher-li", BIO));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("grants"))));
        grants.forget("teacher-li");
        assertFalse(new LabGrants(dir.resolve("grants")).has("teacher-li", BIO));
        assertFalse(during.mayWatch(li, BIO));
    }

    @Test
    void theAdminWatchesEveryLabAndGuardsAndScreensNone() throws Exception {
        LabGrants grants = new LabGrants(dir.resolve("grants"));
        grants.set("guard-wang", BIO, true); // a grant written by hand for a guard opens nothing
        LabAccess access = at(START.plusSeconds(60), grants);
        assertTrue(access.mayWatch(new Users.User("admin", Users.Role.ADMIN), "any room"));
        assertFalse(access.mayWatch(new Users.User("guard-wang", Users.Role.SECURITY), BIO));
        assertFalse(access.mayWatch(new Users.User("office-wall", Users.Role.WALL_SCREEN), BIO));
        // without a calendar (the rules bundle stopped) a teacher keeps her grants and nothing more
        LabAccess noCalendar = new LabAccess(grants, () -> null, Clock.fixed(START.plusSeconds(60), ZoneOffset.UTC));
        assertFalse(noCalendar.mayWatch(new Users.User("teacher-zhao", Users.Role.TEACHER), BIO));
    }

    @Test
    void aGrantWithATabOrALineBreakIsRefusedRatherThanForgingAnotherLine() throws Exception {
        LabGrants grants = new LabGrants(dir.resolve("grants"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> grants.set("teacher-li", BIO + "\nteacher-evil\t" + BIO, true));
        // readAllLines splits at a lone carriage return too
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> grants.set("teacher-li", BIO + "\rteacher-evil\t" + BIO, true));
        assertFalse(new LabGrants(dir.resolve("grants")).has("teacher-evil", BIO));
    }
}
