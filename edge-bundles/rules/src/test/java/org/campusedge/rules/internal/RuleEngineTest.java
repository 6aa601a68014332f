package org.campusedge.rules.internal;

import static org.campusedge.rules.internal.Events.T0;
import static org.campusedge.rules.internal.Events.event;
import static org.campusedge.rules.internal.Events.reading;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.campusedge.api.Severity;
import org.campusedge.api.CampusEvent;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each rule kind at its edges: hysteresis, minimum durations, window boundaries, calendar, clock jumps, late events. */
class RuleEngineTest {

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private static String summary(List<RuleEngine.Decision> ds) {
        return ds.stream().map(d -> (d.raise() ? "raise " : "clear ") + d.key()).reduce((a, b) -> a + ", " + b).orElse("");
    }

    @Nested
    class Threshold {

        @Test
        void aPointTheProfileLacksIsNeverJudged() {
            RuleEngine engine = new RuleEngine(List.of(Events.threshold("hot", 50.0, null, 2, 0)), Events.calendar());
            CampusEvent unprofiled = Events.reading("lab-phys-1", "temperature", 500, at(0));
            unprofiled = CampusEvent.builder().id(unprofiled.id()).schoolId(unprofiled.schoolId()).deviceId(unprofiled.deviceId())
                    .profileId(unprofiled.profileId()).location(unprofiled.location()).kind(unprofiled.kind()).severity(unprofiled.severity())
                    .occurredAt(unprofiled.occurredAt()).receivedAt(unprofiled.receivedAt()).measurements(unprofiled.measurements())
                    .attributes(Map.of("quality", "unprofiled")).build();
            assertEquals("", summary(engine.onEvent(unprofiled)), "a kit raised an alarm through a point its profile lacks");
            assertEquals("", summary(engine.tick(at(60))));
            assertEquals("raise hot:lab-phys-1", summary(engine.onEvent(Events.reading("lab-phys-1", "temperature", 500, at(61)))),
                    "the same reading of a profiled point is judged");
        }
        private final RuleEngine engine = new RuleEngine(List.of(Events.threshold("hot", 50.0, null, 2, 10)),
                Events.calendar());

        @Test
        void raisesOnlyAfterTheValueStaysPastTheLimitForTheMinimumDuration() {
            assertEquals("", summary(engine.onEvent(reading("s1", "temperature", 51, at(0)))));
            assertEquals("", summary(engine.onEvent(reading("s1", "temperature", 52, at(9)))));
            assertEquals("raise hot:s1", summary(engine.onEvent(reading("s1", "temperature", 52, at(10)))));
        }

        @Test
        void aValueBackWithinTheLimitRestartsTheDuration() {
            engine.onEvent(reading("s1", "temperature", 51, at(0)));
            engine.onEvent(reading("s1", "temperature", 49.9, at(5)));
            assertEquals("", summary(engine.onEvent(reading("s1", "temperature", 51, at(10)))), "the dip did not reset");
            assertEquals("raise hot:s1", summary(engine.onEvent(reading("s1", "temperature", 51, at(20)))));
        }

        @Test
        void theDurationIsReachedByTheClockWithoutAnotherValue() {
            engine.onEvent(reading("s1", "temperature", 55, at(0)));
            assertEquals("", summary(engine.tick(at(9))));
            assertEquals("raise hot:s1", summary(engine.tick(at(10))));
            assertEquals("", summary(engine.tick(at(11))), "raised twice by the clock");
        }

        @Test
        void clearsOnlyWhenTheValueIsBackByTheHysteresis() {
            engine.onEvent(reading("s1", "temperature", 55, at(0)));
            engine.tick(at(10));
            assertEquals("", summary(engine.onEvent(reading("s1", "temperature", 49, at(11)))), "cleared inside the band");
            assertEquals("", summary(engine.onEvent(reading("s1", "temperature", 48.5, at(12)))));
            assertEquals("clear hot:s1", summary(engine.onEvent(reading("s1", "temperature", 48, at(13)))));
        }

        @Test
        void aBelowLimitWorksTheSameWayMirrored() {
            RuleEngine low = new RuleEngine(List.of(Events.threshold("cold", null, 5.0, 1, 0)), Events.calendar());
            assertEquals("raise cold:s1", summary(low.onEvent(reading("s1", "temperature", 4.9, at(0)))));
            assertEquals("", summary(low.onEvent(reading("s1", "temperature", 5.5, at(1)))));
            assertEquals("clear cold:s1", summary(low.onEvent(reading("s1", "temperature", 6, at(2)))));
        }

        @Test
        void aLateValueCannotUndoANewerOne() {
            engine.onEvent(reading("s1", "temperature", 55, at(0)));
            engine.onEvent(reading("s1", "temperature", 55, at(10)));
            assertEquals("", summary(engine.onEvent(reading("s1", "temperature", 20, at(5)))), "an old value cleared it");
            assertEquals("raise hot:s1", summary(engine.onEvent(reading("s1", "temperature", 56, at(11)))));
        }

        @Test
        void aClockSteppedBackDoesNotRestartTheDuration() {
            engine.onEvent(reading("s1", "temperature", 55, at(0)));
            engine.tick(at(8));
            engine.tick(at(-3600)); // the gateway's clock is set back an hour
            assertEquals("raise hot:s1", summary(engine.tick(at(10))));
        }

        @Test
        void aReloadOfTheRuleFilesKeepsWhatTheEngineKnewSoTheClearStillComes() {
            engine.onEvent(reading("s1", "temperature", 55, at(0)));
            engine.tick(at(10)); // raised
            RuleEngine reloaded = new RuleEngine(List.of(Events.threshold("hot", 50.0, null, 2, 10)), Events.calendar());
            reloaded.carryOver(engine);
            assertEquals("clear hot:s1", summary(reloaded.onEvent(reading("s1", "temperature", 40, at(20)))));
            RuleEngine changed = new RuleEngine(List.of(Events.threshold("hot", 45.0, null, 2, 10)), Events.calendar());
            changed.carryOver(engine);
            assertEquals("", summary(changed.onEvent(reading("s1", "temperature", 40, at(21)))),
                    "a changed rule starts afresh: nothing of the old definition is carried");
        }

        @Test
        void eachDeviceHasItsOwnAlarmAndOtherPointsAreIgnored() {
            engine.onEvent(reading("s1", "temperature", 55, at(0)));
            engine.onEvent(reading("s2", "humidity", 99, at(0)));
            assertEquals("raise hot:s1", summary(engine.tick(at(10))));
        }
    }

    @Nested
    class Window {

        @Test
        void threeDeniedSwipesWithinAMinuteRaiseTheFourthCountsAsARepeat() {
            RuleEngine engine = new RuleEngine(List.of(Events.window("denied", "card.denied", 3, 60, Rule.When.ALWAYS, false,
                    Set.of())), Events.calendar());
            assertEquals("", summary(engine.onEvent(event("gate-1", "card.denied", "gate", at(0)))));
            assertEquals("", summary(engine.onEvent(event("gate-1", "card.denied", "gate", at(30)))));
            assertEquals("raise denied:gate-1", summary(engine.onEvent(event("gate-1", "card.denied", "gate", at(59)))));
            assertEquals("raise denied:gate-1", summary(engine.onEvent(event("gate-1", "card.denied", "gate", at(60)))));
            assertEquals("", summary(engine.onEvent(event("gate-2", "card.denied", "gate", at(60)))), "readers are apart");
        }

        @Test
        void eventsJustOutsideTheWindowDoNotCount() {
            RuleEngine engine = new RuleEngine(List.of(Events.window("denied", "card.denied", 3, 60, Rule.When.ALWAYS, false,
                    Set.of())), Events.calendar());
            engine.onEvent(event("gate-1", "card.denied", "gate", at(0)));
            engine.onEvent(event("gate-1", "card.denied", "gate", at(30)));
            assertEquals("", summary(engine.onEvent(event("gate-1", "card.denied", "gate", at(61)))),
                    "the first swipe was 61 s ago and still counted");
        }

        @Test
        void intrusionAtThePerimeterCountsOnlyOutsideSchoolHours() {
            RuleEngine engine = new RuleEngine(List.of(Events.window("night", "camera.intrusion", 1, 60,
                    Rule.When.OUTSIDE_SCHOOL_HOURS, false, Set.of("perimeter"))), Events.calendar());
            assertEquals("", summary(engine.onEvent(event("cam-1", "camera.intrusion", "perimeter", at(0)))), "10:00 Tuesday");
            Instant night = Instant.parse("2026-11-24T15:30:00Z"); // 23:30 in Shanghai
            assertEquals("", summary(engine.onEvent(event("cam-2", "camera.intrusion", "corridor", night))), "not the perimeter");
            assertEquals("raise night:cam-1", summary(engine.onEvent(event("cam-1", "camera.intrusion", "perimeter", night))));
            Instant holidayNoon = Instant.parse("2026-12-31T04:00:00Z");
            assertEquals("raise night:cam-1", summary(engine.onEvent(event("cam-1", "camera.intrusion", "perimeter", holidayNoon))),
                    "a holiday is outside school hours");
        }

        @Test
        void aSwipeAtALabDoorCountsOnlyWhileTheLabIsScheduledEmpty() {
            RuleEngine engine = new RuleEngine(List.of(Events.window("lab-door", "card.swipe", 1, 60,
                    Rule.When.LAB_SCHEDULED_EMPTY, false, Set.of("lab-door"))), Events.calendar());
            assertEquals("", summary(engine.onEvent(Events.swipeAtLabDoor("card-chem", "301 Chemistry",
                    Instant.parse("2026-11-24T02:30:00Z")))), "during the booked class");
            assertEquals("raise lab-door:card-chem", summary(engine.onEvent(Events.swipeAtLabDoor("card-chem", "301 Chemistry",
                    Instant.parse("2026-11-24T04:00:00Z")))), "12:00, the lab is empty");
        }

        @Test
        void aRateAlarmClearsByItselfWhenTheFloodStops() {
            RuleEngine engine = new RuleEngine(List.of(Events.window("flood", "camera.motion", 5, 10, Rule.When.ALWAYS, true,
                    Set.of())), Events.calendar());
            List<RuleEngine.Decision> last = List.of();
            for (int i = 0; i < 5; i++) {
                last = engine.onEvent(event("cam-1", "camera.motion", "corridor", at(i)));
            }
            assertEquals("raise flood:cam-1", summary(last));
            assertEquals("", summary(engine.tick(at(10))), "still 5 within 10 s at t=10");
            assertEquals("clear flood:cam-1", summary(engine.tick(at(11))));
            assertEquals("", summary(engine.tick(at(12))), "cleared twice");
        }

        @Test
        void aRateAlarmRestoredAfterARestartClearsAWindowAfterItsLastEventNotAtOnce() {
            // restarted at t=5: the alarm was raised before, its last event at t=2; the events themselves are gone
            RuleEngine engine = new RuleEngine(List.of(Events.window("flood", "camera.motion", 5, 10, Rule.When.ALWAYS, true,
                    Set.of())), Events.calendar());
            engine.adopt("flood:cam-1", "flood", at(2));
            assertEquals("", summary(engine.tick(at(5))), "cleared at the first tick after the restart");
            assertEquals("", summary(engine.tick(at(12))), "a window after the last event has not passed yet");
            assertEquals("clear flood:cam-1", summary(engine.tick(at(13))));
            // a restored alarm whose last event is unknown clears at the first tick (nothing says the condition goes on)
            engine.adopt("flood:cam-2", "flood", null);
            assertEquals("clear flood:cam-2", summary(engine.tick(at(14))));
        }

        @Test
        void aDrillsIntrusionRaisesTheNightAlarmInTheDaytimeUnderItsOwnKey() {
            java.util.Set<String> playedByTheDrill = new java.util.HashSet<>();
            RuleEngine engine = new RuleEngine(List.of(Events.window("night", "camera.intrusion", 1, 60,
                    Rule.When.OUTSIDE_SCHOOL_HOURS, false, Set.of("perimeter"))), Events.calendar(), e -> playedByTheDrill.contains(e.id()));
            CampusEvent real = event("cam-1", "camera.intrusion", "perimeter", at(0));
            assertEquals("", summary(engine.onEvent(real)), "10:00 Tuesday: the real one raises nothing");
            CampusEvent drill = CampusEvent.builder().schoolId("sch").deviceId("cam-1").profileId("p").kind("camera.intrusion")
                    .location(real.location()).occurredAt(at(1)).receivedAt(at(1))
                    .attributes(java.util.Map.of(org.campusedge.api.Drill.ATTRIBUTE, "D1")).build();
            assertEquals("", summary(engine.onEvent(drill)), "a drill mark the drill desk did not make is not believed");
            playedByTheDrill.add(drill.id());
            assertEquals("raise night:cam-1@drill", summary(engine.onEvent(drill)), "a drill rehearses the rule at any hour");
            Instant night = Instant.parse("2026-11-24T15:30:00Z");
            assertEquals("raise night:cam-1", summary(engine.onEvent(event("cam-1", "camera.intrusion", "perimeter", night))),
                    "a real alarm is never the drill's alarm");
        }

        @Test
        void theAlarmsOwnEventsNeverFeedTheRules() {
            RuleEngine engine = new RuleEngine(List.of(Events.window("any", "alarm.raised", 1, 60, Rule.When.ALWAYS, false,
                    Set.of())), Events.calendar());
            assertEquals("", summary(engine.onEvent(event("cam-1", "alarm.raised", "perimeter", at(0)))));
        }
    }

    @Nested
    class Absence {
        private final Rule offline = new Rule("offline", "Device offline", Rule.Kind.ABSENCE,
                new Rule.Match(Set.of("device.offline"), Set.of(), Set.of(), Set.of(), null), Rule.When.ALWAYS,
                Severity.WARNING, null, null, 0, Duration.ZERO, 1, Duration.ofSeconds(60), Rule.Per.DEVICE, true,
                Set.of("device.online"), List.of());

        @Test
        void offlineRaisesAndOnlineClearsForTheSameDevice() {
            RuleEngine engine = new RuleEngine(List.of(offline), Events.calendar());
            assertEquals("raise offline:meter-1", summary(engine.onEvent(event("meter-1", "device.offline", null, at(0)))));
            assertEquals("clear offline:meter-2", summary(engine.onEvent(event("meter-2", "device.online", null, at(1)))),
                    "a clear for another device is harmless: the alarm book has nothing under that key");
            assertEquals("clear offline:meter-1", summary(engine.onEvent(event("meter-1", "device.online", null, at(2)))));
            assertFalse(engine.onEvent(event("meter-1", "lab.reading", null, at(3))).stream().anyMatch(RuleEngine.Decision::raise));
        }
    }

    @Test
    void anAbsenceAlarmThatAPersonMustClearIsNotClearedByTheDeviceReturning() {
        Rule manual = new Rule("offline", "Device offline", Rule.Kind.ABSENCE,
                new Rule.Match(Set.of("device.offline"), Set.of(), Set.of(), Set.of(), null), Rule.When.ALWAYS,
                Severity.WARNING, null, null, 0, Duration.ZERO, 1, Duration.ofSeconds(60), Rule.Per.DEVICE, false,
                Set.of("device.online"), List.of());
        RuleEngine engine = new RuleEngine(List.of(manual), Events.calendar());
        assertEquals("raise offline:m1", summary(engine.onEvent(event("m1", "device.offline", null, at(0)))));
        assertEquals("", summary(engine.onEvent(event("m1", "device.online", null, at(1)))));
    }

    @Test
    void aRuleSetFileBecomesRules() {
        List<Rule> rules = RuleSetReader.rules(java.util.Map.of("rules", List.of(
                java.util.Map.of("id", "hot", "kind", "threshold", "severity", "WARNING", "above", 50, "forSeconds", 10,
                        "match", java.util.Map.of("kinds", List.of("lab.reading"), "point", "temperature")),
                java.util.Map.of("id", "night", "kind", "window", "severity", "CRITICAL", "count", 1, "windowSeconds", 60,
                        "when", "outsideSchoolHours", "match", java.util.Map.of("kinds", List.of("camera.intrusion")),
                        "actions", List.of(java.util.Map.of("broadcast", java.util.Map.of("controller", "pa-main",
                                "zones", List.of("playground"), "text", "evacuate", "priority", 95)))))));
        assertEquals(2, rules.size());
        assertTrue(rules.get(0).autoClear(), "threshold alarms clear by themselves by default");
        assertEquals(Duration.ofSeconds(10), rules.get(0).hold());
        assertFalse(rules.get(1).autoClear(), "window alarms wait for a person by default");
        assertEquals(new Rule.Broadcast("pa-main", List.of("playground"), null, "evacuate", 95), rules.get(1).actions().get(0));
        assertEquals(Rule.When.OUTSIDE_SCHOOL_HOURS, rules.get(1).when());
    }
}
